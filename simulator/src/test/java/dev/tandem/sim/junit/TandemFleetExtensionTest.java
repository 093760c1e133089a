package dev.tandem.sim.junit;

import dev.tandem.edge.uplink.MqttLogin;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.sim.factory.Fault;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.fleet.LocalFleetOptions;
import dev.tandem.sim.fleet.LocalFleet;
import dev.tandem.sim.scenario.ScenarioLoader;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TandemFleetExtensionTest {
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    @TandemFleet(devices = 2, broker = TandemFleet.Broker.MOSQUITTO, hub = false, edge = false)
    void mosquittoFleet_isSecured_publishesAsTheSitesSensors_andKeepsTheTruthOfWhatWasInjected(LocalFleet fleet)
            throws Exception {
        assertFalse(fleet.login("sensors").isAnonymous());
        assertTrue(fleet.siteLayout().isPresent());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (fleet.published() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(fleet.published() >= 100, "the simulator publishes: " + fleet.published());
        assertTrue(fleet.device("machine-02").published() > 0);
        assertAnonymousRefused(fleet);

        fleet.device("machine-02").inject(Fault.spike("vibration_rms"));
        Thread.sleep(300);
        List<TruthEvent> truth = fleet.groundTruth();
        assertEquals(2, truth.stream().filter(TruthEvent::isObserved).count());
        TruthEvent spike = truth.stream().filter(TruthEvent::anomalous).findFirst().orElseThrow();
        assertEquals("machine-02", spike.device());
        assertEquals("spike", spike.kind());
        var score = fleet.score();
        assertEquals(1, score.overall().episodes());
        assertEquals(0, score.overall().detected(), "no detector ran, so nothing was detected");
        assertThrows(AssertionError.class, () -> fleet.awaitAlarm("machine-02", Duration.ofMillis(200)));
    }

    private static void assertAnonymousRefused(LocalFleet fleet) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            MqttClient anonymous = MqttClient.create(vertx, MqttLogin.apply(new MqttClientOptions(), fleet.broker(),
                    BrokerLogin.none(), "intruder"));
            var connect = anonymous.connect(fleet.broker().port(), fleet.broker().host())
                    .toCompletionStage().toCompletableFuture();
            assertThrows(Exception.class, () -> connect.get(10, TimeUnit.SECONDS), "an anonymous client is refused");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void options_refuseEdgeWithoutHub_andScenariosWithNetworkEvents() {
        TandemException noHub = assertThrows(TandemException.class,
                () -> LocalFleetOptions.builder().hub(false).edge(true).build());
        assertEquals(ErrorCode.INVALID_CONFIG, noHub.code());
        TandemException network = assertThrows(TandemException.class, () -> LocalFleet.start(LocalFleetOptions.builder()
                .scenario(ScenarioLoader.builtIn("network")).hub(false).edge(false).build()));
        assertTrue(network.getMessage().contains("network events"), network.getMessage());
    }
}
