package dev.tandem.edge;

import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EdgeConfigTest {
    private static final BrokerAddress BROKER = BrokerAddress.parse("tcp://127.0.0.1:1883");

    @Test
    void defaults_areTheDocumentedOnes() {
        EdgeConfig c = EdgeConfig.of(BROKER, "plant1", "press-4", TestKeys.hubPublicKey());
        assertEquals(400, c.commissioningSamples());
        assertEquals(Duration.ofSeconds(2), c.verdictTimeout());
        assertEquals(10_000, c.outboxCapacity());
        assertEquals(Duration.ofSeconds(5), c.statusInterval());
        assertEquals("edge-plant1-press-4", c.clientId());
        assertEquals(Duration.ofSeconds(30), c.modelWait());
        assertEquals(dev.tandem.edge.uplink.OutboxSettings.defaults(), c.outbox());
        assertEquals(c, c.toBuilder().build());
    }

    @Test
    void toBuilder_keepsEveryValue() {
        EdgeConfig c = EdgeConfig.builder(BROKER, "plant1", List.of("a", "b")).hubKey(TestKeys.hubPublicKey()).clientId("edge-x")
                .commissioningSamples(50).verdictTimeout(Duration.ofMillis(700)).outboxCapacity(9)
                .statusInterval(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(20))
                .inflightWindow(3).maxReadingBytes(1024).persistentSession(false).verdictCover(0).build();
        assertEquals(c, c.toBuilder().build());
        EdgeConfig changed = c.toBuilder().commissioningSamples(5).build();
        assertEquals(5, changed.commissioningSamples());
        assertEquals(c, changed.toBuilder().commissioningSamples(50).build(), "nothing else changed");
    }

    private static void invalid(Executable e) {
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, e).code());
    }

    @Test
    void invalidValues_areRefusedAsInvalidConfig() {
        invalid(() -> EdgeConfig.builder(null, "s", List.of("d")).hubKey(TestKeys.hubPublicKey()).build());
        invalid(() -> EdgeConfig.builder(BROKER, "bad/site", List.of("d")).hubKey(TestKeys.hubPublicKey()).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of()).hubKey(TestKeys.hubPublicKey()).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d", "d")).hubKey(TestKeys.hubPublicKey()).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d+")).hubKey(TestKeys.hubPublicKey()).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d")).hubKey(TestKeys.hubPublicKey()).clientId("a/b").build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d")).hubKey(TestKeys.hubPublicKey()).commissioningSamples(0).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d")).hubKey(TestKeys.hubPublicKey()).commissioningSamples(1_000_000).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d")).hubKey(TestKeys.hubPublicKey()).verdictTimeout(Duration.ZERO).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d")).hubKey(TestKeys.hubPublicKey()).outboxCapacity(0).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d")).hubKey(TestKeys.hubPublicKey()).statusInterval(Duration.ofSeconds(-1)).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d")).hubKey(TestKeys.hubPublicKey())
                .reconnectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1)).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d")).hubKey(TestKeys.hubPublicKey()).inflightWindow(0).build());
        invalid(() -> EdgeConfig.builder(BROKER, "s", List.of("d")).hubKey(TestKeys.hubPublicKey()).modelWait(Duration.ZERO).build());
        invalid(() -> dev.tandem.edge.uplink.OutboxSettings.defaults().withBudget(dev.tandem.edge.uplink.MessageClass.ALARM, 0));
        invalid(() -> dev.tandem.edge.uplink.OutboxSettings.defaults().withBatch(Duration.ZERO, 1));
        invalid(() -> new EdgeAgent(null));
    }
}
