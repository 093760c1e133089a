package dev.tandem.sim.eval;

import dev.tandem.hub.fit.FitSettings;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.tiny.TinyFitConfig;
import dev.tandem.hub.tiny.TinyModelFitter;
import dev.tandem.shared.policy.Decision;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import dev.tandem.shared.window.SlidingWindow;
import dev.tandem.sim.cli.TandemCli;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.factory.SimConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three-mode evaluation on the simulator (never on ../shared): short runs, seconds each. */
class CascadeEvaluationTest {
    private static final long SEED = 42;
    private static List<EvalStream> streams;
    private static CascadeEvaluation.Result result;

    @BeforeAll
    static void evaluate() {
        streams = SimScenario.streams(SEED, SimScenario.DEFAULT_DEVICES, SimScenario.DEFAULT_TEST_SAMPLES);
        result = CascadeEvaluation.run(streams, FitSettings.defaults(), CascadeEvaluation.Progress.NONE);
    }

    private static CascadeEvaluation.ModeTotals mode(CascadeEvaluation.Mode m) {
        return result.modes().get(m);
    }

    @Test
    void simEval_collaborativeBeatsEdge_andStaysWithinItsEscalationBudget() {
        double edge = mode(CascadeEvaluation.Mode.EDGE).confusion().f1();
        double collab = mode(CascadeEvaluation.Mode.COLLABORATIVE).confusion().f1();
        assertTrue(collab > edge, "collaborative F1 " + collab + " vs edge " + edge);
        double rate = mode(CascadeEvaluation.Mode.COLLABORATIVE).escalationRate();
        assertTrue(rate > 0 && rate <= 2 * TinyFitConfig.DEFAULT_ESCALATION_BUDGET, "escalated " + rate);
        assertEquals(0, mode(CascadeEvaluation.Mode.EDGE).escalations());
        assertEquals(mode(CascadeEvaluation.Mode.CLOUD).windows(), mode(CascadeEvaluation.Mode.CLOUD).escalations());
        // every escalation got its verdict, and the collaborative uplink is a fraction of the cloud mode's
        for (CascadeEvaluation.ModeTotals t : result.modes().values()) {
            assertEquals(t.escalations(), t.verdicts(), t.mode().key());
        }
        assertTrue(mode(CascadeEvaluation.Mode.COLLABORATIVE).uplinkBytes() < mode(CascadeEvaluation.Mode.CLOUD).uplinkBytes() / 3);
    }

    @Test
    void simEval_everyMode_countsEpisodesThroughTheEdgesTracker_heldOverEveryAnomalousDecision() {
        for (CascadeEvaluation.Mode m : CascadeEvaluation.Mode.values()) {
            long onsets = 0, heldRows = 0, anomalous = 0;
            for (CascadeEvaluation.DeviceResult d : result.devices()) {
                CascadeEvaluation.ModeRun r = d.modes().get(m);
                for (int i = 0; i < r.decisions().length; i++) {
                    boolean before = i > 0 && r.held()[i - 1];
                    if (r.decisions()[i]) {
                        anomalous++;
                        assertTrue(r.held()[i], m + " " + d.stream().deviceId() + " row " + i + ": an anomaly is held");
                    }
                    if (r.onsets()[i]) {
                        onsets++;
                        assertTrue(r.decisions()[i] && !before, m + " row " + i + ": an onset opens an episode");
                    } else if (r.held()[i] && !before) {
                        throw new AssertionError(m + " row " + i + ": held without an onset");
                    }
                    heldRows += r.held()[i] ? 1 : 0;
                }
            }
            Episodes e = mode(m).episodes();
            assertEquals(onsets, e.onsets(), m.key());
            assertEquals(heldRows, e.heldRows(), m.key());
            assertTrue(e.onsets() > 0 && e.onsets() < anomalous / 2, m + ": " + e.onsets() + " onsets for " + anomalous
                    + " anomalous windows");
            assertTrue(e.clears() + e.rebaselines() <= e.onsets() && e.clears() >= e.onsets() - streams.size(), m.key());
            assertTrue(heldRows >= anomalous, m.key());
            assertTrue(e.heldMillis() > 0, m.key());
        }
    }

