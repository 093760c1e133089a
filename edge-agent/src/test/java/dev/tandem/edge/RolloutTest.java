package dev.tandem.edge;

import dev.tandem.edge.detect.WindowDecision;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.signing.ManifestSigner;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.signing.RawSigning;
import dev.tandem.shared.signing.RolloutRules;
import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.wire.ModelState.State;
import dev.tandem.shared.wire.ShadowReport;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Rollouts on the device, end to end on a real broker: a candidate in SHADOW beside the active model,
 * activated by its signed rules or rolled back, swapped without losing or repeating a window, watched
 * after activation and reverted (and pinned away) by the watchdog; restarts and reassignments.
 */
class RolloutTest extends AgentTestSupport {
    private static final RolloutRules.Band ANY = new RolloutRules.Band(0, 1);
    private static final String ROLLOUT = "r-42";

    private final TinyModel v1 = TestModels.standard("v1");

    /** A manifest of {@code m} with {@code rules} (null: outside a rollout), signed by the tests' hub key. */
    private ModelAssignment assign(TinyModel m, long generation, RolloutRules rules) {
        byte[] bytes = TinyModelCodec.encode(m);
        ModelManifest manifest = ModelManifest.of(site, device, Commissioning.DEFAULT_CLASS, generation,
                TinyModelCodec.manifest(m, bytes), null).withRules(rules);
        return ModelAssignment.of(site, device, new ManifestSigner(TestKeys.HUB).sign(manifest), bytes,
                TestModels.CONTEXT);
    }

    private static RolloutRules shadowOnly(long shadowMs, int minVerdicts, double minAgreement) {
        return new RolloutRules(ROLLOUT, shadowMs, minVerdicts, minAgreement, 0, 1, ANY, ANY);
    }

