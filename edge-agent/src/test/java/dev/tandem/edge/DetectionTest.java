package dev.tandem.edge;

import dev.tandem.edge.detect.WindowDecision;
import dev.tandem.shared.policy.Decision;
import dev.tandem.shared.tiny.LevelShift;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetectionTest extends AgentTestSupport {
    private final TinyModel model = TestModels.standard("v1");

    /** A detecting agent whose window already holds 20 normal samples (seq 0..19), all decided NORMAL. */
    private EdgeAgent detecting(Vertx vertx, EdgeConfig config) {
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
        EdgeAgent agent = deploy(vertx, config);
        TestHub.await(agent.modelsLoaded());
        hub.readings(site, device, 20, 10, TestModels.row(model, TestModels.NORMAL));
        waitUntil(() -> decided() == 17, "windows 4..20 decided");
        assertTrue(decisions.stream().allMatch(d -> d.edgeDecision() == Decision.NORMAL && !d.finalAnomaly()));
        decisions.clear();
        return agent;
    }

    private static Verdict verdict(Escalation e, boolean anomaly, long heldThroughSeq) {
        return new Verdict(Verdict.VERSION, e.id(), e.site(), e.device(), e.windowId(), anomaly, anomaly ? 9.5 : 0.1,
                "hub-test", heldThroughSeq, System.currentTimeMillis());
    }

    @Test
    void levelShiftStage_raisesTheAlarm_andHoldsItUntilTheLevelComesBack(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.ALARMS), topic(Kind.ESCALATIONS));
        // the window statistic scaled out of the way (scoreScale 1e6): only the level-shift stage speaks
        TinyModel base = TestModels.standard("ls");
        LevelShift stage = new LevelShift(0.2, 0.02, base.center(), base.scale(), new double[]{0.3, 0.3},
                new double[]{1, 1}, 1.0);
        TinyModel shifting = new TinyModel(TinyModel.FORMAT, "ls", 2, TestModels.WINDOW, base.features(), base.center(),
                base.scale(), base.components(), base.eigenvalues(), base.t2Limit(), base.qLimit(), 1e6, 0,
                TestModels.POLICY, stage);
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, shifting), true);
        EdgeAgent agent = deploy(vertx, config().build());
        TestHub.await(agent.modelsLoaded());
        double[] normal = TestModels.row(shifting, TestModels.NORMAL);
        double[] low = {normal[0], normal[1] - 3 * 2}; // channel 1 three spreads down, for good
        hub.readings(site, device, 20, 10, normal);
        waitUntil(() -> decided() == 17, "windows 4..20 decided");
        assertTrue(decisions.stream().noneMatch(WindowDecision::finalAnomaly));
        decisions.clear();

        hub.readings(site, device, 200, 10, low);
        waitUntil(() -> decided() == 200, "200 shifted windows decided");
        Alarm onset = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals(Alarm.Phase.ONSET, onset.phase());
        assertEquals(Alarm.Source.EDGE, onset.source());
        assertEquals(List.of(1), onset.channels(), "channel 1 moved");
        long flagged = decisions.stream().filter(WindowDecision::finalAnomaly).count();
        assertTrue(flagged >= 195, "held through the shift (the reference holds during the alarm): " + flagged);
        assertTrue(lastDecision().finalAnomaly(), "still flagged after 200 samples at the new level");
        decisions.clear();

        hub.readings(site, device, 50, 10, normal);
        waitUntil(() -> decided() == 50, "50 windows back at the old level decided");
        assertFalse(lastDecision().finalAnomaly(), "the level came back: normal again");
        Alarm a;
        do {
            a = hub.next(topic(Kind.ALARMS), Alarm.class);
            assertEquals(onset.episode(), a.episode(), "one episode: raised once, held, not raised again");
        } while (a.phase() == Alarm.Phase.UPDATE);
        assertEquals(Alarm.Phase.CLEAR, a.phase(), "cleared after 20 normal windows");
        assertTrue(a.windows() >= 195, "the anomalous windows of the episode: " + a.windows());
        assertNull(hub.poll(topic(Kind.ALARMS), Alarm.class, Duration.ofMillis(200)));
        assertEquals(1, agent.metrics().snapshot().onsets());
        assertEquals(1, agent.metrics().snapshot().clears());
        long escalated = agent.metrics().snapshot().escalations();
        assertTrue(escalated > 0 && escalated < 25, "only the ramps into and out of the shift are uncertain: " + escalated);
    }

    @Test
    void anomaly_raisesEdgeAlarmAtOnce_withoutEscalation(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.ALARMS), topic(Kind.ESCALATIONS));
        EdgeAgent agent = detecting(vertx, config().build());

        long seq = hub.readings(site, device, TestModels.row(model, TestModels.ANOMALY));
        Alarm alarm = hub.next(topic(Kind.ALARMS), Alarm.class);

        assertEquals(Alarm.Phase.ONSET, alarm.phase());
        assertEquals(Alarm.Source.EDGE, alarm.source());
        assertEquals(seq, alarm.windowId());
        assertEquals(alarm.ts(), alarm.onsetTs());
        assertEquals(0, alarm.heldMillis());
        assertEquals(1, alarm.windows());
        assertEquals(16.0, alarm.score(), 1e-9);
        assertEquals("v1", alarm.modelVersion());
        waitUntil(() -> decided() == 1, "the decision");
        WindowDecision d = lastDecision();
        assertEquals(Decision.ANOMALY, d.edgeDecision());
        assertTrue(d.finalAnomaly());
        assertEquals(Alarm.Source.EDGE, d.decidedBy());
        assertFalse(d.escalated());
        assertEquals(0, agent.metrics().snapshot().escalations());
        assertEquals(0, hub.count(topic(Kind.ESCALATIONS)));
    }

    @Test
    void readingsThatNameTheirChannels_nameTheAlarmsChannels_andThoseThatDoNotLeaveTheNamesAsTheyWere(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.ALARMS));
        detecting(vertx, config().build());
        double[] anomaly = TestModels.row(model, TestModels.ANOMALY);
        List<String> names = new java.util.ArrayList<>();
        for (int c = 0; c < anomaly.length; c++) {
            names.add("sensor-" + c);
        }
        hub.namedReadings(site, device, names, anomaly);
        Alarm onset = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals(Alarm.Phase.ONSET, onset.phase());
        assertFalse(onset.channels().isEmpty(), "the channels that drove it");
        assertEquals(onset.channels().stream().map(c -> "sensor-" + c).toList(), onset.channelNames());
    }

    @Test
    void uncertainWindow_escalates_andHubVerdictDecides(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.ALARMS), topic(Kind.ESCALATIONS));
        // the hub disagrees with the edge's own call, both ways
        hub.answerEscalations(e -> verdict(e, e.edgeScore() < 2.0, e.windowId()));
        EdgeAgent agent = detecting(vertx, config().verdictCover(0).build());

        long seq = hub.readings(site, device, TestModels.row(model, TestModels.UNCERTAIN_LOW));
        Escalation e = hub.next(topic(Kind.ESCALATIONS), Escalation.class);
        assertEquals(seq, e.windowId());
        assertEquals(TestModels.WINDOW, e.windowSize());
        assertEquals(TestModels.CONTEXT, e.contextSize());
        assertEquals("v1", e.modelVersion());
        assertEquals(1.44, e.edgeScore(), 1e-9);
        assertEquals(TestModels.CONTEXT, e.samples().size(), "first escalation: the whole context");
        assertEquals(seq, e.samples().get(e.samples().size() - 1).seq());
        assertTrue(e.id().startsWith(device + "-" + seq + "-"));

        Alarm alarm = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals(Alarm.Phase.ONSET, alarm.phase());
        assertEquals(Alarm.Source.HUB, alarm.source());
        assertEquals(seq, alarm.windowId());
        assertEquals(9.5, alarm.score(), 1e-9);
        waitUntil(() -> decided() == 1, "the decision");
        WindowDecision d = lastDecision();
        assertEquals(Decision.UNCERTAIN, d.edgeDecision());
        assertFalse(d.edgeSaysAnomaly());
        assertTrue(d.finalAnomaly());
        assertEquals(Alarm.Source.HUB, d.decidedBy());
        assertTrue(d.escalated());
        assertFalse(d.verdictTimedOut());

        // edge says anomaly, hub says normal: a normal window (the episode holds through one normal window)
        hub.readings(site, device, TestModels.row(model, TestModels.UNCERTAIN_HIGH));
        waitUntil(() -> decided() == 2, "the second decision");
        d = lastDecision();
        assertTrue(d.edgeSaysAnomaly());
        assertFalse(d.finalAnomaly());
        assertNull(d.decidedBy());
        assertNull(hub.poll(topic(Kind.ALARMS), Alarm.class, Duration.ofMillis(200)));
        var s = agent.metrics().snapshot();
        assertEquals(2, s.escalations());
        assertEquals(2, s.verdicts());
        assertEquals(0, s.verdictTimeouts());
        assertEquals(1, s.anomalousWindows(Alarm.Source.HUB));
        assertEquals(1, s.anomalousWindows());
        assertEquals(1, s.onsets());
        assertEquals(0, s.clears());
    }

    @Test
    void escalation_whenVerdictTimesOut_keepsEdgeDecision(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.ALARMS), topic(Kind.ESCALATIONS));
        EdgeAgent agent = detecting(vertx, config().verdictTimeout(Duration.ofMillis(300)).build());

        long seq = hub.readings(site, device, TestModels.row(model, TestModels.UNCERTAIN_HIGH));
        Escalation e = hub.next(topic(Kind.ESCALATIONS), Escalation.class);
        Alarm alarm = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals(Alarm.Phase.ONSET, alarm.phase());
        assertEquals(Alarm.Source.EDGE_TIMEOUT, alarm.source());
        assertEquals(seq, alarm.windowId());
        waitUntil(() -> decided() == 1, "the decision");
        WindowDecision d = lastDecision();
        assertTrue(d.verdictTimedOut());
        assertTrue(d.finalAnomaly());
        assertEquals(Alarm.Source.EDGE_TIMEOUT, d.decidedBy());

        // an uncertain window the edge calls normal: times out, stays normal, no alarm
        hub.readings(site, device, TestModels.row(model, TestModels.UNCERTAIN_LOW));
        waitUntil(() -> decided() == 2, "the second decision");
        assertTrue(lastDecision().verdictTimedOut());
        assertFalse(lastDecision().finalAnomaly());
        assertEquals(2, agent.metrics().snapshot().verdictTimeouts());

        // the verdict arrives too late: counted, ignored
        hub.publish(topic(Kind.VERDICTS), verdict(e, false, e.windowId()), false);
        waitUntil(() -> agent.metrics().snapshot().lateVerdicts() == 1, "late verdict counted");
        // a verdict for an id this agent never sent
        Verdict stray = new Verdict(Verdict.VERSION, "no-such-id", site, device, 3, true, 5, "hub-test", -1, 0);
        hub.publish(topic(Kind.VERDICTS), stray, false);
        waitUntil(() -> agent.metrics().snapshot().unknownVerdicts() == 1, "unknown verdict counted");

        assertNull(hub.poll(topic(Kind.ALARMS), Alarm.class, Duration.ofMillis(200)), "no alarm from the late verdict");
        assertEquals(2, decided(), "a decision is made once per window");
        var s = agent.metrics().snapshot();
        assertEquals(0, s.verdicts());
        assertEquals(1, s.anomalousWindows(Alarm.Source.EDGE_TIMEOUT));
        assertEquals(1, s.onsets());
    }

    @Test
    void escalation_afterVerdict_carriesOnlySamplesAfterHeldThroughSeq(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.ESCALATIONS));
        hub.answerEscalations(e -> verdict(e, false, e.windowId()));
        EdgeAgent agent = detecting(vertx, config().build());

        long first = hub.readings(site, device, TestModels.row(model, TestModels.UNCERTAIN_LOW));
        Escalation e1 = hub.next(topic(Kind.ESCALATIONS), Escalation.class);
        assertEquals(TestModels.CONTEXT, e1.samples().size());
        waitUntil(() -> agent.metrics().snapshot().verdicts() == 1, "the first verdict");

        hub.readings(site, device, 3, 3, TestModels.row(model, TestModels.NORMAL));
        long second = hub.readings(site, device, TestModels.row(model, TestModels.UNCERTAIN_LOW));
        Escalation e2 = hub.next(topic(Kind.ESCALATIONS), Escalation.class);

        List<Long> seqs = e2.samples().stream().map(Sample::seq).toList();
        assertEquals(List.of(first + 1, first + 2, first + 3, second), seqs, "only what the hub does not hold");
        assertEquals(second, e2.windowId());
        assertEquals(TestModels.CONTEXT, e2.contextSize());
    }

    @Test
    void uncertainWindows_overlappingAJudgedOne_takeItsVerdict_withoutNewEscalations(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.ESCALATIONS), topic(Kind.ALARMS));
        hub.answerEscalations(e -> verdict(e, true, e.windowId()));
        EdgeAgent agent = detecting(vertx, config().build()); // default cover: WINDOW - 1 = 3 windows

        long first = hub.readings(site, device, TestModels.row(model, TestModels.UNCERTAIN_LOW));
        hub.next(topic(Kind.ESCALATIONS), Escalation.class);
        waitUntil(() -> agent.metrics().snapshot().verdicts() == 1, "the first verdict");

        // the next three uncertain windows overlap the judged one: the hub's verdict stands for them
        hub.readings(site, device, 3, 3, TestModels.row(model, TestModels.UNCERTAIN_LOW));
        waitUntil(() -> decided() == 4, "three covered decisions");
        WindowDecision d = lastDecision();
        assertEquals(first + 3, d.windowId());
        assertTrue(d.finalAnomaly());
        assertEquals(Alarm.Source.HUB, d.decidedBy());
        assertFalse(d.escalated());
        assertEquals(1, agent.metrics().snapshot().escalations());

        // the fourth no longer overlaps: a new escalation, carrying the samples in between
        long fourth = hub.readings(site, device, TestModels.row(model, TestModels.UNCERTAIN_LOW));
        Escalation e2 = hub.next(topic(Kind.ESCALATIONS), Escalation.class);
        assertEquals(fourth, e2.windowId());
        assertEquals(List.of(first + 1, first + 2, first + 3, fourth), e2.samples().stream().map(Sample::seq).toList());
        waitUntil(() -> agent.metrics().snapshot().anomalousWindows(Alarm.Source.HUB) == 5,
                "the hub decided five windows anomalous");
        Alarm onset = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals(Alarm.Phase.ONSET, onset.phase());
        assertEquals(first, onset.windowId());
        assertNull(hub.poll(topic(Kind.ALARMS), Alarm.class, Duration.ofMillis(200)), "one onset, not one per window");
        assertEquals(1, agent.metrics().snapshot().onsets());
    }

    @Test
    void status_isRepublishedEveryInterval_withTheDevicesCounts(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.STATUS));
        detecting(vertx, config().statusInterval(Duration.ofMillis(100)).build());
        hub.readings(site, device, TestModels.row(model, TestModels.ANOMALY));
        DeviceStatus st;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        do {
            st = hub.next(topic(Kind.STATUS), DeviceStatus.class);
        } while (st.onsets() < 1 && System.nanoTime() < deadline);
        assertEquals(DeviceStatus.State.DETECTING, st.state());
        assertEquals("v1", st.modelVersion());
        assertEquals(18, st.windows());
        assertEquals(1, st.onsets());
        assertEquals(0, st.clears());
        assertTrue(st.episode() != null && st.episode().startsWith("e"), "the episode holding: " + st.episode());
        assertEquals(0, st.escalations());
        // and again, without anything happening
        assertEquals(18, hub.next(topic(Kind.STATUS), DeviceStatus.class).windows());
    }

    @Test
    void hotSwap_toNewVersion_keepsTheWindow_andUsesTheNewModel(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.ALARMS), topic(Kind.MODEL_STATE));
        EdgeAgent agent = detecting(vertx, config().build());
        // v2 is centred where v1 sees an anomaly
        TinyModel v2 = TestModels.model("v2", TestModels.row(model, TestModels.ANOMALY), new double[]{1, 2});
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, v2), true);
        waitUntil(() -> agent.modelVersion(device).orElseThrow().equals("v2"), "v2 active");

        hub.readings(site, device, TestModels.row(model, TestModels.ANOMALY));
        waitUntil(() -> decided() == 1, "the first v2 window, scored without refilling the window");
        assertEquals(Decision.NORMAL, lastDecision().edgeDecision());
        assertNull(hub.poll(topic(Kind.ALARMS), Alarm.class, Duration.ofMillis(200)));
    }

    @Test
    void newModel_whileAnEpisodeHolds_endsItRebaselined_andDetectionStartsOver(Vertx vertx) {
        hub(vertx).subscribe(topic(Kind.ALARMS));
        EdgeAgent agent = detecting(vertx, config().build());
        double[] shifted = TestModels.row(model, TestModels.ANOMALY);
        hub.readings(site, device, 5, 5, shifted);
        Alarm onset = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals(Alarm.Phase.ONSET, onset.phase());

        // the hub's model of the new normal (centred on the shifted level)
        TinyModel v2 = TestModels.model("v2", shifted, new double[]{1, 2});
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, v2), true);
        Alarm end = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals(Alarm.Phase.REBASELINED, end.phase());
        assertEquals(onset.episode(), end.episode());
        assertEquals("v2", end.modelVersion());
        assertEquals(5, end.windows());

        hub.readings(site, device, 30, 10, shifted);
        waitUntil(() -> decided() == 35, "30 windows at the new normal");
        assertFalse(lastDecision().finalAnomaly(), "the new level is normal to the new model");
        assertNull(hub.poll(topic(Kind.ALARMS), Alarm.class, Duration.ofMillis(200)));
        var s = agent.metrics().snapshot();
        assertEquals(1, s.onsets());
        assertEquals(1, s.rebaselines());
        assertEquals(0, s.clears());
    }
}
