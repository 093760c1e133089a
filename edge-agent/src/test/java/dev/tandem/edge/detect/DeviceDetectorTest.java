package dev.tandem.edge.detect;

import dev.tandem.edge.EdgeMetrics;
import dev.tandem.edge.TestModels;
import dev.tandem.shared.policy.Decision;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The detector alone, on a manual clock: no broker, no Vert.x, no sleeping. */
class DeviceDetectorTest {
    private static final long TIMEOUT = 2_000;
    private final TinyModel model = TestModels.standard("v1");
    private final ManualTimers timers = new ManualTimers();
    private final List<Alarm> alarms = new ArrayList<>();
    private final List<Escalation> escalations = new ArrayList<>();
    private final List<WindowDecision> decisions = new ArrayList<>();
    private final EdgeMetrics metrics = new EdgeMetrics("detector-test");
    private DeviceDetector detector;
    private long seq;

    @BeforeEach
    void detecting() {
        detector = new DeviceDetector(timers, "s", "d", TIMEOUT, metrics, new DeviceDetector.Output() {
            @Override
            public void alarm(Alarm alarm) {
                alarms.add(alarm);
            }

            @Override
            public void escalate(Escalation escalation) {
                escalations.add(escalation);
            }

            @Override
            public void decided(WindowDecision decision) {
                decisions.add(decision);
            }
        });
        detector.coverUncertainWindows(0);
        detector.install(model, TestModels.CONTEXT);
        for (int i = 0; i < TestModels.WINDOW; i++) {
            sample(TestModels.NORMAL);
        }
        decisions.clear();
    }

    private long sample(double z) {
        long s = seq++;
        assertTrue(detector.add(new Sample(s, 1_000 * s, TestModels.row(model, z))));
        detector.scoreNewest();
        return s;
    }

    @Test
    void uncertainWindow_whenNoVerdictBeforeTheTimeout_keepsTheEdgesCall() {
        long s = sample(TestModels.UNCERTAIN_HIGH);
        assertEquals(1, escalations.size());
        assertEquals(List.of(), decisions, "undecided while the verdict may come");

        timers.advance(TIMEOUT - 1);
        assertEquals(List.of(), decisions);
        timers.advance(1);

        WindowDecision d = decisions.get(0);
        assertEquals(s, d.windowId());
        assertEquals(Decision.UNCERTAIN, d.edgeDecision());
        assertTrue(d.verdictTimedOut());
        assertTrue(d.escalated());
        assertTrue(d.finalAnomaly());
        assertEquals(Alarm.Source.EDGE_TIMEOUT, d.decidedBy());
        assertEquals(Alarm.Source.EDGE_TIMEOUT, alarms.get(0).source());
        assertEquals(Alarm.Phase.ONSET, alarms.get(0).phase());
        assertEquals(1, metrics.snapshot().verdictTimeouts());
        assertEquals(0, detector.pendingEscalations());

        // the verdict after its timeout changes nothing
        Escalation e = escalations.get(0);
        assertEquals(DeviceDetector.VerdictOutcome.LATE, detector.onVerdict(verdict(e, false)));
        assertEquals(1, decisions.size());
    }

    @Test
    void uncertainWindow_theEdgeCallsNormal_timesOutWithoutAlarm() {
        sample(TestModels.UNCERTAIN_LOW);
        timers.advance(TIMEOUT);
        WindowDecision d = decisions.get(0);
        assertTrue(d.verdictTimedOut());
        assertFalse(d.finalAnomaly());
        assertNull(d.decidedBy());
        assertEquals(List.of(), alarms);
    }

    @Test
    void verdictInTime_decides_andItsTimeoutNeverFires() {
        long s = sample(TestModels.UNCERTAIN_LOW);
        assertEquals(DeviceDetector.VerdictOutcome.APPLIED, detector.onVerdict(verdict(escalations.get(0), true)));
        assertEquals(0, timers.pending(), "the timeout is cancelled");
        timers.advance(10 * TIMEOUT);

        assertEquals(1, decisions.size());
        WindowDecision d = decisions.get(0);
        assertEquals(s, d.windowId());
        assertFalse(d.verdictTimedOut());
        assertTrue(d.escalated());
        assertTrue(d.finalAnomaly());
        assertEquals(Alarm.Source.HUB, d.decidedBy());
        assertEquals(0, metrics.snapshot().verdictTimeouts());
    }

