package dev.tandem.hub.store;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.PostgresServer;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several hub instances on one PostgreSQL (and one mosquitto): each device is fitted once, by the
 * instance that takes its fit lease, and every instance loads its models; the escalations they
 * split are all recorded in the one store.
 */
class SharedStoreTest {
    @Test
    void threeInstancesOnOneDatabase_fitEachDeviceOnce_allLoadIt_andRecordEveryEscalation() {
        StoreSettings db = PostgresServer.shared().newStore("shared_store");
        String site = Signals.site();
        List<String> devices = List.of("m1", "m2", "m3");
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub a = CloudHub.start(config(broker, db, "a"));
             CloudHub b = CloudHub.start(config(broker, db, "b"));
             CloudHub c = CloudHub.start(config(broker, db, "c"));
             TestClient device = TestClient.connect(broker.url()).subscribe(Topics.allDevices(site, Topics.Kind.VERDICTS))) {
            List<CloudHub> hubs = List.of(a, b, c);
            for (CloudHub h : hubs) {
                assertTrue(h.awaitConnected(Duration.ofSeconds(10)));
            }
            for (String d : devices) {
                Hubs.commission(device, site, d);
            }
            assertTrue(TestWait.until(Hubs.FIT_TIMEOUT.multipliedBy(2), () -> hubs.stream().allMatch(h ->
                    devices.stream().allMatch(d -> h.fleet().models(new DeviceId(site, d)).isPresent()))),
                    "every instance holds every device's models");
            // an instance counts a load just after it holds the models: wait (bounded) for the count too
            TestWait.until(Duration.ofSeconds(10), () -> hubs.stream().mapToLong(h -> h.metrics().modelsLoaded()).sum()
                    >= devices.size() * (hubs.size() - 1L));
            long fitted = hubs.stream().mapToLong(h -> h.metrics().snapshot().modelsFitted()).sum();
            long loaded = hubs.stream().mapToLong(h -> h.metrics().modelsLoaded()).sum();
            System.out.printf("shared store: fitted a %d, b %d, c %d; loaded %d%n", a.metrics().snapshot().modelsFitted(),
                    b.metrics().snapshot().modelsFitted(), c.metrics().snapshot().modelsFitted(), loaded);
            assertEquals(devices.size(), fitted, "each device fitted once");
            assertEquals(devices.size() * (hubs.size() - 1), loaded, "the other instances loaded it");
            for (String d : devices) {
                String version = a.fleet().models(new DeviceId(site, d)).orElseThrow().tiny().version();
                for (CloudHub h : hubs) {
                    assertEquals(version, h.fleet().models(new DeviceId(site, d)).orElseThrow().tiny().version());
                }
                assertEquals(2, a.store().models().list(site, d).size(), "one tiny and one large model kept");
            }

            int context = a.fleet().models(new DeviceId(site, "m1")).orElseThrow().large().contextSize();
            int n = 60;
            List<Escalation> sent = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                Escalation e = Signals.normalEscalation(site, devices.get(i % devices.size()), 1_000 + i * 100L, context);
                sent.add(e);
                Hubs.send(device, e);
            }
            assertTrue(TestWait.until(Duration.ofSeconds(30), () -> hubs.stream()
                    .mapToLong(h -> h.metrics().snapshot().verdictsSent()).sum() >= n), "every escalation answered");
            for (CloudHub h : hubs) {
                assertTrue(h.escalationLog().flush(Duration.ofSeconds(10)));
            }
            assertEquals(n, a.store().escalations().count(), "every escalation recorded once, whoever answered it");
            Map<String, Integer> byInstance = new HashMap<>();
            for (String d : devices) {
                for (Escalations.EscalationRecord r : c.store().escalations().list(site, d, 0, Long.MAX_VALUE, n)) {
                    byInstance.merge(r.instanceId(), 1, Integer::sum);
                    assertTrue(r.verdictAnomaly() != null, "with its verdict");
                }
            }
            System.out.println("shared store: escalations recorded by instance " + byInstance);
            assertEquals(n, byInstance.values().stream().mapToInt(Integer::intValue).sum());

            // replayed (an edge's outbox after a restart) once instance a is gone: b and c answer a's escalations
            // as a answered them (from the store), their own as they did, and score nothing again
            Map<String, Verdict> first = new HashMap<>();
            for (TestClient.Received r : device.drain()) {
                Verdict v = Wire.decode(r.payload(), Verdict.class);
                first.put(v.id(), v);
            }
            assertEquals(n, first.size(), "one verdict per escalation");
            a.close();
            long byA = byInstance.getOrDefault("a", 0);
            assertTrue(byA > 0, "a answered some");
            long batches = hubs.stream().mapToLong(h -> h.metrics().snapshot().batches()).sum();
            long repeated = hubs.stream().mapToLong(h -> h.metrics().escalationsRepeated()).sum();
            for (Escalation e : sent) {
                Hubs.send(device, e);
            }
            List<TestClient.Received> again = device.awaitAll(m -> m.topic().endsWith("/verdicts"), n, Duration.ofSeconds(30));
            assertEquals(n, again.size(), "every replay answered");
            for (TestClient.Received r : again) {
                Verdict v = Wire.decode(r.payload(), Verdict.class);
                Verdict was = first.get(v.id());
                assertEquals(was.anomaly(), v.anomaly(), "the same verdict for " + v.id());
                assertEquals(was.score(), v.score(), 0.0, "the same score for " + v.id());
                assertEquals(was.hubModelVersion(), v.hubModelVersion());
            }
            assertEquals(repeated + n, hubs.stream().mapToLong(h -> h.metrics().escalationsRepeated()).sum(),
                    "every replay counted as repeated");
            assertEquals(batches, hubs.stream().mapToLong(h -> h.metrics().snapshot().batches()).sum(),
                    "no replay scored again, whichever instance it reached");
            assertTrue(hubs.stream().mapToLong(h -> h.escalationLog().lookups("found")).sum() > 0,
                    "a's escalations answered from the store");
            System.out.printf("shared store: %d replays answered from memory or the store (lookups found %d, none %d, skipped %d)%n",
                    n, hubs.stream().mapToLong(h -> h.escalationLog().lookups("found")).sum(),
                    hubs.stream().mapToLong(h -> h.escalationLog().lookups("none")).sum(),
                    hubs.stream().mapToLong(h -> h.escalationLog().lookups("skipped")).sum());
        }
    }

    private static HubConfig config(MosquittoBroker broker, StoreSettings db, String instance) {
        return Hubs.config(broker.address()).toBuilder().instanceId(instance).store(db).build();
    }
}
