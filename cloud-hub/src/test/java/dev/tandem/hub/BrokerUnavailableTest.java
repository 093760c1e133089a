package dev.tandem.hub;

import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerUnavailableTest {

    @Test
    void start_withoutBroker_returnsInTime_countsBrokerUnavailable_andConnectsWhenBrokerAppears() throws Exception {
        int port = MosquittoBroker.freePort();
        BrokerAddress address = new BrokerAddress("127.0.0.1", port);
        // the store's first open in a JVM loads H2 and Flyway (seconds on a loaded machine): not what is timed here
        dev.tandem.hub.store.HubStore.open(dev.tandem.hub.store.StoreSettings.inMemory()).close();
        long t0 = System.nanoTime();
        try (CloudHub hub = CloudHub.start(HubConfig.builder(address).connectTimeout(Duration.ofSeconds(1)).build())) {
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "start must not hang");
            assertFalse(hub.isConnected());
            assertTrue(hub.metrics().errorCount(ErrorCode.BROKER_UNAVAILABLE) >= 1);

            try (MosquittoBroker broker = MosquittoBroker.start(port)) {
                assertTrue(hub.awaitConnected(Duration.ofSeconds(20)), "hub connects once the broker is there");
                String site = Signals.site();
                try (TestClient device = TestClient.connect(address.url())) {
                    device.publish(Topics.of(site, "m1", Topics.Kind.STATUS), Wire.encode(new DeviceStatus(
                            DeviceStatus.VERSION, site, "m1", DeviceStatus.State.DETECTING, "tiny-1", 1, 0, 0, 0, null, 0, 1)));
                    assertTrue(TestWait.until(Duration.ofSeconds(5),
                            () -> hub.fleet().view(new DeviceId(site, "m1")).isPresent()), "subscribed after connecting");
                    assertEquals(DeviceStatus.State.DETECTING, hub.fleet().view(new DeviceId(site, "m1")).get().state());
                }
            }
        }
    }
}
