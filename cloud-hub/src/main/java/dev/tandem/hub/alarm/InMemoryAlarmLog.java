package dev.tandem.hub.alarm;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.wire.Alarm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link AlarmLog} in memory: a ring of the newest {@code capacity} episodes (older ones are dropped;
 * episode {@code id} sits at slot {@code (id - 1) % capacity}) and an index from (site, device,
 * episode) to its id for the episodes the ring holds. Thread-safe.
 */
public final class InMemoryAlarmLog implements AlarmLog {
    public static final int DEFAULT_CAPACITY = 10_000;

    private record Key(String site, String device, String episode) {
        static Key of(Alarm a) {
            return new Key(a.site(), a.device(), a.episode());
        }
    }

    private final AlarmEntry[] ring;
    private final Map<Key, Long> index = new HashMap<>();
    /** The id of the newest episode (0: none yet). */
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
        Key key = Key.of(alarm);
        Long known = index.get(key);
        if (known != null) {
            AlarmEntry e = ring[slot(known)].with(alarm, receivedAt);
            ring[slot(known)] = e;
            return e;
        }
        AlarmEntry e = new AlarmEntry(++newest, alarm, receivedAt, receivedAt, 1, null, null, null);
        AlarmEntry evicted = ring[slot(e.id())];
        if (evicted != null) {
            index.remove(Key.of(evicted.latest()));
        }
        ring[slot(e.id())] = e;
        index.put(key, e.id());
        return e;
    }

    @Override
    public synchronized List<AlarmEntry> recent(int limit, DeviceId device, boolean openOnly) {
        List<AlarmEntry> out = new ArrayList<>(Math.min(limit, ring.length));
        for (long id = newest; id >= oldest() && id > 0 && out.size() < limit; id--) {
            AlarmEntry e = ring[slot(id)];
            Alarm a = e.latest();
            if ((device == null || (a.site().equals(device.site()) && a.device().equals(device.device())))
                    && (!openOnly || e.open())) {
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
