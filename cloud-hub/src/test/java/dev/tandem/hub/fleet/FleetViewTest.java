package dev.tandem.hub.fleet;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FleetViewTest {

    @Test
    void statusAndModelState_keepTheFleetView_andMalformedOnesAreCounted() {
        String site = Signals.site();
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub hub = CloudHub.start(HubConfig.defaults(broker.address()));
             TestClient device = TestClient.connect(broker.url())) {
            DeviceId m1 = new DeviceId(site, "m1");
            device.publish(Topics.of(site, "m1", Topics.Kind.STATUS), Wire.encode(new DeviceStatus(DeviceStatus.VERSION,
                    site, "m1", DeviceStatus.State.COMMISSIONING, null, 0, 0, 0, 0, null, 0, 1)), true);
            device.publish(Topics.of(site, "m1", Topics.Kind.MODEL_STATE),
                    Wire.encode(ModelState.active(site, "m1", "tiny-abc")));
            device.publish(Topics.of(site, "m1", Topics.Kind.STATUS), "garbage".getBytes(StandardCharsets.UTF_8));
            device.publish(Topics.of(site, "m2", Topics.Kind.MODEL_STATE),
                    Wire.encode(ModelState.active(site, "m1", "tiny-abc")));
            device.publish(Topics.of(site, "m1", Topics.Kind.STATUS), Wire.encode(DeviceStatus.offline(site, "m1")));

            assertTrue(TestWait.until(Duration.ofSeconds(5),
                    () -> hub.fleet().view(m1).map(v -> v.state() == DeviceStatus.State.OFFLINE).orElse(false)));
            DeviceView v = hub.fleet().view(m1).orElseThrow();
            assertEquals("tiny-abc", v.modelVersion());
            assertEquals(ModelState.State.ACTIVE, v.modelState());
            assertTrue(v.lastSeen() != null);
            assertEquals(1, hub.metrics().errorCount(ErrorCode.MALFORMED_PAYLOAD));
            assertEquals(1, hub.metrics().errorCount(ErrorCode.DEVICE_MISMATCH));
            assertEquals(3, hub.metrics().snapshot().fleetUpdates());
        }
    }

    @Test
    void aLastWillThatKeepsTheLastKnownState_showsTheDeviceOffline_withItsModelAndCounters() {
        String site = Signals.site();
        try (MosquittoBroker broker = MosquittoBroker.start();
             TestClient device = TestClient.connect(broker.url())) {
            DeviceStatus live = new DeviceStatus(DeviceStatus.VERSION, site, "m9", DeviceStatus.State.DETECTING, "tiny-9",
                    500, 3, 2, 0, "e3", 20, 1_700_000_000_000L);
            // what the broker holds after the agent died: its will, armed with the state it last knew
            device.publish(Topics.of(site, "m9", Topics.Kind.STATUS), Wire.encode(DeviceStatus.offlineFrom(live)), true);
            device.flush();
            try (CloudHub hub = CloudHub.start(HubConfig.defaults(broker.address()))) { // a hub that starts later
                DeviceId m9 = new DeviceId(site, "m9");
                assertTrue(TestWait.until(Duration.ofSeconds(5), () -> hub.fleet().view(m9).isPresent()));
                DeviceView v = hub.fleet().view(m9).orElseThrow();
                assertEquals(DeviceStatus.State.OFFLINE, v.state());
                assertEquals("tiny-9", v.modelVersion());
                assertEquals(500, v.windows());
                assertEquals(3, v.alarms());
                assertEquals(20, v.escalations());
            }
        }
    }
}
