package dev.tandem.edge.uplink;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential reconnect delay: starts at {@code min}, doubles per failed attempt up to {@code max},
 * with up to 20% random jitter so that a fleet does not reconnect in lock-step. Not thread-safe.
 */
public final class Backoff {
    private final long minMillis;
    private final long maxMillis;
    private long next;

    public Backoff(Duration min, Duration max) {
        this.minMillis = Math.max(1, min.toMillis());
        this.maxMillis = Math.max(minMillis, max.toMillis());
        this.next = minMillis;
    }

    /** The delay before the next attempt (milliseconds); the one after it is longer. */
    public long nextDelayMillis() {
        long base = next;
        next = Math.min(maxMillis, next * 2);
        long jitter = base / 5 == 0 ? 0 : ThreadLocalRandom.current().nextLong(base / 5 + 1);
        return Math.max(1, Math.min(maxMillis, base - jitter));
    }

    /** Back to the shortest delay (after a successful connection). */
    public void reset() {
        next = minMillis;
    }
}
