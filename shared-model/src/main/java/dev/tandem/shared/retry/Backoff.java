package dev.tandem.shared.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential reconnect delay, shared by the edge agent and the hub: starts at {@code min}, doubles
 * per failed attempt up to {@code max}, with up to 20% random jitter (subtracted, so no delay
 * exceeds {@code max}) so that a fleet does not reconnect in lock-step after a broker restart.
 *
 * <p>Not thread-safe: callers on several threads synchronise around it.
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

    /** The delay before the next attempt (milliseconds, 1..max); the one after it is longer until max. */
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
