package dev.tandem.sim.eval;

import dev.tandem.edge.alarm.AlarmSettings;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.cli.TandemCliProbe;
import dev.tandem.sim.eval.CascadeEvaluation.Mode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code eval --protocol loo}: each file is scored with the candidate that did best on the others. */
class LeaveOneOutTest {
    @Test
    void eachFileTakesTheCandidateBestOnTheOthers_andTheTotalsAreTheChosenRuns() {
        List<EvalStream> streams = SimScenario.streams(11, 3, 500);
        FitSettings base = FitSettings.defaults();
        // a candidate that alarms far more (its threshold at the 60% quantile) beside the defaults
        List<LeaveOneOut.Candidate> grid = List.of(new LeaveOneOut.Candidate("given", base),
                new LeaveOneOut.Candidate("loose", new FitSettings(base.tiny().toBuilder().thresholdQuantile(0.6).build(),
                        base.large())));
        LeaveOneOut.Result r = LeaveOneOut.run(streams, grid, AlarmSettings.defaults(), CascadeEvaluation.Progress.NONE);

        assertEquals(3, r.choices().size());
        List<Confusion> chosen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            LeaveOneOut.Choice c = r.choices().get(i);
            assertEquals(streams.get(i).deviceId(), c.device());
            // recomputed here: the chosen candidate's F1 on the other files is the best of the grid's
            double best = -1;
            for (LeaveOneOut.Candidate k : grid) {
                CascadeEvaluation.Result run = k == grid.get(0) ? r.plain()
                        : CascadeEvaluation.run(streams, k.fit(), AlarmSettings.defaults(), CascadeEvaluation.Progress.NONE);
                List<Confusion> others = new ArrayList<>();
                for (int j = 0; j < 3; j++) {
                    if (j != i) {
                        others.add(run.devices().get(j).modes().get(Mode.COLLABORATIVE).confusion());
                    }
                }
                best = Math.max(best, Confusion.sum(others).f1());
            }
            assertEquals(best, c.othersF1(), 1e-12, "file " + i + " chose " + c.chosen().name());
            chosen.add(r.loo().devices().get(i).modes().get(Mode.COLLABORATIVE).confusion());
        }
        assertEquals(Confusion.sum(chosen), r.loo().modes().get(Mode.COLLABORATIVE).confusion());
        assertSame(grid.get(0).fit(), r.plain().settings());
        assertTrue(r.candidates().containsKey("loose"));
        for (int i = 0; i < 3; i++) {
            if (r.choices().get(i).chosen() == grid.get(0)) {
                assertSame(r.plain().devices().get(i), r.loo().devices().get(i), "the given settings' own run of file " + i);
            }
        }
    }

    @Test
    void theGridStartsWithTheGivenSettings_andHoldsNoDuplicate() {
        List<LeaveOneOut.Candidate> grid = LeaveOneOut.grid(FitSettings.defaults());
        assertEquals(FitSettings.defaults().tiny(), grid.get(0).fit().tiny());
        assertEquals(LeaveOneOut.THRESHOLD_QUANTILES.size() * LeaveOneOut.SMOOTHINGS.size(), grid.size(),
                "the defaults are one of the grid's points");
        assertEquals(grid.size(), grid.stream().map(c -> c.fit().tiny().thresholdQuantile() + "/" + c.fit().tiny().smoothing())
                .distinct().count());
    }

    @Test
    void oneFileIsRefused() {
        assertThrows(TandemException.class, () -> LeaveOneOut.run(SimScenario.streams(11, 1, 200),
                LeaveOneOut.grid(FitSettings.defaults()), AlarmSettings.defaults(), CascadeEvaluation.Progress.NONE));
    }

    @Test
    void theCliRefusesAnUnknownProtocolAndLooOnNab() throws Exception {
        TandemCliProbe.Result bad = TandemCliProbe.run("eval", "--dataset", "sim", "--protocol", "kfold");
        assertEquals(2, bad.exit(), bad.out());
        assertTrue(bad.out().contains("--protocol must be plain or loo"), bad.out());
        TandemCliProbe.Result nab = TandemCliProbe.run("eval", "--dataset", "nab", "--path", "x", "--protocol", "loo");
        assertEquals(2, nab.exit(), nab.out());
        assertTrue(nab.out().contains("--protocol loo applies to"), nab.out());
    }

    @Test
    void theCliRunsLooOnTheSimulator_andReportsItBesideThePlainRun() throws Exception {
        TandemCliProbe.Result r = TandemCliProbe.run("eval", "--dataset", "sim", "--devices", "2", "--samples", "300",
                "--protocol", "loo");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("protocol: leave-one-experiment-out"), r.out());
        assertTrue(r.out().contains("\"protocol\" : \"loo\"") || r.out().contains("\"protocol\":\"loo\""), r.out());
        assertTrue(r.out().contains("loo F1 / FAR"), r.out());
    }
}
