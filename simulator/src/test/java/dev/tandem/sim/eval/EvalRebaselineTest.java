package dev.tandem.sim.eval;

import dev.tandem.edge.alarm.AlarmSettings;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.rebaseline.RebaselineSettings;
import dev.tandem.shared.wire.Sample;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.factory.SimConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluation re-baselines as the hub does: a machine whose process moves to a new steady state
 * (one channel's level shifted for good) holds its alarm; in the modes with a hub, the hub's
 * Rebaseliner judges the readings the edge's reviews sent, re-fits on them, and the episode ends
 * REBASELINED, after which the new normal is not an alarm. Without re-baselining, or without a hub
 * (edge mode), the alarm holds to the end.
 */
class EvalRebaselineTest {
    private static final int TEST_ROWS = 2600;
    private static final int SHIFT_AT = 300;
    private static EvalStream stream;
    private static CascadeEvaluation.Result on;
    private static CascadeEvaluation.Result off;

    @BeforeAll
    static void evaluate() {
        SimConfig config = SimConfig.builder(11, 1).healthy().build();
        MachineSimulator machine = new FactoryLine(config).machines().get(0);
        int com = config.commissioningSamples();
        List<Sample> commissioning = new ArrayList<>();
        double[] sum = new double[2];
        for (int i = 0; i < com; i++) {
            Sample s = machine.next().sample();
            commissioning.add(s);
            sum[0] += s.value(0);
            sum[1] += s.value(0) * s.value(0);
        }
        double mean = sum[0] / com;
        double sd = Math.sqrt(Math.max(sum[1] / com - mean * mean, 1e-12));
        List<Sample> test = new ArrayList<>();
        boolean[] labels = new boolean[TEST_ROWS];
        for (int i = 0; i < TEST_ROWS; i++) {
            Sample s = machine.next().sample();
            double[] v = s.values();
            if (i >= SHIFT_AT) {
                v[0] += 6 * sd; // a valve left in a new position: the same process, another level
            }
            test.add(new Sample(s.seq(), s.ts(), v));
        }
        stream = new EvalStream("machine-01", List.of("a", "b", "c", "d", "e").subList(0, commissioning.get(0).channels()),
                commissioning, test, labels, List.of());
        FitSettings settings = FitSettings.defaults();
        CascadeEvaluation.Options options = CascadeEvaluation.Options.defaults();
        on = CascadeEvaluation.run(List.of(stream), settings, options, CascadeEvaluation.Progress.NONE);
        off = CascadeEvaluation.run(List.of(stream), settings,
                new CascadeEvaluation.Options(AlarmSettings.defaults(), RebaselineSettings.off(), options.deviceClass()),
                CascadeEvaluation.Progress.NONE);
    }

    private static CascadeEvaluation.ModeRun run(CascadeEvaluation.Result r, CascadeEvaluation.Mode mode) {
        return r.devices().get(0).modes().get(mode);
    }

    private static int anomalousIn(boolean[] decisions, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += decisions[i] ? 1 : 0;
        }
        return n;
    }

    @Test
    void withAHub_theNewSteadyState_isRebaselined_andNoLongerAnAlarm() {
        for (CascadeEvaluation.Mode mode : List.of(CascadeEvaluation.Mode.CLOUD, CascadeEvaluation.Mode.COLLABORATIVE)) {
            CascadeEvaluation.ModeRun r = run(on, mode);
            assertTrue(r.episodes().rebaselines() >= 1, mode + ": " + r.episodes());
            assertFalse(r.held()[TEST_ROWS - 1], mode + ": the alarm still holds at the end");
            int tail = anomalousIn(r.decisions(), TEST_ROWS - 500, TEST_ROWS);
            assertTrue(tail <= 25, mode + ": " + tail + " of the last 500 windows still anomalous after the re-baseline");
        }
    }

    @Test
    void withoutRebaselining_orWithoutAHub_theAlarmHoldsToTheEnd() {
        for (CascadeEvaluation.Mode mode : CascadeEvaluation.Mode.values()) {
            CascadeEvaluation.ModeRun r = run(off, mode);
            assertEquals(0, r.episodes().rebaselines(), mode.key());
            assertTrue(r.held()[TEST_ROWS - 1], mode + ": the shifted level is an alarm until re-baselined");
        }
        CascadeEvaluation.ModeRun edge = run(on, CascadeEvaluation.Mode.EDGE);
        assertEquals(0, edge.episodes().rebaselines(), "the edge alone never re-baselines");
        assertTrue(edge.held()[TEST_ROWS - 1]);
    }

    @Test
    void theShift_raisesAnAlarm_inEveryMode() {
        for (CascadeEvaluation.Mode mode : CascadeEvaluation.Mode.values()) {
            CascadeEvaluation.ModeRun r = run(on, mode);
            int onset = -1;
            for (int i = 0; i < TEST_ROWS && onset < 0; i++) {
                onset = r.onsets()[i] && i >= SHIFT_AT ? i : -1;
            }
            assertTrue(onset >= SHIFT_AT && onset < SHIFT_AT + 60, mode + ": onset at row " + onset);
        }
    }
}
