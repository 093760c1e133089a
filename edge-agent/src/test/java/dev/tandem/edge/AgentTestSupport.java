package dev.tandem.edge;

import dev.tandem.shared.testing.TestKeys;
import dev.tandem.edge.detect.WindowDecision;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** One real mosquitto per test class, a unique site per test (retained messages outlive tests). */
@ExtendWith(VertxExtension.class)
abstract class AgentTestSupport {
    static MosquittoBroker broker;

    Vertx vertx;
    String site;
    final String device = "pump-1";
    final List<WindowDecision> decisions = new CopyOnWriteArrayList<>();
    TestHub hub;

    @BeforeAll
    static void startBroker() {
        broker = MosquittoBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void newSite(Vertx vertx) {
        this.vertx = vertx;
        site = "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Waits, bounded by {@link TestHub#WAIT}, until the agent's state satisfies {@code condition}. */
    void waitUntil(BooleanSupplier condition, String what) {
        TestWait.until(vertx, condition, TestHub.WAIT, what);
    }

    /** Stops the agents before a test's temporary state directory is removed (their outboxes write there). */
    @AfterEach
    void undeployAgents() {
        if (vertx != null) {
            for (String id : java.util.Set.copyOf(vertx.deploymentIDs())) {
                TestHub.await(vertx.undeploy(id));
            }
        }
    }

    @AfterEach
    void closeHub() {
        if (hub != null) {
            hub.close();
        }
    }

    EdgeConfig.Builder config(String... devices) {
        return EdgeConfig.builder(broker.address(), site, devices.length == 0 ? List.of(device) : List.of(devices)).hubKey(TestKeys.hubPublicKey());
    }

    /** Deploys the agent and waits until it is connected and subscribed. */
    EdgeAgent deploy(Vertx vertx, EdgeConfig config) {
        EdgeAgent agent = new EdgeAgent(config).onDecision(decisions::add);
        TestHub.await(vertx.deployVerticle(agent));
        TestHub.await(agent.ready());
        return agent;
    }

    String topic(Topics.Kind kind) {
        return Topics.of(site, device, kind);
    }

    String topic(String dev, Topics.Kind kind) {
        return Topics.of(site, dev, kind);
    }

    TestHub hub(Vertx vertx) {
        hub = TestHub.connect(vertx, broker.address());
        return hub;
    }

    long decided() {
        return decisions.size();
    }

    WindowDecision lastDecision() {
        return decisions.get(decisions.size() - 1);
    }
}