    @Test
    void simEval_isDeterministicBySeed_inItsData() {
        List<EvalStream> again = SimScenario.streams(SEED, SimScenario.DEFAULT_DEVICES, SimScenario.DEFAULT_TEST_SAMPLES);
        for (int i = 0; i < streams.size(); i++) {
            assertEquals(streams.get(i).test(), again.get(i).test());
            assertEquals(streams.get(i).episodes(), again.get(i).episodes());
        }
        assertTrue(streams.stream().mapToLong(s -> s.episodes().size()).sum() >= 10);
    }

    @Test
    void simEval_reportsDetectionDelayPerAnomalyKind() {
        Map<String, DetectionDelay.KindSummary> delays = mode(CascadeEvaluation.Mode.COLLABORATIVE).delays();
        assertTrue(delays.size() >= 4, delays.keySet().toString());
        for (DetectionDelay.KindSummary k : delays.values()) {
            assertTrue(k.episodes() > 0);
        }
    }

    @Test
    void evalJson_hasTheModesAndTheirKeys() throws Exception {
        String json = EvalReport.toJson(EvalReport.json("sim", "test", SEED, result, List.of()));
        JsonNode root = Wire.mapper().readTree(json);
        for (String m : List.of("edge", "cloud", "collaborative")) {
            JsonNode node = root.path("modes").path(m);
            for (String key : List.of("f1", "far", "mar", "precision", "recall", "escalationRate", "uplinkBytes",
                    "rawUplinkBytes", "detectionDelay")) {
                assertTrue(node.has(key), m + " lacks " + key);
            }
            assertTrue(node.get("rawUplinkBytes").asLong() > 0);
        }
    }

    @Test
    void tinyModel_scoresTheSameInTheEdgeRuntimeAsInTheHubWhereItWasFitted() {
        CascadeEvaluation.DeviceResult d = result.devices().get(0);
        EvalStream s = d.stream();
        // the hub: the fitted model, scoring the windows it was fitted on the way it calibrated them
        TinyModel hub = TinyModelFitter.fit(s.commissioningRows(), TinyFitConfig.defaults(), d.tiny().version());
        assertEquals(hub, d.tiny(), "the edge loaded exactly what the hub fitted (through codec and manifest)");
        byte[] bytes = TinyModelCodec.encode(hub);
        TinyModel edge = TinyModelCodec.verifyAndDecode(TinyModelCodec.manifest(hub, bytes), bytes);
        TinyScorer hubScorer = hub.scorer();
        int w = hub.windowSize();
        List<Sample> all = new ArrayList<>(s.commissioning());
        all.addAll(s.test());
        int first = s.commissioning().size();
        for (int i = 0; i < s.test().size(); i++) {
            double[][] rows = new double[w][];
            for (int j = 0; j < w; j++) {
                rows[j] = all.get(first + i - w + 1 + j).values();
            }
            double expected = hubScorer.score(rows);
            // the edge's DeviceDetector scored the same window from its sliding window, in every mode
            assertEquals(expected, d.tinyScores()[i], 1e-9 * Math.max(1, Math.abs(expected)), "window " + i);
        }
        // and the decoded model's runtime over a SlidingWindow agrees with the fitted one's over rows
        TinyScorer edgeScorer = edge.scorer();
        TinyScorer again = hub.scorer();
        SlidingWindow window = new SlidingWindow(64, s.channels());
        for (Sample x : all) {
            window.add(x);
            if (window.hasAtLeast(w)) {
                assertEquals(again.score(window.toArray(w)), edgeScorer.score(window), 0.0);
            }
        }
    }

