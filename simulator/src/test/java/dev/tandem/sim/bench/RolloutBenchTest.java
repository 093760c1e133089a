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
}
