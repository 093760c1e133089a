package dev.tandem.edge;

import dev.tandem.shared.policy.Decision;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.ModelState;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommissioningTest extends AgentTestSupport {
    private static final int N = 40;

    /** Normal-looking readings with some spread (deterministic). */
    private static double[] normal(int i) {
        return new double[]{10 + 0.5 * Math.sin(i * 0.7), 20 + Math.cos(i * 1.3)};
    }

    @Test
    void commissioning_afterNSamples_sendsExactlyOneCommissioning_andAssignedModelSwitchesToDetecting(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.COMMISSIONING), topic(Kind.MODEL_STATE), topic(Kind.STATUS));
        EdgeAgent agent = deploy(vertx, config().commissioningSamples(N).build());

        assertEquals(DeviceStatus.State.COMMISSIONING, hub.next(topic(Kind.STATUS), DeviceStatus.class).state());
        assertEquals(DeviceStatus.State.COMMISSIONING, agent.state(device));
        for (int i = 0; i < 60; i += 5) {
            hub.readings(site, device, normal(i), normal(i + 1), normal(i + 2), normal(i + 3), normal(i + 4));
        }
        Commissioning c = hub.next(topic(Kind.COMMISSIONING), Commissioning.class);
        waitUntil(() -> agent.metrics().snapshot().readings() == 60, "60 readings processed");

        assertEquals(N, c.samples().size());
        assertEquals(0, c.samples().get(0).seq());
        assertEquals(N - 1, c.samples().get(N - 1).seq());
        assertEquals(device, c.device());
        assertNull(hub.poll(topic(Kind.COMMISSIONING), Commissioning.class, Duration.ofMillis(300)),
                "exactly one commissioning message");
        assertEquals(1, agent.metrics().snapshot().commissionings());
        assertEquals(0, decided(), "no model, no decisions");

        // the hub fits the device's model on the commissioning samples and assigns it (retained)
        TinyModel fitted = TestModels.fit("v1", c.samples());
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, fitted), true);

        ModelState received = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        assertEquals(ModelState.State.VERIFYING, received.state());
        assertEquals("v1", received.version());
        ModelState active = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        assertEquals(ModelState.State.ACTIVE, active.state());
        assertEquals("v1", active.version());
        TestHub.await(agent.modelsLoaded());
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
        assertEquals(DeviceStatus.State.DETECTING, agent.state(device));
        DeviceStatus st;
        do {
            st = hub.next(topic(Kind.STATUS), DeviceStatus.class);
        } while (st.state() != DeviceStatus.State.DETECTING);
        assertEquals("v1", st.modelVersion());

        // the window was kept: the very next reading is scored
        hub.readings(site, device, TestModels.row(fitted, TestModels.NORMAL));
        waitUntil(() -> decided() == 1, "the first window scored");
        assertEquals(Decision.NORMAL, lastDecision().edgeDecision());

        // the same version again (e.g. the retained assignment re-delivered) is ignored
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, fitted), true);
        assertNull(hub.poll(topic(Kind.MODEL_STATE), ModelState.class, Duration.ofMillis(300)));
        assertEquals(1, agent.metrics().snapshot().modelsActivated());
    }

    @Test
    void retainedAssignment_beforeCommissioningCompletes_cancelsIt(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.COMMISSIONING), topic(Kind.MODEL_STATE));
        EdgeAgent agent = deploy(vertx, config().commissioningSamples(N).build());
        hub.readings(site, device, 10, 5, normal(0));
        waitUntil(() -> agent.metrics().snapshot().readings() == 10, "10 readings processed");

        TinyModel m = TestModels.standard("v1");
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, m), true);
        assertEquals(ModelState.State.VERIFYING, hub.next(topic(Kind.MODEL_STATE), ModelState.class).state());
        assertEquals(ModelState.State.ACTIVE, hub.next(topic(Kind.MODEL_STATE), ModelState.class).state());
        hub.readings(site, device, 50, 5, TestModels.row(m, TestModels.NORMAL));
        waitUntil(() -> agent.metrics().snapshot().readings() == 60, "60 readings processed");

        assertNull(hub.poll(topic(Kind.COMMISSIONING), Commissioning.class, Duration.ofMillis(300)));
        assertEquals(0, agent.metrics().snapshot().commissionings());
        assertEquals(50, decided(), "every reading after the model arrived ends a scored window");
    }

    @Test
    void retainedAssignment_presentAtStart_skipsCommissioning(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.COMMISSIONING));
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, TestModels.standard("v7")), true);
        EdgeAgent agent = deploy(vertx, config().commissioningSamples(5).build());
        TestHub.await(agent.modelsLoaded());
        hub.readings(site, device, 10, 5, TestModels.row(TestModels.standard("v7"), 0));
        waitUntil(() -> decided() == 7, "windows 4..10 scored");
        assertEquals(0, hub.count(topic(Kind.COMMISSIONING)));
        assertEquals("v7", agent.modelVersion(device).orElseThrow());
    }

    @Test
    void tamperedArtifact_isRejected_andOldModelKeepsRunning(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.MODEL_STATE), topic(Kind.ALARMS));
        TinyModel v1 = TestModels.standard("v1");
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, v1), true);
        EdgeAgent agent = deploy(vertx, config().build());
        assertEquals(ModelState.State.VERIFYING, hub.next(topic(Kind.MODEL_STATE), ModelState.class).state());
        assertEquals(ModelState.State.ACTIVE, hub.next(topic(Kind.MODEL_STATE), ModelState.class).state());

        hub.publish(topic(Kind.MODEL), TestModels.tampered(site, device, TestModels.standard("v2")), true);
        assertEquals(ModelState.State.VERIFYING, hub.next(topic(Kind.MODEL_STATE), ModelState.class).state());
        ModelState rejected = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        assertEquals(ModelState.State.FAILED, rejected.state());
        assertEquals("v2", rejected.version());
        assertEquals(ErrorCode.ARTIFACT_HASH_MISMATCH, rejected.code());
        assertTrue(rejected.reason().contains("ARTIFACT_HASH_MISMATCH"), rejected.reason());
        assertEquals(1, agent.metrics().errors(ErrorCode.ARTIFACT_HASH_MISMATCH));
        assertEquals("v1", agent.modelVersion(device).orElseThrow());

        // v1 still detects
        hub.readings(site, device, 3, 3, TestModels.row(v1, TestModels.NORMAL));
        hub.readings(site, device, TestModels.row(v1, TestModels.ANOMALY));
        Alarm alarm = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals("v1", alarm.modelVersion());
        assertEquals(Alarm.Source.EDGE, alarm.source());
    }

    @Test
    void undecodableArtifact_isRejectedAsInvalid_andCommissioningGoesOn(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.MODEL_STATE), topic(Kind.COMMISSIONING));
        EdgeAgent agent = deploy(vertx, config().commissioningSamples(10).build());
        hub.publish(topic(Kind.MODEL), TestModels.undecodable(site, device, "v9"), true);
        assertEquals(ModelState.State.VERIFYING, hub.next(topic(Kind.MODEL_STATE), ModelState.class).state());
        ModelState rejected = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        assertEquals(ModelState.State.FAILED, rejected.state());
        assertEquals(ErrorCode.ARTIFACT_INVALID, rejected.code());
        assertTrue(rejected.reason().contains("ARTIFACT_INVALID"), rejected.reason());
        assertEquals(1, agent.metrics().errors(ErrorCode.ARTIFACT_INVALID));
        assertFalse(agent.modelVersion(device).isPresent());

        hub.readings(site, device, 10, 5, normal(1));
        assertEquals(10, hub.next(topic(Kind.COMMISSIONING), Commissioning.class).samples().size());
    }
}
