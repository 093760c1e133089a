package dev.tandem.shared.retry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {

    @Test
    void nextDelay_doublesFromMinUpToMax_withAtMostTwentyPercentJitterBelow() {
        Backoff b = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5));
        long[] bases = {250, 500, 1000, 2000, 4000, 5000, 5000};
        for (long base : bases) {
            long d = b.nextDelayMillis();
            assertTrue(d <= base && d >= base - base / 5, "delay " + d + " for base " + base);
        }
    }

    @Test
    void nextDelay_isJittered_soAFleetDoesNotRetryInLockStep() {
        Set<Long> firsts = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            firsts.add(new Backoff(Duration.ofMillis(1000), Duration.ofSeconds(10)).nextDelayMillis());
        }
        assertTrue(firsts.size() > 1, "50 first delays all equal: " + firsts);
    }

    @Test
    void reset_startsAgainFromMin() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(800));
        for (int i = 0; i < 5; i++) {
            b.nextDelayMillis();
        }
        b.reset();
        long d = b.nextDelayMillis();
        assertTrue(d <= 100 && d >= 80, "after reset: " + d);
    }

    @Test
    void tinyDelays_areNeverBelowOneMillisecond() {
        Backoff b = new Backoff(Duration.ZERO, Duration.ZERO);
        assertEquals(1, b.nextDelayMillis());
        assertEquals(1, b.nextDelayMillis());
    }
}
