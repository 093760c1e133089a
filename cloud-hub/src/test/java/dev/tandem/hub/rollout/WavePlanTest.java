package dev.tandem.hub.rollout;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WavePlanTest {
    @Test
    void defaultWaves_oneDeviceThenFiveThenTwentyFiveThenAll_roundedUp() {
        WavePlan plan = WavePlan.defaults();
        assertEquals(List.of(1, 50, 250, 1000), plan.counts(1000));
        assertEquals(List.of(1, 5, 25, 100), plan.counts(100));
        assertEquals(List.of(1, 2, 3, 10), plan.counts(10), "each wave at least one device more than the last");
        assertEquals(List.of(1, 3, 11, 41), plan.counts(41), "5% of 41 is 2.05: rounded up to 3");
        assertEquals(List.of(1, 2), plan.counts(2), "waves past the whole target are dropped");
        assertEquals(List.of(1), plan.counts(1));
    }

    @Test
    void counts_forEveryTargetSize_growByAtLeastOne_reachTheShareRoundedUp_andEndAtTheWhole() {
        WavePlan plan = WavePlan.uniform(WaveGate.defaults(), WaveSize.devices(3), WaveSize.share(0.1),
                WaveSize.share(0.33), WaveSize.share(0.5), WaveSize.share(1.0));
        for (int n = 1; n <= 3000; n++) {
            List<Integer> c = plan.counts(n);
            assertEquals(n, c.get(c.size() - 1), "n=" + n);
            assertTrue(c.get(0) == Math.min(3, n), "n=" + n);
            for (int i = 1; i < c.size(); i++) {
                assertTrue(c.get(i) > c.get(i - 1), "n=" + n + " " + c);
                double share = plan.waves().get(i).size().share();
                assertTrue(c.get(i) >= Math.min(n, Math.ceil(share * n - 1e-9)), "n=" + n + " " + c);
                assertTrue(c.get(i) == Math.max(c.get(i - 1) + 1, (int) Math.ceil(share * n - 1e-9))
                        || c.get(i) == n, "no more than the rule asks: n=" + n + " " + c);
            }
        }
    }

    @Test
    void wavesThatDoNotAddUp_areRefused() {
        WaveGate g = WaveGate.defaults();
        assertInvalid(() -> WavePlan.uniform(g, WaveSize.share(0.5)), "the last wave must reach 100%");
        assertInvalid(() -> WavePlan.uniform(g, WaveSize.share(0.5), WaveSize.share(0.2), WaveSize.share(1)), "must grow");
        assertInvalid(() -> WavePlan.uniform(g, WaveSize.devices(5), WaveSize.devices(5), WaveSize.share(1)), "must grow");
        assertInvalid(() -> WavePlan.uniform(g, WaveSize.share(0.5), WaveSize.devices(900), WaveSize.share(1)),
                "must grow"); // a count after a share
        assertInvalid(() -> WavePlan.uniform(g, WaveSize.share(1), WaveSize.share(1)), "must grow");
        assertInvalid(() -> new WavePlan(List.of()), "at least one wave");
        assertInvalid(() -> WavePlan.uniform(g, java.util.stream.IntStream.rangeClosed(1, 21)
                .mapToObj(i -> WaveSize.share(i / 21.0)).toArray(WaveSize[]::new)), "at most 20");
        assertInvalid(() -> WaveSize.share(0), "share");
        assertInvalid(() -> WaveSize.share(1.5), "share");
        assertInvalid(() -> WaveSize.share(Double.NaN), "share");
        assertInvalid(() -> WaveSize.devices(0), "devices");
        assertInvalid(() -> new WaveSize(3, 0.5), "a number of devices (>= 1) or a share");
        assertInvalid(() -> WavePlan.defaults().counts(0), "at least one device");
    }

    @Test
    void thresholdsAndTimesOutOfRange_areRefused() {
        Duration shadow = Duration.ofMinutes(1);
        Duration timeout = Duration.ofMinutes(10);
        assertInvalid(() -> new WaveGate(0, 0.1, shadow, timeout), "successThreshold");
        assertInvalid(() -> new WaveGate(1.01, 0.1, shadow, timeout), "successThreshold");
        assertInvalid(() -> new WaveGate(Double.NaN, 0.1, shadow, timeout), "successThreshold");
        assertInvalid(() -> new WaveGate(0.9, -0.1, shadow, timeout), "errorThreshold");
        assertInvalid(() -> new WaveGate(0.9, 1, shadow, timeout), "errorThreshold");
        assertInvalid(() -> new WaveGate(0.9, 0.1, Duration.ofSeconds(-1), timeout), "shadowTime");
        assertInvalid(() -> new WaveGate(0.9, 0.1, shadow, Duration.ZERO), "timeout");
        assertInvalid(() -> new WaveGate(0.9, 0.1, shadow, Duration.ofDays(31)), "timeout");
        assertInvalid(() -> new WaveGate(0.9, 0.1, timeout, timeout), "shorter than");
        new WaveGate(1.0, 0.0, Duration.ZERO, Duration.ofSeconds(1)); // the edges are allowed
    }

    static void assertInvalid(Runnable r, String messagePart) {
        TandemException e = assertThrows(TandemException.class, r::run);
        assertEquals(ErrorCode.INVALID_FIELD, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }
}
