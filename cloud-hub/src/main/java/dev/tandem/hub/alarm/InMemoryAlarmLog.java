package dev.tandem.hub.alarm;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.wire.Alarm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link AlarmLog} in memory: a ring of the newest {@code capacity} alarms (older ones are
 * dropped; alarm {@code id} sits at slot {@code (id - 1) % capacity}). Thread-safe.
 */
public final class InMemoryAlarmLog implements AlarmLog {
    public static final int DEFAULT_CAPACITY = 10_000;

    private final AlarmEntry[] ring;
    /** The id of the newest alarm (0: none yet). */
    private long newest;

    public InMemoryAlarmLog() {
        this(DEFAULT_CAPACITY);
    }

    public InMemoryAlarmLog(int capacity) {
        if (capacity < 1 || capacity > 1_000_000) {
            throw new IllegalArgumentException("capacity must be 1..1000000, got " + capacity);
        }
        this.ring = new AlarmEntry[capacity];
    }

    @Override
    public synchronized AlarmEntry add(Alarm alarm, Instant receivedAt) {
        AlarmEntry e = new AlarmEntry(++newest, alarm, receivedAt, null, null, null);
        ring[slot(e.id())] = e;
        return e;
    }

    @Override
    public synchronized List<AlarmEntry> recent(int limit, DeviceId device) {
        List<AlarmEntry> out = new ArrayList<>(Math.min(limit, ring.length));
        for (long id = newest; id > oldest() - 1 && id > 0 && out.size() < limit; id--) {
            AlarmEntry e = ring[slot(id)];
            if (device == null || (e.alarm().site().equals(device.site()) && e.alarm().device().equals(device.device()))) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public synchronized Optional<AlarmEntry> acknowledge(long id, String operator, String note, Instant at) {
        if (id < oldest() || id > newest || id < 1) {
            return Optional.empty();
        }
        AlarmEntry e = ring[slot(id)];
        if (!e.acknowledged()) {
            e = e.acknowledge(operator, at, note);
            ring[slot(id)] = e;
        }
        return Optional.of(e);
    }

    /** The oldest id still held. */
    private long oldest() {
        return Math.max(1, newest - ring.length + 1);
    }

    private int slot(long id) {
        return (int) ((id - 1) % ring.length);
    }
}
