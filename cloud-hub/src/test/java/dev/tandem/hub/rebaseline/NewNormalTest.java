package dev.tandem.hub.rebaseline;

import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.testing.Signals;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Sample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The steady-state judgement, with the hub's own fit and verdict paths (TensorFlow). */
class NewNormalTest {
    /** The signal moved to a new level at once and stays there. */
    private static List<Sample> shifted(int n) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : Signals.range(5_000, 5_000 + n - 1)) {
            double[] v = s.values();
            v[2] += 3;
            out.add(new Sample(s.seq(), s.ts(), v));
        }
        return out;
    }

    /** The signal still moving: the level of one channel ramps through the whole stretch. */
    private static List<Sample> ramping(int n) {
        List<Sample> out = new ArrayList<>();
        int i = 0;
        for (Sample s : Signals.range(5_000, 5_000 + n - 1)) {
            double[] v = s.values();
            v[2] += 0.02 * i++;
            out.add(new Sample(s.seq(), s.ts(), v));
        }
        return out;
    }

    @Test
    void aNewSteadyLevel_isANewNormal_aRampIsNot() {
        NewNormal.Judgement steady = NewNormal.judge("plant", "m1", Commissioning.DEFAULT_CLASS, shifted(400), FitSettings.defaults());
        NewNormal.Judgement ramp = NewNormal.judge("plant", "m1", Commissioning.DEFAULT_CLASS, ramping(400), FitSettings.defaults());
        assertTrue(steady.windows() > 150, "the second half judged: " + steady);
        assertTrue(steady.steady(RebaselineSettings.DEFAULT_MAX_ANOMALOUS_SHARE), steady.toString());
        assertTrue(steady.levelChange() < 0.5, steady.toString());
        assertFalse(ramp.steady(RebaselineSettings.DEFAULT_MAX_ANOMALOUS_SHARE), ramp.toString());
        assertTrue(ramp.levelChange() > NewNormal.MAX_LEVEL_CHANGE, "the ramp moved the level: " + ramp);
    }
}