    @Test
    void close_cancelsTheTimeoutsOfPendingEscalations() {
        sample(TestModels.UNCERTAIN_HIGH);
        detector.close();
        timers.advance(TIMEOUT);
        assertEquals(List.of(), decisions);
        assertEquals(0, timers.pending());
    }

    @Test
    void decisionsOfEveryKind_feedOneEpisode_notAnAlarmPerWindow() {
        sample(TestModels.ANOMALY);                       // the edge decides
        long s = sample(TestModels.UNCERTAIN_LOW);        // the hub decides, later
        sample(TestModels.ANOMALY);
        detector.onVerdict(verdict(escalations.get(0), true));
        sample(TestModels.UNCERTAIN_HIGH);                // no verdict: the edge's call stands
        timers.advance(TIMEOUT);
        assertEquals(4, detector.anomalousWindows());
        assertEquals(List.of(Alarm.Phase.ONSET), alarms.stream().map(Alarm::phase).toList());
        assertEquals(Alarm.Source.EDGE, alarms.get(0).source());
        assertEquals(1, detector.episodes().onsets());
        assertTrue(detector.episodes().holding());
        assertEquals(s - 1, alarms.get(0).windowId());
        for (int i = 0; i < dev.tandem.edge.alarm.AlarmSettings.DEFAULT_CLEAR_AFTER_WINDOWS; i++) {
            sample(TestModels.NORMAL);
        }
        List<Alarm> episode = alarms.stream().filter(a -> a.phase() != Alarm.Phase.UPDATE).toList();
        assertEquals(List.of(Alarm.Phase.ONSET, Alarm.Phase.CLEAR), episode.stream().map(Alarm::phase).toList());
        assertEquals(Alarm.Source.EDGE_TIMEOUT, episode.get(1).source(), "who decided the last anomalous window");
        assertEquals(4, episode.get(1).windows());
        assertTrue(alarms.stream().allMatch(a -> a.episode().equals(episode.get(0).episode())));
        assertEquals(1, metrics.snapshot().onsets());
        assertEquals(1, metrics.snapshot().clears());
        assertEquals(4, metrics.snapshot().anomalousWindows());
    }

    @Test
    void heldEpisode_afterItsReviewTime_sendsOneAnomalousWindowPerWindowLengthForReview() {
        DeviceDetector reviewing = new DeviceDetector(timers, "s", "d", TIMEOUT,
                dev.tandem.edge.alarm.AlarmSettings.defaults().withReviewAfter(java.time.Duration.ofSeconds(5)), metrics,
                new DeviceDetector.Output() {
                    @Override
                    public void alarm(Alarm alarm) {
                        alarms.add(alarm);
                    }

                    @Override
                    public void escalate(Escalation escalation) {
                        escalations.add(escalation);
                    }

                    @Override
                    public void decided(WindowDecision decision) {
                        decisions.add(decision);
                    }
                });
        reviewing.install(model, TestModels.CONTEXT);
        long t = seq;
        for (int i = 0; i < 4 * TestModels.WINDOW + 6; i++) {   // 1 s apart: held 5 s at the 6th window
            assertTrue(reviewing.add(new Sample(t + i, 1_000 * (t + i), TestModels.row(model, TestModels.ANOMALY))));
            reviewing.scoreNewest();
        }
        List<Long> reviewed = escalations.stream().map(Escalation::windowId).toList();
        long onset = t + TestModels.WINDOW - 1;                  // the first full window
        assertEquals(List.of(onset + 5, onset + 5 + TestModels.WINDOW, onset + 5 + 2L * TestModels.WINDOW,
                onset + 5 + 3L * TestModels.WINDOW), reviewed);
        assertTrue(decisions.stream().allMatch(WindowDecision::finalAnomaly), "the edge's decisions stand");
        assertEquals(4, metrics.reviews());
        Escalation first = escalations.get(0);
        assertEquals(DeviceDetector.VerdictOutcome.REVIEW, reviewing.onVerdict(verdict(first, false)));
        assertEquals(first.windowId(), reviewing.heldThroughSeq(), "the verdict says what the hub holds");
        assertEquals(0, reviewing.pendingEscalations(), "no timeout waits on a review");
    }

    private static Verdict verdict(Escalation e, boolean anomaly) {
        return new Verdict(Verdict.VERSION, e.id(), e.site(), e.device(), e.windowId(), anomaly, anomaly ? 9.5 : 0.1,
                "hub-test", e.windowId(), 0);
    }
}
