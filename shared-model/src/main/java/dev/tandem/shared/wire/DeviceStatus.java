package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;

import java.util.Map;

/**
 * A device's state ({@code status}, retained; the MQTT last will publishes OFFLINE), with its alarm
 * episodes counted: {@code onsets} raised, {@code clears} and {@code rebaselines} that ended one, and
 * the id of the episode holding now ({@code episode}, null when none).
 *
 * <p>Version 2 adds the episodes and what an operator needs to trust the device: its agent's {@link Outbox} (what waits
 * for the uplink, what was dropped by class and reason, whether it is on disk) and its reading
 * {@link Sequence} counters (readings refused as too far ahead, gaps, sensor restarts), and the
 * state STALLED. Version 1 is refused (UNKNOWN_SCHEMA_VERSION), as every other version change.
 *
 * @param outbox   the agent's outbox (shared by the agent's devices), or null (an OFFLINE will)
 * @param sequence this device's reading sequence counters, or null (an OFFLINE will)
 */
public record DeviceStatus(int v, String site, String device, State state, String modelVersion, long windows,
                           long onsets, long clears, long rebaselines, String episode, long escalations, long ts,
                           Outbox outbox, Sequence sequence) {
    public static final int VERSION = 2;
    /** Most entries of {@link Outbox#droppedBy()} (classes times reasons, with room to spare). */
    public static final int MAX_DROP_KEYS = 32;

    /**
     * COMMISSIONING until it has a model; DETECTING while it scores its readings; STALLED when it has
     * a model but readings arrive and none is taken (every one refused); OFFLINE after a stop or as the last will.
     */
    public enum State { COMMISSIONING, DETECTING, STALLED, OFFLINE }

    /**
     * The agent's outbox.
     *
     * @param durable   kept on disk (false: in memory, by configuration or because the disk failed)
     * @param degraded  the disk failed (full, read-only): messages are in memory only until the agent restarts
     * @param queued    messages waiting for the uplink
     * @param dropped   messages dropped in all
     * @param droppedBy drops by {@code class/reason} (e.g. {@code readings/budget}), only non-zero ones
     */
    public record Outbox(boolean durable, boolean degraded, int queued, long queuedBytes, long replayed, long dropped,
                         Map<String, Long> droppedBy) {
        public Outbox {
            droppedBy = droppedBy == null ? Map.of() : droppedBy;
            if (droppedBy.size() > MAX_DROP_KEYS) {
                throw TandemException.invalid("droppedBy has " + droppedBy.size() + " entries, more than " + MAX_DROP_KEYS);
            }
            for (Map.Entry<String, Long> e : droppedBy.entrySet()) {
                if (e.getKey() == null || e.getKey().length() > 64 || e.getValue() == null || e.getValue() < 0) {
                    throw TandemException.invalid("droppedBy entries are short names with counts >= 0");
                }
            }
            droppedBy = Map.copyOf(droppedBy);
        }
    }

    /**
     * A device's reading sequence.
     *
     * @param epoch     the sensor epoch (restart id) of the newest reading taken
     * @param epochs    sensor restarts seen (a new epoch starts the sequence over)
     * @param refused   readings refused as too far ahead of the newest one (a bounded look-ahead)
     * @param gaps      readings taken after a gap in the sequence (missed readings)
     * @param lastTaken when a reading was last taken (epoch millis; 0: never)
     */
    public record Sequence(long epoch, long epochs, long refused, long gaps, long lastTaken) {
    }

    public DeviceStatus {
        Checks.version("DeviceStatus", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        if (state == null) {
            throw TandemException.invalid("state is required");
        }
        if (windows < 0 || onsets < 0 || clears < 0 || rebaselines < 0 || escalations < 0) {
            throw TandemException.invalid("counts must be >= 0");
        }
        if (clears + rebaselines > onsets) {
            throw TandemException.invalid("more episodes ended (" + (clears + rebaselines) + ") than raised (" + onsets + ")");
        }
        if (episode != null) {
            Checks.id("episode", episode);
        }
    }

    /** A status without outbox and sequence counters. */
    public DeviceStatus(int v, String site, String device, State state, String modelVersion, long windows,
                        long onsets, long clears, long rebaselines, String episode, long escalations, long ts) {
        this(v, site, device, state, modelVersion, windows, onsets, clears, rebaselines, episode, escalations, ts, null,
                null);
    }

    /** OFFLINE and nothing else known (a device that never reported). */
    public static DeviceStatus offline(String site, String device) {
        return new DeviceStatus(VERSION, site, device, State.OFFLINE, null, 0, 0, 0, 0, null, 0, 0, null, null);
    }

    /**
     * OFFLINE with the last known state kept: the model version, the counters, the episode holding and
     * {@code ts} (when that state was taken) of {@code last}; the outbox and sequence are left out (they
     * describe a running agent). What a clean stop and a last will leave retained.
     */
    public static DeviceStatus offlineFrom(DeviceStatus last) {
        return new DeviceStatus(VERSION, last.site(), last.device(), State.OFFLINE, last.modelVersion(), last.windows(),
                last.onsets(), last.clears(), last.rebaselines(), last.episode(), last.escalations(), last.ts(), null,
                null);
    }
}
