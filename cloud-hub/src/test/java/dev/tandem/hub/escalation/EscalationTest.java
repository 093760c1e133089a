package dev.tandem.hub.escalation;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EscalationTest {
    private static final Duration VERDICT_TIMEOUT = Duration.ofSeconds(10);

    private MosquittoBroker broker;
    private CloudHub hub;
    private TestClient device;
    private final String site = Signals.site();
    private final String name = "m1";
    private int contextSize;
    private long nextWindow = 1_000;

    @BeforeAll
    void commissionOneDevice() {
        broker = MosquittoBroker.start();
        hub = CloudHub.start(Hubs.config(broker.address()));
        device = TestClient.connect(broker.url())
                .subscribe(Topics.of(site, name, Topics.Kind.MODEL))
                .subscribe(Topics.allDevices(site, Topics.Kind.VERDICTS));
        Hubs.commission(device, site, name);
        ModelAssignment a = Hubs.awaitModel(device, site, name);
        contextSize = a.contextSize();
    }

    @AfterAll
    void stop() {
        if (device != null) {
            device.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** A window id far from the previous one, so that each test starts with a fresh context. */
    private long window() {
        nextWindow += 10_000;
        return nextWindow;
    }

    @Test
    void escalation_getsVerdictCorrelatedById_normalContextNormal_anomalousContextAnomaly() {
        Escalation normal = Signals.normalEscalation(site, name, window(), contextSize);
        Escalation anomalous = Signals.anomalousEscalation(site, name, window(), contextSize, 5);
        Hubs.send(device, normal);
        Hubs.send(device, anomalous);

        Verdict vn = Hubs.awaitVerdict(device, normal.id(), VERDICT_TIMEOUT);
        Verdict va = Hubs.awaitVerdict(device, anomalous.id(), VERDICT_TIMEOUT);
        assertNotNull(vn, "verdict for the normal escalation");
        assertNotNull(va, "verdict for the anomalous escalation");
        assertEquals(normal.windowId(), vn.windowId());
        assertEquals(name, vn.device());
        assertTrue(vn.hubModelVersion().startsWith("large-"), vn.hubModelVersion());
        assertFalse(vn.anomaly(), "normal context scored " + vn.score());
        assertTrue(va.anomaly(), "anomalous context scored " + va.score());
        assertTrue(va.score() >= 1.0 && vn.score() < 1.0);
    }

    @Test
    void aReplayedEscalation_getsTheSameVerdict_andIsScoredOnce() {
        Escalation e = Signals.anomalousEscalation(site, name, window(), contextSize, 5);
        Hubs.send(device, e);
        Verdict first = Hubs.awaitVerdict(device, e.id(), VERDICT_TIMEOUT);
        assertNotNull(first);
        long repeated = hub.metrics().escalationsRepeated();
        long batches = hub.metrics().snapshot().batches();
        Hubs.send(device, e); // the edge's outbox replays it after a restart
        Verdict second = Hubs.awaitVerdict(device, e.id(), VERDICT_TIMEOUT);
        assertNotNull(second, "answered again");
        assertEquals(first, second, "the same verdict, not a new one");
        assertEquals(repeated + 1, hub.metrics().escalationsRepeated());
        assertEquals(batches, hub.metrics().snapshot().batches(), "not scored again");
    }

    @Test
    void escalations_publishedFast_formBatches_andEveryOneIsAnsweredOnce() {
        HubMetrics.Snapshot before = hub.metrics().snapshot();
        int n = 200;
        Set<String> ids = new HashSet<>();
        long w = window();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            // every escalation carries its whole context: windows far apart
            Escalation e = Signals.normalEscalation(site, name, w + i * 100L, contextSize);
            ids.add(e.id());
            Hubs.send(device, e);
        }
        List<TestClient.Received> verdicts = device.awaitAll(m -> m.topic().endsWith("/verdicts")
                && ids.contains(Wire.decode(m.payload(), Verdict.class).id()), n, Duration.ofSeconds(30));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Set<String> answered = new HashSet<>();
        for (TestClient.Received r : verdicts) {
            assertTrue(answered.add(Wire.decode(r.payload(), Verdict.class).id()), "answered twice");
        }
        assertEquals(ids, answered);
        HubMetrics.Snapshot after = hub.metrics().snapshot();
        long batches = after.batches() - before.batches();
        double meanBatch = (double) n / batches;
        System.out.printf("200 escalations answered in %.3f s (%.0f/s), %d batches, mean batch %.1f%n",
                seconds, n / seconds, batches, meanBatch);
        assertTrue(meanBatch > 1.0, "escalations that wait together are batched: mean batch " + meanBatch);
        assertTrue(after.verdictLatencyP50Ms() >= 0);
    }

    @Test
    void deltaEscalation_afterHeldThroughSeq_reusesTheHeldContext() {
        long w = window();
        Escalation full = Signals.normalEscalation(site, name, w, contextSize);
        Hubs.send(device, full);
        Verdict v1 = Hubs.awaitVerdict(device, full.id(), VERDICT_TIMEOUT);
        assertNotNull(v1);
        assertEquals(w, v1.heldThroughSeq(), "the hub holds the full context");

        // only the 5 new samples, the last of them anomalous
        List<Sample> delta = new ArrayList<>(Signals.range(w + 1, w + 4));
        delta.add(Signals.anomalous(w + 5));
        Escalation small = Signals.escalation(site, name, delta, contextSize);
        Hubs.send(device, small);
        Verdict v2 = Hubs.awaitVerdict(device, small.id(), VERDICT_TIMEOUT);
        assertNotNull(v2);
        assertEquals(w + 5, v2.heldThroughSeq());

        // the same window sent in full scores exactly the same: the delta was read with the held history
        List<Sample> whole = new ArrayList<>(Signals.range(w + 5 - contextSize + 1, w + 4));
        whole.add(Signals.anomalous(w + 5));
        Escalation reference = Signals.escalation(site, name, whole, contextSize);
        Hubs.send(device, reference);
        Verdict v3 = Hubs.awaitVerdict(device, reference.id(), VERDICT_TIMEOUT);
        assertNotNull(v3);
        assertEquals(v3.score(), v2.score(), 1e-9);

        // a delta that does not follow what the hub holds: read as it is, and the edge is told to resend
        Escalation gap = Signals.escalation(site, name, Signals.range(w + 50, w + 54), contextSize);
        Hubs.send(device, gap);
        Verdict v4 = Hubs.awaitVerdict(device, gap.id(), VERDICT_TIMEOUT);
        assertNotNull(v4);
        assertEquals(-1, v4.heldThroughSeq());
    }

    @Test
    void badInput_eachCaseIsCountedWithItsCode_andTheNextValidEscalationIsAnswered() {
        String topic = Topics.of(site, name, Topics.Kind.ESCALATIONS);
        String valid = new String(Wire.encode(Signals.normalEscalation(site, name, window(), contextSize)),
                StandardCharsets.UTF_8);
        record Case(String what, String topic, byte[] payload, ErrorCode code) {
        }
        byte[] oversized = new byte[EscalationWorker.MAX_ESCALATION_BYTES + 1];
        java.util.Arrays.fill(oversized, (byte) ' ');
        oversized[0] = '{';
        oversized[oversized.length - 1] = '}';
        List<Sample> threeChannels = List.of(new Sample(5, 0, new double[]{1, 2, 3}));
        List<Case> cases = List.of(
                new Case("not JSON", topic, bytes("{not json"), ErrorCode.MALFORMED_PAYLOAD),
                new Case("wrong shape", topic, bytes("[1,2,3]"), ErrorCode.MALFORMED_PAYLOAD),
                new Case("oversized", topic, oversized, ErrorCode.OVERSIZED_PAYLOAD),
                new Case("unknown version", topic, bytes(valid.replace("\"v\":1", "\"v\":99")), ErrorCode.UNKNOWN_SCHEMA_VERSION),
                new Case("NaN score", topic, bytes(valid.replace("\"edgeScore\":0.8", "\"edgeScore\":NaN")), ErrorCode.NON_FINITE_VALUE),
                new Case("NaN reading", topic, bytes(valid.replaceFirst("\"values\":\\[[-0-9.E]+", "\"values\":[NaN")), ErrorCode.NON_FINITE_VALUE),
                new Case("infinite reading", topic, bytes(valid.replaceFirst("\"values\":\\[[-0-9.E]+", "\"values\":[Infinity")), ErrorCode.NON_FINITE_VALUE),
                new Case("payload of another device", Topics.of(site, "m9", Topics.Kind.ESCALATIONS), bytes(valid), ErrorCode.DEVICE_MISMATCH),
                new Case("topic outside the scheme", "tandem/v1/bad site!/" + name + "/escalations", bytes(valid), ErrorCode.UNEXPECTED_TOPIC),
                new Case("unknown device", Topics.of(site, "ghost", Topics.Kind.ESCALATIONS),
                        Wire.encode(Signals.normalEscalation(site, "ghost", 500, contextSize)), ErrorCode.UNKNOWN_DEVICE),
                new Case("wrong channel count", topic, Wire.encode(Signals.escalation(site, name, threeChannels, contextSize)), ErrorCode.CHANNEL_MISMATCH),
                new Case("samples do not end at the window", topic, bytes(valid.replaceFirst("\"windowId\":\\d+", "\"windowId\":7")), ErrorCode.INVALID_FIELD));
        for (Case c : cases) {
            long before = hub.metrics().errorCount(c.code());
            device.publish(c.topic(), c.payload());
            Escalation next = Signals.normalEscalation(site, name, window(), contextSize);
            Hubs.send(device, next);
            assertNotNull(Hubs.awaitVerdict(device, next.id(), VERDICT_TIMEOUT), "answered after: " + c.what());
            assertEquals(before + 1, hub.metrics().errorCount(c.code()), "counted as " + c.code() + ": " + c.what());
        }
        assertTrue(TestWait.until(Duration.ofSeconds(1), () -> true));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
