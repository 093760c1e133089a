package dev.tandem.hub.escalation;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Hubs;
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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedSubscriptionTest {

    @Test
    void twoHubs_splitTheEscalations_andEveryOneIsAnsweredExactlyOnce() {
        String site = Signals.site();
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub a = CloudHub.start(Hubs.config(broker.address()).toBuilder().instanceId("a").build());
             CloudHub b = CloudHub.start(Hubs.config(broker.address()).toBuilder().instanceId("b").build());
             TestClient device = TestClient.connect(broker.url()).subscribe(Topics.allDevices(site, Topics.Kind.VERDICTS))) {
            Hubs.commission(device, site, "m1");
            DeviceId id = new DeviceId(site, "m1");
            assertTrue(TestWait.until(Hubs.FIT_TIMEOUT,
                    () -> a.fleet().models(id).isPresent() && b.fleet().models(id).isPresent()), "both hubs fit the device");
            int context = a.fleet().models(id).get().large().contextSize();

            int n = 200;
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < n; i++) {
                Escalation e = Signals.normalEscalation(site, "m1", 1_000 + i * 100L, context);
                ids.add(e.id());
                Hubs.send(device, e);
            }
            assertTrue(TestWait.until(Duration.ofSeconds(30),
                    () -> a.metrics().snapshot().verdictsSent() + b.metrics().snapshot().verdictsSent() >= n));
            TestWait.until(Duration.ofMillis(500), () -> false); // a duplicate would show up meanwhile

            Map<String, Integer> answers = new HashMap<>();
            for (TestClient.Received r : device.drain()) {
                answers.merge(Wire.decode(r.payload(), Verdict.class).id(), 1, Integer::sum);
            }
            assertEquals(ids, answers.keySet(), "every escalation answered");
            assertTrue(answers.values().stream().allMatch(c -> c == 1), "none answered twice");
            long fromA = a.metrics().snapshot().verdictsSent();
            long fromB = b.metrics().snapshot().verdictsSent();
            System.out.printf("shared subscription: hub a answered %d, hub b %d%n", fromA, fromB);
            assertEquals(n, fromA + fromB);
            assertTrue(fromA > 0 && fromB > 0, "both hubs answer some: " + fromA + " / " + fromB);
        }
    }
}
