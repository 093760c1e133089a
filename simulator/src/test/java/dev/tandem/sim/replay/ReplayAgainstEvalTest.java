package dev.tandem.sim.replay;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.edge.EdgeConfig;
import dev.tandem.edge.alarm.AlarmSettings;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.sim.eval.CascadeEvaluation;
import dev.tandem.sim.eval.nab.NabDataset;
import dev.tandem.sim.eval.nab.NabEvaluation;
import dev.tandem.sim.eval.nab.NabFile;
import dev.tandem.sim.eval.nab.NabProfile;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.score.AlarmLine;
import dev.tandem.sim.score.AlarmScorer;
import dev.tandem.sim.score.JsonLines;
import dev.tandem.sim.score.NabHook;
import dev.tandem.sim.score.NabTruthScore;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's comparison on a small synthetic NAB-format corpus (the replay scenario's checked-in
 * files, generated: {@code scenarios/replay/}): {@code sim replay --format nab --speed max} through a
 * real broker (mosquitto), hub and one edge agent per device (commissioned on NAB's probationary rows),
 * its alarms scored by {@code ./tandem score}'s NAB scorer, against {@code eval --dataset nab --onsets
 * alarms} on the same files: the same rows judged, the same windows scored, the NAB score within the
 * README's tolerance.
 */
class ReplayAgainstEvalTest {
    /**
     * The README's tolerance at --speed max: one scored window's worth of the normalised standard score
     * ({@code 100 / W} points of W windows, what one window found or missed moves it at most), and the
     * windows detected within one.
     */
    static double tolerance(int windows) {
        return 100.0 / windows;
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void nabReplayThroughBrokerHubAndEdge_scoresAsTheEvaluationDoes(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("nab");
        copy("scenarios/replay/traffic/speed_a.csv", root.resolve("data/traffic/speed_a.csv"));
        copy("scenarios/replay/traffic/speed_b.csv", root.resolve("data/traffic/speed_b.csv"));
        copy("scenarios/replay/labels.json", root.resolve(NabDataset.LABELS));

        NabDataset data = NabDataset.load(root);
        assertTrue(data.problems().isEmpty(), data.problems().toString());
        NabEvaluation.Result eval = NabEvaluation.run(data, FitSettings.defaults(), AlarmSettings.defaults(),
                NabEvaluation.Onsets.ALARMS, CascadeEvaluation.Progress.NONE);
        double evalStandard = eval.totals().get(CascadeEvaluation.Mode.COLLABORATIVE).get(NabProfile.STANDARD).normalised();
        int evalWindows = eval.totals().get(CascadeEvaluation.Mode.COLLABORATIVE).get(NabProfile.STANDARD).windows();

        ReplayPlan plan = ReplayPlan.loadNab(root.resolve("data"), root.resolve(NabDataset.LABELS), 0);
        for (NabFile f : data.files()) {
            assertEquals(f.probationaryRows(), plan.commissioning(f.deviceId()), "commissioning of " + f.deviceId());
        }
        Path truthFile = dir.resolve("truth.jsonl");
        Path alarmsFile = dir.resolve("alarms.jsonl");
        List<EdgeAgent> agents = new ArrayList<>();
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub hub = CloudHub.start(HubConfig.builder(broker.address()).instanceId("replay-hub").site("plant").build())) {
            Vertx vertx = Vertx.vertx();
            try {
                for (String device : plan.deviceIds()) {
                    EdgeAgent agent = new EdgeAgent(EdgeConfig.builder(broker.address(), "plant", List.of(device))
                            .clientId("edge-plant-" + device).login(BrokerLogin.none()).hubKey(hub.publicKey())
                            .stateDir(dir.resolve("edge").resolve(device))
                            .commissioningSamples(plan.commissioning(device)).build());
                    vertx.deployVerticle(agent).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                    agent.ready().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                    agents.add(agent);
                }
                ReplayRun.Report r = new ReplayRun(plan, new ReplayRun.Options(broker.address(), null, "plant",
                        Double.POSITIVE_INFINITY, truthFile, alarmsFile, Duration.ofSeconds(150), Duration.ofSeconds(5),
                        Duration.ofSeconds(120)), System.out).run();
                assertTrue(r.completed(), r.toString());
                assertEquals(1800, r.published());
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            }
        }
        List<TruthEvent> truth = JsonLines.read(truthFile, TruthEvent.class).values();
        List<AlarmLine> alarms = JsonLines.read(alarmsFile, AlarmLine::parse).values();
        AlarmScorer.Report score = AlarmScorer.score(truth, alarms, AlarmScorer.DEFAULT_TOLERANCE, NabTruthScore.SCORER);
        NabHook.Score nab = score.nabScores();
        assertNotNull(nab, score.nabNote());
        assertEquals("rows", nab.rowsFrom(), "every alarm on the row it is about (its windowId)");
        assertEquals(evalWindows, nab.windows(), "the same windows scored");
        for (NabFile f : data.files()) {
            TruthEvent observed = truth.stream().filter(t -> t.isObserved() && t.device().equals(f.deviceId())).findFirst()
                    .orElseThrow();
            assertEquals(f.probationaryRows(), observed.firstRow(), "the same rows judged: " + f.deviceId());
            assertEquals(f.rows() - 1, observed.lastRow());
        }
        System.out.printf("replay vs eval (synthetic NAB): live standard %.1f (onsets %d, windows %d/%d), eval collaborative %.1f%n",
                nab.standard(), nab.onsets(), nab.detectedWindows(), nab.windows(), evalStandard);
        assertEquals(evalStandard, nab.standard(), tolerance(nab.windows()), "the NAB standard score of the live replay and of eval");
        int evalDetected = eval.files().stream().mapToInt(f -> f.scores().get(CascadeEvaluation.Mode.COLLABORATIVE)
                .get(NabProfile.STANDARD).detectedWindows()).sum();
        assertTrue(Math.abs(evalDetected - nab.detectedWindows()) <= 1, "windows detected: live " + nab.detectedWindows()
                + ", eval " + evalDetected);
    }

    private static void copy(String resource, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        try (InputStream in = ReplayAgainstEvalTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            Files.copy(in, to);
        }
    }
}
