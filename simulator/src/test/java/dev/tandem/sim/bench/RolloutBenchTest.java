package dev.tandem.sim.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The rollout benchmark's skeleton runs both ways on a few devices. */
class RolloutBenchTest {
    @Test
    void aGoodRolloutFinishes_aBadOneRollsBackAfterItsFirstWave() throws Exception {
        RolloutBench.Result good = RolloutBench.run(6, false, Duration.ZERO);
        assertEquals("FINISHED", good.finalState());
        assertEquals(6, good.actions().get("ACTIVE"));
        assertEquals(4, good.waveMs().size(), "waves of 1, 5%, 25%, 100% of 6 devices: 1, 2, 3, 6");
        RolloutBench.Result bad = RolloutBench.run(6, true, Duration.ZERO);
        assertEquals("ROLLED_BACK", bad.finalState());
        assertEquals(1, bad.actions().get("ROLLED_BACK"));
        assertEquals(5, bad.actions().get("CANCELED"));
        assertEquals(1, bad.waveMs().size());
    }

    @Test
    void aModelBadOnlyInTheLastWave_rollsTheWholeFleetBack() throws Exception {
        RolloutBench.Result r = RolloutBench.run("embedded", 6, 4, Duration.ZERO, RolloutBench.DEFAULT_LARGE_STEPS,
                System.err);
        assertEquals("ROLLED_BACK", r.finalState());
        assertEquals(4, r.waveMs().size(), "three waves promoted, the fourth stopped");
        // the last device reached trips its watchdog while the other five are ACTIVE: all six are sent back
        assertEquals(6, r.actions().get("ROLLED_BACK"), r.actions().toString());
        assertEquals(0, r.actions().get("CANCELED"), r.actions().toString());
        assertEquals(true, r.rollbackMs() != null && r.rollbackMs() >= 0, "the fleet's rollback is timed");
    }
}
