package dev.tandem.edge;

import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Escalation;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionTest extends AgentTestSupport {
    private final TinyModel model = TestModels.standard("v1");

    @Test
    void brokerAbsentAtStart_isRetriedWithBackoff_andTheAgentWorksOnceItAppears(Vertx vertx) {
        int port = MosquittoBroker.freePort();
        EdgeConfig config = EdgeConfig.builder(new BrokerAddress("127.0.0.1", port), site, List.of(device)).hubKey(TestKeys.hubPublicKey())
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(300)).build();
        EdgeAgent agent = new EdgeAgent(config).onDecision(decisions::add);
        TestHub.await(vertx.deployVerticle(agent));

        waitUntil(() -> agent.metrics().errors(ErrorCode.BROKER_UNAVAILABLE) >= 3, "three failed attempts counted");
        assertFalse(agent.isConnected());
        assertFalse(agent.ready().isComplete());
        assertEquals(1, vertx.deploymentIDs().size(), "the agent keeps running");

        try (MosquittoBroker late = MosquittoBroker.start(port)) {
            TestHub.await(agent.ready());
            assertTrue(agent.isConnected());
            TestHub hub = TestHub.connect(vertx, late.address());
            try {
                hub.subscribe(topic(Kind.ALARMS));
                hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
                TestHub.await(agent.modelsLoaded());
                hub.readings(site, device, 3, 3, TestModels.row(model, TestModels.NORMAL));
                hub.readings(site, device, TestModels.row(model, TestModels.ANOMALY));
                assertEquals(Alarm.Source.EDGE, hub.next(topic(Kind.ALARMS), Alarm.class).source());
            } finally {
                hub.close();
                TestHub.await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));
            }
        }
    }

    @Test
    void connectionLoss_holdsOutgoingMessages_flushesThemOnReconnect_andResubscribes(Vertx vertx) {
        CuttableProxy proxy = new CuttableProxy(vertx, broker.address());
        TestHub hub = hub(vertx).subscribe(topic(Kind.ALARMS), topic(Kind.ESCALATIONS));
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
        EdgeConfig config = EdgeConfig.builder(proxy.address(), site, List.of(device)).hubKey(TestKeys.hubPublicKey())
                .verdictTimeout(Duration.ofMillis(800))
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).build();
        EdgeAgent agent = deploy(vertx, config);
        TestHub.await(agent.modelsLoaded());
        hub.readings(site, device, 4, 4, TestModels.row(model, TestModels.NORMAL));
        waitUntil(() -> decided() == 1, "the first window");

        // an uncertain window goes out; the network fails before its verdict could come back
        long seq = hub.readings(site, device, TestModels.row(model, TestModels.UNCERTAIN_HIGH));
        hub.next(topic(Kind.ESCALATIONS), Escalation.class);
        proxy.cut();
        waitUntil(() -> agent.metrics().snapshot().verdictTimeouts() == 1, "the verdict timeout");
        // the timeout is counted just before its alarm is queued (on the agent's event loop): wait for both
        waitUntil(() -> agent.metrics().snapshot().outboxSize() == 1, "the EDGE_TIMEOUT alarm held while disconnected");
        EdgeMetrics.Snapshot s = agent.metrics().snapshot();
        assertFalse(s.connected());
        assertEquals(1, s.outboxSize(), "the EDGE_TIMEOUT alarm is held while disconnected");
        assertTrue(s.errors(ErrorCode.BROKER_UNAVAILABLE) >= 1);
        assertNull(hub.poll(topic(Kind.ALARMS), Alarm.class, Duration.ofMillis(100)));

        proxy.restore();
        Alarm held = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals(Alarm.Phase.ONSET, held.phase());
        assertEquals(Alarm.Source.EDGE_TIMEOUT, held.source());
        assertEquals(seq, held.windowId());
        waitUntil(() -> agent.metrics().snapshot().connections() == 2, "re-subscribed");

        // the subscriptions are back: readings flow again, and the anomalous window joins the episode held
        hub.readings(site, device, TestModels.row(model, TestModels.ANOMALY));
        waitUntil(() -> agent.metrics().snapshot().anomalousWindows(Alarm.Source.EDGE) == 1, "the edge's anomaly");
        assertNull(hub.poll(topic(Kind.ALARMS), Alarm.class, Duration.ofMillis(200)), "no second onset");
        assertEquals(1, agent.metrics().snapshot().onsets());
        assertEquals(0, agent.metrics().snapshot().outboxSize());
        proxy.close();
    }

    @Test
    void readingsPublishedDuringAnOutage_areProcessedAfterReconnecting(Vertx vertx) {
        CuttableProxy proxy = new CuttableProxy(vertx, broker.address());
        TestHub hub = hub(vertx).subscribe(topic(Kind.ALARMS));
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
        EdgeConfig config = EdgeConfig.builder(proxy.address(), site, List.of(device)).hubKey(TestKeys.hubPublicKey())
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).build();
        EdgeAgent agent = deploy(vertx, config);
        TestHub.await(agent.modelsLoaded());

        proxy.cut();
        waitUntil(() -> !agent.isConnected(), "the agent notices the outage");
        hub.readings(site, device, 3, 3, TestModels.row(model, TestModels.NORMAL));
        long seq = hub.readings(site, device, TestModels.row(model, TestModels.ANOMALY));
        proxy.restore();

        Alarm alarm = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals(seq, alarm.windowId(), "the broker kept the agent's session and its readings");
        assertEquals(4, agent.metrics().snapshot().readings());
        proxy.close();
    }

    @Test
    void oversizedMqttPacket_isCounted_andTheAgentComesBackWithoutIt(Vertx vertx) {
        // a broker that, unlike the test default, lets packets larger than the agent accepts through
        try (MosquittoBroker lax = MosquittoBroker.start(MosquittoBroker.freePort(), List.of("max_packet_size 10000000"))) {
            TestHub hub = TestHub.connect(vertx, lax.address());
            try {
                hub.subscribe(topic(Kind.ALARMS));
                hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
                EdgeConfig config = EdgeConfig.builder(lax.address(), site, List.of(device)).hubKey(TestKeys.hubPublicKey())
                        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(100)).build();
                EdgeAgent agent = new EdgeAgent(config);
                TestHub.await(vertx.deployVerticle(agent));
                TestHub.await(agent.modelsLoaded());

                hub.publishRaw(topic(Kind.READINGS), new byte[EdgeAgent.MAX_MQTT_PACKET + 1000], false);
                waitUntil(() -> agent.metrics().errors(ErrorCode.OVERSIZED_PAYLOAD) == 1, "the oversized packet counted");
                waitUntil(() -> agent.metrics().snapshot().connections() == 2 && agent.isConnected(),
                        "connected and subscribed again");

                hub.readings(site, device, 3, 3, TestModels.row(model, TestModels.NORMAL));
                hub.readings(site, device, TestModels.row(model, TestModels.ANOMALY));
                assertEquals(Alarm.Source.EDGE, hub.next(topic(Kind.ALARMS), Alarm.class).source());
                assertEquals(1, agent.metrics().errors(ErrorCode.OVERSIZED_PAYLOAD), "not redelivered");
            } finally {
                hub.close();
                TestHub.await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));
            }
        }
    }

    @Test
    void connectionLoss_leavesEveryDeviceOffline_throughTheLastWills(Vertx vertx) {
        CuttableProxy proxy = new CuttableProxy(vertx, broker.address());
        TestHub hub = hub(vertx).subscribe(topic("a", Kind.STATUS), topic("b", Kind.STATUS), topic("c", Kind.STATUS));
        EdgeConfig config = EdgeConfig.builder(proxy.address(), site, List.of("a", "b", "c")).hubKey(TestKeys.hubPublicKey())
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).build();
        deploy(vertx, config);
        for (String d : List.of("a", "b", "c")) {
            assertEquals(DeviceStatus.State.COMMISSIONING, hub.next(topic(d, Kind.STATUS), DeviceStatus.class).state());
        }
        // the will connections of b and c may still be connecting
        TestHub.await(vertx.timer(300));

        proxy.cut();
        for (String d : List.of("a", "b", "c")) {
            DeviceStatus st;
            do {
                st = hub.next(topic(d, Kind.STATUS), DeviceStatus.class);
            } while (st.state() != DeviceStatus.State.OFFLINE);
            assertEquals(d, st.device());
        }

        proxy.restore();
        for (String d : List.of("a", "b", "c")) {
            DeviceStatus st;
            do {
                st = hub.next(topic(d, Kind.STATUS), DeviceStatus.class);
            } while (st.state() == DeviceStatus.State.OFFLINE);
            assertEquals(DeviceStatus.State.COMMISSIONING, st.state());
        }
        proxy.close();
    }

    @Test
    void lastWill_marksOffline_keepingTheLastKnownModelAndCounters_retainedForLateReaders(Vertx vertx) {
        CuttableProxy proxy = new CuttableProxy(vertx, broker.address());
        TestHub hub = hub(vertx).subscribe(topic("a", Kind.STATUS), topic("b", Kind.STATUS));
        hub.publish(topic("b", Kind.MODEL), TestModels.assignment(site, "b", model), true); // b has its model
        EdgeConfig config = EdgeConfig.builder(proxy.address(), site, List.of("a", "b")).hubKey(TestKeys.hubPublicKey())
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).statusInterval(Duration.ofMillis(300))
                .build();
        EdgeAgent agent = deploy(vertx, config);
        DeviceStatus live;
        do {
            live = hub.next(topic("b", Kind.STATUS), DeviceStatus.class);
        } while (live.state() != DeviceStatus.State.DETECTING);
        String version = live.modelVersion();
        assertTrue(version != null, "b runs a model");
        // b's will connection comes back with a will that names the model
        waitUntil(() -> agent.armedWill("b") != null && version.equals(agent.armedWill("b").modelVersion()),
                "b's will connection back with a will that names its model");

        proxy.cut();
        DeviceStatus will;
        do {
            will = hub.next(topic("b", Kind.STATUS), DeviceStatus.class);
        } while (will.state() != DeviceStatus.State.OFFLINE);
        assertEquals(version, will.modelVersion(), "the will keeps the last known model");
        assertNull(will.outbox(), "a will describes no running agent");

        TestHub late = TestHub.connect(vertx, broker.address()).subscribe(topic("b", Kind.STATUS));
        try {
            DeviceStatus retained = late.next(topic("b", Kind.STATUS), DeviceStatus.class);
            assertEquals(DeviceStatus.State.OFFLINE, retained.state());
            assertEquals(version, retained.modelVersion(), "a reader arriving later sees the last known state too");
        } finally {
            late.close();
        }
        proxy.close();
    }

    @Test
    void cleanStop_keepsTheLastKnownState_inTheRetainedOffline(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.STATUS));
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
        EdgeAgent agent = deploy(vertx, config().build());
        TestHub.await(agent.modelsLoaded());
        hub.readings(site, device, 20, 10, TestModels.row(model, TestModels.NORMAL));
        waitUntil(() -> decided() >= 17, "windows decided");
        TestHub.await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));
        DeviceStatus st;
        do {
            st = hub.next(topic(Kind.STATUS), DeviceStatus.class);
        } while (st.state() != DeviceStatus.State.OFFLINE);
        assertTrue(st.modelVersion() != null, "the model it ran");
        assertTrue(st.windows() >= 17, "its counters: " + st);
    }

    @Test
    void cleanStop_publishesOfflineForEveryDevice(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic("a", Kind.STATUS), topic("b", Kind.STATUS));
        EdgeAgent agent = deploy(vertx, config("a", "b").build());
        assertEquals(DeviceStatus.State.COMMISSIONING, hub.next(topic("a", Kind.STATUS), DeviceStatus.class).state());
        TestHub.await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));
        for (String d : List.of("a", "b")) {
            DeviceStatus st;
            do {
                st = hub.next(topic(d, Kind.STATUS), DeviceStatus.class);
            } while (st.state() != DeviceStatus.State.OFFLINE);
        }
        assertEquals(DeviceStatus.State.OFFLINE, agent.state("a"));
        assertFalse(agent.isConnected());
    }

    @Test
    void devicesOfOneAgent_areDetectedIndependently(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic("a", Kind.ALARMS), topic("b", Kind.ALARMS));
        hub.publish(topic("a", Kind.MODEL), TestModels.assignment(site, "a", model), true);
        hub.publish(topic("b", Kind.MODEL), TestModels.assignment(site, "b", TestModels.standard("v2")), true);
        EdgeAgent agent = deploy(vertx, config("a", "b").build());
        TestHub.await(agent.modelsLoaded());
        assertEquals("v1", agent.modelVersion("a").orElseThrow());
        assertEquals("v2", agent.modelVersion("b").orElseThrow());

        hub.readings(site, "a", 4, 4, TestModels.row(model, TestModels.NORMAL));
        hub.readings(site, "b", 3, 3, TestModels.row(model, TestModels.NORMAL));
        hub.readings(site, "b", TestModels.row(model, TestModels.ANOMALY));
        Alarm alarm = hub.next(topic("b", Kind.ALARMS), Alarm.class);
        assertEquals("b", alarm.device());
        assertEquals("v2", alarm.modelVersion());
        waitUntil(() -> decided() == 2, "one window per device");
        assertNull(hub.poll(topic("a", Kind.ALARMS), Alarm.class, Duration.ofMillis(200)));
        assertTrue(decisions.stream().filter(d -> d.device().equals("a")).noneMatch(d -> d.finalAnomaly()));
    }
}
