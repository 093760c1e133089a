package dev.tandem.edge;

import dev.tandem.edge.uplink.OutboxStats;
import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.Alarm;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Restarts of the agent on a real broker: nothing queued is lost, nothing queued during the downtime is wasted. */
class RestartTest extends AgentTestSupport {
    private final TinyModel model = TestModels.standard("v1");

    @TempDir
    Path state;

    @Test
    void alarmsQueuedWhenTheAgentStops_areDeliveredAfterItsRestart(Vertx vertx) {
        int uncertain = 5;
        CuttableProxy proxy = new CuttableProxy(vertx, broker.address());
        TestHub hub = hub(vertx).subscribe(topic(Kind.ALARMS), topic(Kind.ESCALATIONS));
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
        EdgeConfig.Builder config = EdgeConfig.builder(proxy.address(), site, List.of(device))
                .hubKey(TestKeys.hubPublicKey()).stateDir(state).verdictCover(0)
                .verdictTimeout(Duration.ofMillis(800)).reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(200));
        EdgeAgent first = deploy(vertx, config.build());
        TestHub.await(first.modelsLoaded());
        assertTrue(first.outboxStats().durable(), "a state directory: the outbox is on disk");
        hub.readings(site, device, 4, 4, TestModels.row(model, TestModels.NORMAL));
        hub.readings(site, device, uncertain, 1, TestModels.row(model, TestModels.UNCERTAIN_HIGH));
        waitUntil(() -> first.metrics().snapshot().escalations() == uncertain, "the uncertain windows escalated");
        for (int i = 0; i < uncertain; i++) {
            hub.next(topic(Kind.ESCALATIONS), dev.tandem.shared.wire.Escalation.class);
        }
        proxy.cut(); // no verdict can come back: each window times out into EDGE_TIMEOUT, one episode raised, held
        waitUntil(() -> first.metrics().snapshot().verdictTimeouts() == uncertain, "the verdict timeouts");
        waitUntil(() -> first.outboxStats().queued() >= 1, "the episode's onset held while disconnected");
        long held = first.outboxStats().queued();
        TestHub.await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));
        proxy.restore();

        EdgeAgent second = deploy(vertx, config.build());
        Set<String> messages = new HashSet<>();
        for (int i = 0; i < held; i++) {
            Alarm a = hub.next(topic(Kind.ALARMS), Alarm.class);
            assertEquals(Alarm.Source.EDGE_TIMEOUT, a.source());
            if (i == 0) {
                assertEquals(Alarm.Phase.ONSET, a.phase(), "the episode's onset first");
            }
            messages.add(a.episode() + "/" + a.phase() + "/" + a.windowId());
        }
        assertEquals(held, messages.size(), "every held alarm message, once each: " + messages);
        OutboxStats s = second.outboxStats();
        assertEquals(held, s.replayed());
        assertEquals(0, s.droppedTotal());
        waitUntil(() -> second.outboxStats().queued() == 0 && second.outboxStats().inFlight() == 0, "all acknowledged");
        TestHub.await(vertx.undeploy(second.deploymentID())); // its outbox closed before the state directory goes
        proxy.close();
    }

    @Test
    void readingsQueuedWhileTheAgentWasDown_areScoredOnceItsModelIsLoaded(Vertx vertx) {
        TestHub hub = hub(vertx);
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
        EdgeConfig config = config().stateDir(state).build();
        EdgeAgent first = deploy(vertx, config);
        TestHub.await(first.modelsLoaded());
        hub.readings(site, device, 10, 10, TestModels.row(model, TestModels.NORMAL));
        waitUntil(() -> first.metrics().snapshot().windows() == 7, "the first run scored");
        TestHub.await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));

        int queued = 50; // the broker keeps them for the agent's persistent session
        hub.readings(site, device, queued, 5, TestModels.row(model, TestModels.NORMAL));
        EdgeAgent second = new EdgeAgent(config).onDecision(decisions::add);
        assertTrue(second.holdingReadings(device), "it accepted a model before: it waits for it");
        TestHub.await(vertx.deployVerticle(second));
        TestHub.await(second.modelsLoaded());
        waitUntil(() -> second.metrics().snapshot().windows() == queued - (TestModels.WINDOW - 1),
                "every window of the readings queued during the downtime scored");
        assertFalse(second.holdingReadings(device));
        assertEquals(queued, second.metrics().snapshot().readings());
    }

    @Test
    void aBrokerThatLostTheRetainedAssignment_theAgentRunsTheModelKeptOnItsDisk_afterTheModelWait(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.COMMISSIONING));
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
        EdgeConfig config = config().stateDir(state).modelWait(Duration.ofSeconds(1)).build();
        EdgeAgent first = deploy(vertx, config);
        TestHub.await(first.modelsLoaded());
        TestHub.await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));
        hub.publishRaw(topic(Kind.MODEL), new byte[0], true); // the broker restarted without its retained messages

        EdgeAgent second = deploy(vertx, config);
        assertTrue(second.holdingReadings(device), "it accepted a model before: it waits for it");
        hub.readings(site, device, 10, 10, TestModels.row(model, TestModels.NORMAL));
        TestHub.await(second.modelsLoaded());
        waitUntil(() -> second.metrics().snapshot().windows() == 10 - (TestModels.WINDOW - 1),
                "the readings scored with the model kept on the disk");
        assertEquals(java.util.Optional.of(model.version()), second.modelVersion(device));
        assertEquals(0, hub.count(topic(Kind.COMMISSIONING)), "no commissioning afresh");
    }
}