    /** The next model state in {@code wanted}, skipping the others (VERIFYING, SHADOW's periodic figures). */
    private ModelState next(Set<State> wanted) {
        long deadline = System.nanoTime() + TestHub.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ModelState s = hub.poll(topic(Kind.MODEL_STATE), ModelState.class, Duration.ofMillis(100));
            if (s != null && wanted.contains(s.state())) {
                return s;
            }
        }
        return fail("no model state in " + wanted + " within " + TestHub.WAIT);
    }

    private ModelState next(State wanted) {
        return next(EnumSet.of(wanted));
    }

    /** The next state that settles an assignment (anything but VERIFYING and SHADOW). */
    private ModelState outcome() {
        return next(EnumSet.of(State.ACTIVE, State.FAILED, State.ROLLED_BACK));
    }

    /** Sends normal readings until the device reports one of {@code wanted}; returns it (the samples sent: {@code sent[0]}). */
    private ModelState feedUntil(Set<State> wanted, double[] row, long[] sent) {
        long deadline = System.nanoTime() + TestHub.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            hub.readings(site, device, 4, 4, row);
            sent[0] += 4;
            ModelState s;
            while ((s = hub.poll(topic(Kind.MODEL_STATE), ModelState.class, Duration.ofMillis(20))) != null) {
                if (wanted.contains(s.state())) {
                    return s;
                }
            }
        }
        return fail("no model state in " + wanted + " within " + TestHub.WAIT);
    }

    private EdgeAgent withV1(EdgeConfig config) {
        hub.publish(topic(Kind.MODEL), assign(v1, 10, null), true);
        EdgeAgent agent = deploy(vertx, config);
        ModelState active = outcome();
        assertEquals(State.ACTIVE, active.state());
        assertEquals(10L, active.generation());
        assertNull(active.rollout(), "an assignment outside a rollout names none");
        return agent;
    }

    @Test
    void goodCandidate_shadowsThenGoesActive_andTheSwapNeitherLosesNorRepeatsAWindow(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE), topic(Kind.ALARMS), topic(Kind.ESCALATIONS));
        EdgeAgent agent = withV1(config().build());
        TinyModel v2 = TestModels.standard("v2");
        hub.publish(topic(Kind.MODEL), assign(v2, 11, shadowOnly(400, 1000, 0.9)), true);

        ModelState verifying = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        assertEquals(State.VERIFYING, verifying.state());
        assertEquals(11L, verifying.generation());
        assertEquals(ROLLOUT, verifying.rollout());
        ModelState shadow = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        assertEquals(State.SHADOW, shadow.state());
        assertEquals("v2", shadow.version());
        assertEquals(ROLLOUT, shadow.rollout());
        assertEquals(0, shadow.shadow().windows());
        assertEquals("v1", agent.modelVersion(device).orElseThrow(), "the candidate decides nothing in shadow");

        long[] sent = {0};
        ModelState active = feedUntil(EnumSet.of(State.ACTIVE, State.ROLLED_BACK), TestModels.row(v1, TestModels.NORMAL),
                sent);
        assertEquals(State.ACTIVE, active.state(), active.reason());
        assertEquals(11L, active.generation());
        assertEquals(ROLLOUT, active.rollout());
        ShadowReport figures = active.shadow();
        assertNotNull(figures);
        assertEquals(figures.windows(), figures.agreements(), "the same model agrees on every window");
        assertEquals("v2", agent.modelVersion(device).orElseThrow());

        hub.readings(site, device, 20, 5, TestModels.row(v1, TestModels.NORMAL));
        long samples = sent[0] + 20;
        long windows = samples - (TestModels.WINDOW - 1);
        waitUntil(() -> agent.windows(device) == windows, windows + " windows scored");
        Map<String, Long> byModel = agent.windowsByModel(device);
        long ofV1 = byModel.getOrDefault("v1", 0L);
        assertEquals(windows, ofV1 + byModel.get("v2"), "every window scored by exactly one model");
        assertEquals(figures.windows(), ofV1, "the candidate scored beside every window of v1");
        assertTrue(byModel.get("v2") >= 20, "v2 scores from the swap on");
        assertEquals(windows, agent.metrics().snapshot().windows());
        Set<Long> ids = decisions.stream().map(WindowDecision::windowId).collect(Collectors.toSet());
        assertEquals(windows, decisions.size(), "one decision per window");
        assertEquals(windows, ids.size(), "no window decided twice");
        assertEquals(windows - 1, ids.stream().mapToLong(Long::longValue).max().orElseThrow()
                - ids.stream().mapToLong(Long::longValue).min().orElseThrow(), "no window skipped");
        assertEquals(figures.windows(), agent.metrics().shadowWindows());
        assertEquals(0, hub.count(topic(Kind.ALARMS)));
    }

    @Test
    void shadowTimeOver_withTooFewWindows_shadowsOnUntilTheCandidateHasTheWindowsItIsJudgedOn(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        withV1(config().build());
        // 300 ms of shadow would judge the few dozen windows fed in it; the rules ask for 300
        RolloutRules rules = new RolloutRules(ROLLOUT, 300, 1000, 0.9, 0, 300, ANY, ANY);
        hub.publish(topic(Kind.MODEL), assign(TestModels.standard("v2"), 11, rules), true);
        long[] sent = {0};
        ModelState active = feedUntil(EnumSet.of(State.ACTIVE, State.ROLLED_BACK), TestModels.row(v1, TestModels.NORMAL),
                sent);
        assertEquals(State.ACTIVE, active.state(), active.reason());
        assertTrue(active.shadow().windows() >= 300, "judged on " + active.shadow().windows() + " windows");
    }

    @Test
    void candidateThatAlarmsOnEverything_isRolledBackInShadow_withoutOneAlarm(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE), topic(Kind.ALARMS), topic(Kind.ESCALATIONS));
        EdgeAgent agent = withV1(config().build());
        TinyModel broken = v1.withThresholdScale(0);
        // long enough for readings to reach it on a loaded machine (a shadow without a window agrees)
        ModelAssignment candidate = assign(broken, 11, shadowOnly(1_500, 1000, 0.9));
        hub.publish(topic(Kind.MODEL), candidate, true);
        assertEquals(0, next(State.SHADOW).shadow().windows());

        ModelState rolledBack = feedUntil(EnumSet.of(State.ACTIVE, State.ROLLED_BACK),
                TestModels.row(v1, TestModels.NORMAL), new long[1]);
        assertEquals(State.ROLLED_BACK, rolledBack.state());
        assertEquals(ErrorCode.SHADOW_WORSE, rolledBack.code());
        assertEquals(broken.version(), rolledBack.version());
        assertEquals(11L, rolledBack.generation());
        assertEquals(ROLLOUT, rolledBack.rollout());
        ShadowReport r = rolledBack.shadow();
        assertTrue(r.windows() > 0);
        assertEquals(r.windows(), r.candidateAnomalous(), "it called every window an anomaly");
        assertEquals(0, r.activeAnomalous());
        assertEquals(0, r.agreements());
        assertTrue(rolledBack.reason().contains("agreement"), rolledBack.reason());
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
        assertEquals(1, agent.metrics().errors(ErrorCode.SHADOW_WORSE));
        assertEquals(0, hub.count(topic(Kind.ALARMS)), "a candidate in shadow raises no alarm");
        assertEquals(0, hub.count(topic(Kind.ESCALATIONS)), "nor escalates");

        // the retained assignment again (a reconnection): not shadowed a second time
        hub.publish(topic(Kind.MODEL), candidate, true);
        hub.publish(topic(Kind.MODEL), assign(TestModels.standard("v3"), 12, null), true);
        ModelState after = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        assertEquals("v3", after.version(), "nothing was reported for the judged candidate");
        assertEquals(State.ACTIVE, outcome().state());
    }

    @Test
    void candidateWorseOnTheVerdicts_isRolledBack(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE), topic(Kind.ESCALATIONS));
        // the large model says anomaly on every escalation: v1 (edge threshold 2) says so of a score-4 window
        hub.answerEscalations(e -> new Verdict(Verdict.VERSION, e.id(), e.site(), e.device(), e.windowId(), true, 9.5,
                "hub-test", e.windowId(), System.currentTimeMillis()));
        EdgeAgent agent = withV1(config().verdictCover(0).build());
        TinyModel deaf = v1.withThresholdScale(100); // says normal of everything a hub would call anomalous
        hub.publish(topic(Kind.MODEL), assign(deaf, 11, shadowOnly(4_000, 3, 0.0)), true);
        next(State.SHADOW);

        hub.readings(site, device, 12, 1, TestModels.row(v1, TestModels.UNCERTAIN_HIGH));
        waitUntil(() -> agent.shadow(device).map(s -> s.verdicts() >= 3).orElse(true), "three verdicts in shadow");
        ModelState rolledBack = outcome();
        assertEquals(State.ROLLED_BACK, rolledBack.state());
        assertEquals(ErrorCode.SHADOW_WORSE, rolledBack.code());
        ShadowReport r = rolledBack.shadow();
        assertTrue(r.verdicts() >= 3, "judged on the verdicts: " + r);
        assertEquals(r.verdicts(), r.activeMatches());
        assertEquals(0, r.candidateMatches());
        assertTrue(rolledBack.reason().contains("verdicts"), rolledBack.reason());
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
        for (Escalation e : hub.all(topic(Kind.ESCALATIONS), Escalation.class)) {
            assertEquals("v1", e.modelVersion(), "only the active model escalates");
        }
    }

    @Test
    void watchdogTrip_revertsToThePreviousModel_andThePinSurvivesRestartAndResends(Vertx vertx, @TempDir Path state) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        EdgeAgent agent = withV1(config().stateDir(state).build());
        TinyModel broken = v1.withThresholdScale(0);
        RolloutRules rules = new RolloutRules(ROLLOUT, 0, 1000, 0.0, 60_000, 10, RolloutRules.Band.upTo(0.5), ANY);
        ModelAssignment bad = assign(broken, 11, rules);
        hub.publish(topic(Kind.MODEL), bad, true);
        ModelState active = outcome();
        assertEquals(State.ACTIVE, active.state(), "accepted in shadow (lenient rules)");
        assertEquals(broken.version(), agent.modelVersion(device).orElseThrow());

        ModelState tripped = feedUntil(EnumSet.of(State.ROLLED_BACK), TestModels.row(v1, TestModels.NORMAL), new long[1]);
        assertEquals(ErrorCode.WATCHDOG_TRIPPED, tripped.code());
        assertEquals(broken.version(), tripped.version(), "about the bad model");
        assertEquals(11L, tripped.generation());
        assertEquals(ROLLOUT, tripped.rollout());
        assertTrue(tripped.reason().contains("alarm rate"), tripped.reason());
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
        assertEquals(1, agent.metrics().errors(ErrorCode.WATCHDOG_TRIPPED));
        long windowsOfBad = agent.windowsByModel(device).get(broken.version());
        assertEquals(10, windowsOfBad, "tripped at the first window the rates were judged on");

        // the retained assignment again, and the bad version with a higher generation: pinned away
        hub.publish(topic(Kind.MODEL), bad, true);
        ModelState pinned = outcome();
        assertEquals(ErrorCode.MODEL_PINNED, pinned.code());
        assertEquals(11L, pinned.generation());
        hub.publish(topic(Kind.MODEL), assign(broken, 12, null), true);
        assertEquals(ErrorCode.MODEL_PINNED, outcome().code());
        assertEquals("v1", agent.modelVersion(device).orElseThrow());

        // a restart: the previous model runs again from the disk, the retained bad one stays refused
        TestHub.await(vertx.undeploy(agent.deploymentID()));
        EdgeAgent again = deploy(vertx, config().stateDir(state).build());
        assertEquals(ErrorCode.MODEL_PINNED, outcome().code());
        waitUntil(() -> again.modelVersion(device).isPresent(), "the kept model running");
        assertEquals("v1", again.modelVersion(device).orElseThrow());

        // the hub's rollback to v1 is taken silently; another version lifts the pin
        hub.publish(topic(Kind.MODEL), assign(v1, 13, null), true);
        TinyModel v3 = TestModels.standard("v3");
        hub.publish(topic(Kind.MODEL), assign(v3, 14, null), true);
        ModelState next = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        assertEquals("v3", next.version(), "nothing reported for v1 re-issued");
        assertEquals(State.ACTIVE, outcome().state());
        hub.publish(topic(Kind.MODEL), assign(broken, 15, null), true);
        assertEquals(State.ACTIVE, outcome().state(), "the pin is lifted once another model was taken");
        TestHub.await(vertx.undeploy(again.deploymentID()));
    }

    @Test
    void machineInARealFault_duringTheWatch_isNotTheNewModelsFault_whenThePreviousModelAlarmsAlike(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        EdgeAgent agent = withV1(config().build());
        TinyModel v2 = TestModels.standard("v2");
        RolloutRules rules = new RolloutRules(ROLLOUT, 0, 1000, 0.0, 60_000, 10, RolloutRules.Band.upTo(0.5), ANY);
        hub.publish(topic(Kind.MODEL), assign(v2, 11, rules), true);
        assertEquals(State.ACTIVE, outcome().state());
        assertEquals("v2", agent.modelVersion(device).orElseThrow());

        // every window anomalous, by the new model and by v1 beside it: the band is left, the watch holds
        aFaultBothModelsSee_leavesTheNewModel(agent);
    }

    /** 60 readings every window of which both v2 and v1 find anomalous: not rolled back, v2 stays. */
    private void aFaultBothModelsSee_leavesTheNewModel(EdgeAgent agent) {
        long before = agent.windows(device);
        hub.readings(site, device, 60, 4, TestModels.row(v1, 12.0));
        long expected = before + 60 - (TestModels.WINDOW - 1);
        waitUntil(() -> agent.windows(device) >= expected, expected + " anomalous windows scored");
        assertTrue(agent.windowsByModel(device).get("v2") >= 50, "judged many times over: " + agent.windowsByModel(device));
        ModelState s;
        while ((s = hub.poll(topic(Kind.MODEL_STATE), ModelState.class, Duration.ofMillis(300))) != null) {
            assertNotEquals(State.ROLLED_BACK, s.state(), "not rolled back for a fault both models see: " + s.reason());
        }
        assertEquals("v2", agent.modelVersion(device).orElseThrow(), "the new model stays");
        assertEquals(0, agent.metrics().errors(ErrorCode.WATCHDOG_TRIPPED));
    }

    @Test
    void restartDuringTheWatch_watchesOn_andRevertsToThePreviousModelFromDisk(Vertx vertx, @TempDir Path state) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        EdgeAgent agent = withV1(config().stateDir(state).build());
        TinyModel broken = v1.withThresholdScale(0);
        RolloutRules rules = new RolloutRules(ROLLOUT, 0, 1000, 0.0, 60_000, 10, RolloutRules.Band.upTo(0.5), ANY);
        hub.publish(topic(Kind.MODEL), assign(broken, 11, rules), true);
        assertEquals(State.ACTIVE, outcome().state());
        assertTrue(agent.watching(device));
        TestHub.await(vertx.undeploy(agent.deploymentID()));

        EdgeAgent again = deploy(vertx, config().stateDir(state).build());
        assertEquals(State.ACTIVE, outcome().state(), "the model it had activated, again");
        assertEquals(broken.version(), again.modelVersion(device).orElseThrow());
        assertTrue(again.watching(device), "the watch goes on after the restart");
        ModelState tripped = feedUntil(EnumSet.of(State.ROLLED_BACK), TestModels.row(v1, TestModels.NORMAL), new long[1]);
        assertEquals(ErrorCode.WATCHDOG_TRIPPED, tripped.code());
        assertEquals(11L, tripped.generation());
        assertEquals("v1", again.modelVersion(device).orElseThrow(), "the previous model, from the disk");
        TestHub.await(vertx.undeploy(again.deploymentID()));
    }

    @Test
    void restartDuringTheWatch_keepsItsReference_soARealFaultIsStillNotTheNewModelsFault(Vertx vertx,
                                                                                       @TempDir Path state) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        EdgeAgent agent = withV1(config().stateDir(state).build());
        TinyModel v2 = TestModels.standard("v2");
        RolloutRules rules = new RolloutRules(ROLLOUT, 0, 1000, 0.0, 60_000, 10, RolloutRules.Band.upTo(0.5), ANY);
        hub.publish(topic(Kind.MODEL), assign(v2, 11, rules), true);
        assertEquals(State.ACTIVE, outcome().state());
        TestHub.await(vertx.undeploy(agent.deploymentID()));

        EdgeAgent again = deploy(vertx, config().stateDir(state).build());
        assertEquals(State.ACTIVE, outcome().state());
        assertEquals("v2", again.modelVersion(device).orElseThrow());
        assertTrue(again.watching(device), "the watch goes on after the restart");
        // every window anomalous, by v2 and by v1 (from the disk) beside it: the band is left, the watch holds
        aFaultBothModelsSee_leavesTheNewModel(again);
        TestHub.await(vertx.undeploy(again.deploymentID()));
    }

    @Test
    void watchOver_withoutATrip_keepsTheNewModel_whateverItDoesAfterwards(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        EdgeAgent agent = withV1(config().build());
        TinyModel v2 = TestModels.standard("v2");
        RolloutRules rules = new RolloutRules(ROLLOUT, 0, 1000, 0.0, 300, 5, RolloutRules.Band.upTo(0.5), ANY);
        hub.publish(topic(Kind.MODEL), assign(v2, 11, rules), true);
        assertEquals(State.ACTIVE, outcome().state());
        assertTrue(agent.watching(device));
        hub.readings(site, device, 12, 4, TestModels.row(v1, TestModels.NORMAL));
        waitUntil(() -> agent.windows(device) == 9, "9 windows");
        waitUntil(() -> !agent.watching(device), "the watch over");

        hub.readings(site, device, 12, 4, TestModels.row(v1, TestModels.ANOMALY)); // an alarm rate of 1 now
        waitUntil(() -> agent.windows(device) == 21, "21 windows");
        assertEquals("v2", agent.modelVersion(device).orElseThrow());
        assertEquals(0, agent.metrics().errors(ErrorCode.WATCHDOG_TRIPPED));
    }

    @Test
    void runningVersionReassignedDuringShadow_dropsTheCandidate(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        EdgeAgent agent = withV1(config().build());
        hub.publish(topic(Kind.MODEL), assign(TestModels.standard("v2"), 11, shadowOnly(60_000, 1000, 0.9)), true);
        next(State.SHADOW);
        assertTrue(agent.shadow(device).isPresent());

        hub.publish(topic(Kind.MODEL), assign(v1, 12, null), true);
        ModelState dropped = outcome();
        assertEquals(State.ROLLED_BACK, dropped.state());
        assertEquals("v2", dropped.version());
        assertEquals(11L, dropped.generation(), "about the candidate's manifest");
        assertEquals(ROLLOUT, dropped.rollout());
        assertNull(dropped.code());
        assertTrue(dropped.reason().startsWith("reassigned by the hub"), dropped.reason());
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
        assertTrue(agent.shadow(device).isEmpty());
    }

    @Test
    void restartDuringShadow_runsTheKeptModel_andShadowsTheRetainedCandidateAgain(Vertx vertx, @TempDir Path state) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        EdgeAgent agent = withV1(config().stateDir(state).build());
        TinyModel v2 = TestModels.standard("v2");
        hub.publish(topic(Kind.MODEL), assign(v2, 11, shadowOnly(60_000, 1000, 0.9)), true);
        next(State.SHADOW);
        TestHub.await(vertx.undeploy(agent.deploymentID()));

        EdgeAgent again = deploy(vertx, config().stateDir(state).build());
        ModelState shadow = next(EnumSet.of(State.SHADOW, State.ACTIVE, State.FAILED, State.ROLLED_BACK));
        assertEquals(State.SHADOW, shadow.state(), String.valueOf(shadow.reason()));
        assertEquals(11L, shadow.generation());
        assertEquals("v1", again.modelVersion(device).orElseThrow(), "restarted on its active model");
        assertTrue(again.shadow(device).isPresent());

        // the hub re-issues the candidate with a shadow that ends at once
        hub.publish(topic(Kind.MODEL), assign(v2, 12, shadowOnly(0, 1000, 0.0)), true);
        ModelState superseded = outcome();
        assertEquals(State.ROLLED_BACK, superseded.state());
        assertEquals(11L, superseded.generation());
        ModelState active = outcome();
        assertEquals(State.ACTIVE, active.state());
        assertEquals(12L, active.generation());
        assertEquals("v2", again.modelVersion(device).orElseThrow());
        TestHub.await(vertx.undeploy(again.deploymentID()));
    }

    @Test
    void deviceWithoutAModel_activatesAtOnce_evenInARollout(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        hub.publish(topic(Kind.MODEL), assign(v1, 10, shadowOnly(60_000, 1000, 0.9)), true);
        EdgeAgent agent = deploy(vertx, config().build());
        assertEquals(State.VERIFYING, hub.next(topic(Kind.MODEL_STATE), ModelState.class).state());
        ModelState active = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        assertEquals(State.ACTIVE, active.state());
        assertEquals(ROLLOUT, active.rollout());
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
    }

    @Test
    void signedRulesOutOfRange_andAnotherClass_areRefused_andTheModelKeepsRunning(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        EdgeAgent agent = withV1(config().build());
        TinyModel v2 = TestModels.standard("v2");
        byte[] bytes = TinyModelCodec.encode(v2);
        ModelManifest m = ModelManifest.of(site, device, Commissioning.DEFAULT_CLASS, 11,
                TinyModelCodec.manifest(v2, bytes), null).withRules(shadowOnly(1000, 3, 0.5));
        String json = new String(Wire.encode(m), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"minAgreement\":0.5"), json);
        byte[] outOfRange = json.replace("\"minAgreement\":0.5", "\"minAgreement\":1.5").getBytes(StandardCharsets.UTF_8);
        hub.publish(topic(Kind.MODEL), ModelAssignment.of(site, device, RawSigning.manifest(TestKeys.HUB, outOfRange),
                bytes, TestModels.CONTEXT), true);
        ModelState refused = outcome();
        assertEquals(State.FAILED, refused.state());
        assertEquals(ErrorCode.INVALID_FIELD, refused.code());
        assertTrue(refused.reason().contains("minAgreement"), refused.reason());

        ModelManifest otherClass = ModelManifest.of(site, device, "x86", 12, TinyModelCodec.manifest(v2, bytes), null)
                .withRules(shadowOnly(1000, 3, 0.5));
        hub.publish(topic(Kind.MODEL), ModelAssignment.of(site, device, new ManifestSigner(TestKeys.HUB).sign(otherClass),
                bytes, TestModels.CONTEXT), true);
        assertEquals(ErrorCode.MANIFEST_MISMATCH, outcome().code());

        assertEquals(1, agent.metrics().errors(ErrorCode.INVALID_FIELD));
        assertEquals(1, agent.metrics().errors(ErrorCode.MANIFEST_MISMATCH));
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
        assertFalse(agent.shadow(device).isPresent());
        hub.readings(site, device, 4, 4, TestModels.row(v1, TestModels.NORMAL));
        waitUntil(() -> agent.windows(device) == 1, "v1 still scoring");
    }
}