    @Test
    void budget_escalationRateOnALongNormalRun_isWithinTwoPointsOfTheBudget() {
        double budget = TinyFitConfig.DEFAULT_ESCALATION_BUDGET;
        double sum = 0;
        int machines = 3;
        for (int m = 0; m < machines; m++) {
            double[] rates = normalRun(100 + m, 6000);
            sum += rates[0];
        }
        double rate = sum / machines;
        assertEquals(budget, rate, 0.02, "escalation rate on normal data " + rate + " for a budget of " + budget);
    }

    @Test
    void calibration_normalWindowsAboveTheThreshold_nearItsQuantile() {
        double q = TinyFitConfig.defaults().thresholdQuantile();
        double sum = 0;
        int machines = 3;
        for (int m = 0; m < machines; m++) {
            sum += normalRun(200 + m, 6000)[1];
        }
        double flagged = sum / machines;
        assertTrue(flagged <= 3 * (1 - q), "normal windows flagged " + flagged + " for a threshold at the " + q + " quantile");
    }

    /** A healthy machine: fitted on its commissioning, then {@code n} normal samples: {escalated share, flagged share}. */
    private static double[] normalRun(long seed, int n) {
        SimConfig config = SimConfig.builder(seed, 1).healthy().build();
        MachineSimulator machine = new FactoryLine(config).machines().get(0);
        int com = config.commissioningSamples();
        double[][] rows = new double[com][];
        SlidingWindow window = new SlidingWindow(64, 5);
        for (int i = 0; i < com; i++) {
            Sample s = machine.next().sample();
            rows[i] = s.values();
            window.add(s);
        }
        TinyModel model = TinyModelFitter.fit(rows, TinyFitConfig.defaults(), "normal");
        TinyScorer scorer = model.scorer();
        int uncertain = 0, flagged = 0;
        for (int i = 0; i < n; i++) {
            window.add(machine.next().sample());
            double score = scorer.score(window);
            if (model.policy().decide(score) == Decision.UNCERTAIN) {
                uncertain++;
            }
            if (model.policy().edgeSaysAnomaly(score)) {
                flagged++;
            }
        }
        return new double[]{uncertain / (double) n, flagged / (double) n};
    }

    @Test
    void evalCommand_writesTheReportAndOnePlotPerDevice(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("eval.json");
        Path plots = dir.resolve("plots");
        int code = TandemCli.execute("eval", "--dataset", "sim", "--devices", "2", "--samples", "600", "--seed", "3",
                "--report", report.toString(), "--plots", plots.toString());
        assertEquals(0, code);
        JsonNode root = Wire.mapper().readTree(Files.readString(report));
        assertTrue(root.path("modes").has("collaborative"));
        assertEquals(3, Files.list(plots).filter(p -> p.toString().endsWith(".png")).count(), "2 devices and the summary");
        assertTrue(Files.exists(plots.resolve(dev.tandem.sim.eval.EvalPlots.SUMMARY_FILE)));
        assertEquals(2, TandemCli.execute("eval", "--dataset", "nope"));
        assertEquals(2, TandemCli.execute("eval", "--dataset", "sim", "--escalation-budget", "0.7"));
        assertEquals(2, TandemCli.execute("eval", "--dataset", "sim", "--context", "1"));
        assertEquals(2, TandemCli.execute("eval", "--dataset", "sim", "--rebaseline-samples", "50"));
    }

    @Test
    void evalCommand_fitOptions_reachTheModels(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("eval.json");
        int code = TandemCli.execute("eval", "--dataset", "sim", "--devices", "1", "--samples", "400", "--seed", "5",
                "--context", "20", "--escalation-budget", "0.1", "--no-level-shift", "--report", report.toString());
        assertEquals(0, code);
        JsonNode models = Wire.mapper().readTree(Files.readString(report)).path("models");
        assertEquals(20, models.path("largeContext").asInt());
        assertTrue(models.path("tinyFit").asText().contains("escalationBudget=0.1"), models.toString());
        assertTrue(models.path("tinyFit").asText().contains("levelShift=null"), models.toString());
    }
}
