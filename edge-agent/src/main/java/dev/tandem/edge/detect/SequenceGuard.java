package dev.tandem.edge.detect;

/**
 * A device's reading sequence: which readings to take, and the device's own sequence for them.
 *
 * <p>Sequence numbers count within a sensor {@code epoch} (a restart id the sensor sends with every
 * batch). A new epoch starts the sequence over: its readings are taken even if their seq is lower
 * than before (a simulator or sensor restarted from 0). Within an epoch a reading not newer than the
 * newest one taken is a duplicate (a redelivery). A reading more than {@code lookAhead} ahead of the
 * newest one is refused and counted, so one reading with a huge seq cannot make the device deaf to
 * the ones that follow; if {@code resyncAfter} such readings in a row follow each other (a real jump,
 * e.g. a sensor that was away for long), the sequence moves there and the jump is counted as a gap.
 *
 * <p>The device's sequence ({@link #take}'s result) never goes back: a new epoch continues above the
 * newest taken, so window ids, the hub's context and escalations stay in order across sensor
 * restarts. In the first epoch it is the sensor's own seq.
 *
 * <p>Not thread-safe (the device's event loop); the counters may be read from any thread.
 */
public final class SequenceGuard {
    /** Readings ahead of the newest one that are still taken (100 000: hours at the usual rates). */
    public static final long DEFAULT_LOOK_AHEAD = 100_000;
    /** Consecutive far-ahead readings that move the sequence. */
    public static final int DEFAULT_RESYNC_AFTER = 8;
    /** {@link #take} of a reading already taken (or older). */
    public static final long DUPLICATE = -1;
    /** {@link #take} of a reading refused as too far ahead. */
    public static final long REFUSED = -2;

    private final long lookAhead;
    private final int resyncAfter;
    private boolean started;
    private long epoch;
    private long newestSensor = -1;
    private long offset;
    private long newestLocal = -1;
    private long candidate = -1;
    private int streak;
    private volatile long epochs;
    private volatile long refused;
    private volatile long gaps;
    private volatile long lastTaken;
    private volatile long currentEpoch;

    public SequenceGuard() {
        this(DEFAULT_LOOK_AHEAD, DEFAULT_RESYNC_AFTER);
    }

    public SequenceGuard(long lookAhead, int resyncAfter) {
        if (lookAhead < 1 || resyncAfter < 1) {
            throw new IllegalArgumentException("lookAhead and resyncAfter must be >= 1");
        }
        this.lookAhead = lookAhead;
        this.resyncAfter = resyncAfter;
    }

    /**
     * @return the device's seq for this reading, or {@link #DUPLICATE} or {@link #REFUSED}
     */
    public long take(long sensorEpoch, long seq, long nowMillis) {
        if (!started || sensorEpoch != epoch) {
            if (started) {
                epochs++;
            }
            started = true;
            epoch = sensorEpoch;
            currentEpoch = sensorEpoch;
            newestSensor = -1;
            offset = Math.max(0, newestLocal + 1 - seq);
            candidate = -1;
            streak = 0;
            return taken(seq, nowMillis);
        }
        if (newestSensor < 0) {
            return taken(seq, nowMillis);
        }
        if (seq <= newestSensor) {
            return DUPLICATE;
        }
        if (seq - newestSensor > lookAhead) {
            streak = candidate >= 0 && seq > candidate && seq - candidate <= lookAhead ? streak + 1 : 1;
            candidate = seq;
            if (streak < resyncAfter) {
                refused++;
                return REFUSED;
            }
            gaps++;
            return taken(seq, nowMillis);
        }
        if (seq > newestSensor + 1) {
            gaps++;
        }
        return taken(seq, nowMillis);
    }

    private long taken(long seq, long nowMillis) {
        candidate = -1;
        streak = 0;
        newestSensor = seq;
        newestLocal = seq + offset;
        lastTaken = nowMillis;
        return newestLocal;
    }

    /** The epoch of the newest reading taken. */
    public long epoch() {
        return currentEpoch;
    }

    /** Sensor restarts seen (new epochs after the first). */
    public long epochs() {
        return epochs;
    }

    /** Readings refused as too far ahead. */
    public long refused() {
        return refused;
    }

    /** Readings taken after a gap in their epoch's sequence. */
    public long gaps() {
        return gaps;
    }

    /** When a reading was last taken (0: never). */
    public long lastTaken() {
        return lastTaken;
    }
}
