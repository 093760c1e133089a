package dev.tandem.hub.mqtt;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub's MQTT session outlives a restart (mosquitto): after a crash, what devices send while the
 * hub is away (escalations through the shared subscription, commissioning sets) is queued by the
 * broker for the hub's session and handled once the same instance is back; after a clean stop the
 * shared subscription is left (other instances take the escalations) and the rest still waits.
 */
class PersistentSessionTest {
    @TempDir
    Path dataDir;

    @Test
    void whatDevicesSendWhileAKilledHubIsAway_isQueuedForItsSession_andAnsweredWhenItIsBack() {
        String site = Signals.site();
        try (MosquittoBroker broker = MosquittoBroker.start();
             TestClient device = TestClient.connect(broker.url())
                     .subscribe(Topics.allDevices(site, Topics.Kind.VERDICTS))
                     .subscribe(Topics.allDevices(site, Topics.Kind.MODEL))) {
            HubConfig config = config(broker, "killed");
            int context;
            CloudHub first = CloudHub.start(config);
            try {
                assertTrue(first.awaitConnected(Duration.ofSeconds(10)));
                Hubs.commission(device, site, "m1");
                Hubs.awaitModel(device, site, "m1");
                context = first.fleet().models(new DeviceId(site, "m1")).orElseThrow().large().contextSize();
            } finally {
                first.halt(); // as a killed process: no unsubscribe, no DISCONNECT
            }
            // the hub is away: escalations (shared subscription) and a new device's commissioning wait at the broker
            List<Escalation> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Escalation e = Signals.normalEscalation(site, "m1", 10_000 + i * 100L, context);
                sent.add(e);
                Hubs.send(device, e);
            }
            Hubs.commission(device, site, "m2");
            device.flush();
            try (CloudHub hub = CloudHub.start(config)) {
                assertTrue(hub.awaitConnected(Duration.ofSeconds(10)));
                for (Escalation e : sent) {
                    Verdict v = Hubs.awaitVerdict(device, e.id(), Duration.ofSeconds(30));
                    assertNotNull(v, "escalation " + e.id() + " sent while the hub was away is answered");
                    assertEquals(e.windowId(), v.windowId());
                }
                assertTrue(TestWait.until(Hubs.FIT_TIMEOUT, () -> hub.fleet().models(new DeviceId(site, "m2")).isPresent()),
                        "the commissioning set sent while the hub was away is fitted");
            }
        }
    }

    @Test
    void aCommissioningSetSentWhileTheHubStopsCleanly_waitsForItsRestart() {
        String site = Signals.site();
        try (MosquittoBroker broker = MosquittoBroker.start();
             TestClient device = TestClient.connect(broker.url()).subscribe(Topics.allDevices(site, Topics.Kind.MODEL))) {
            HubConfig config = config(broker, "stopped");
            try (CloudHub hub = CloudHub.start(config)) {
                assertTrue(hub.awaitConnected(Duration.ofSeconds(10)));
                Hubs.commission(device, site, "m1");
                Hubs.awaitModel(device, site, "m1");
            }
            Hubs.commission(device, site, "m2");
            device.flush();
            try (CloudHub hub = CloudHub.start(config)) {
                assertTrue(hub.awaitConnected(Duration.ofSeconds(10)));
                assertTrue(TestWait.until(Hubs.FIT_TIMEOUT, () -> hub.fleet().models(new DeviceId(site, "m2")).isPresent()),
                        "the commissioning set sent while the hub was stopped is fitted after its restart");
            }
        }
    }

    private HubConfig config(MosquittoBroker broker, String instance) {
        return Hubs.config(broker.address()).toBuilder().instanceId(instance).dataDir(dataDir.resolve(instance))
                .sessionExpiry(Duration.ofMinutes(1)).build();
    }
}
