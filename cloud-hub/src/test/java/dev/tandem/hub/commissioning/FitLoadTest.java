package dev.tandem.hub.commissioning;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FitLoadTest {

    @Test
    void tenDevicesCommissioningAtOnce_doNotStarveTheVerdictsOfADetectingDevice() {
        String site = Signals.site();
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub hub = CloudHub.start(Hubs.config(broker.address()));
             TestClient device = TestClient.connect(broker.url())
                     .subscribe(Topics.of(site, "m0", Topics.Kind.MODEL))
                     .subscribe(Topics.of(site, "m0", Topics.Kind.VERDICTS))) {
            Hubs.commission(device, site, "m0");
            int context = Hubs.awaitModel(device, site, "m0").contextSize();

            for (int d = 1; d <= 10; d++) {
                Hubs.commission(device, site, "m" + d);
            }
            long window = 10_000;
            long worstMs = 0;
            int answered = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (hub.metrics().snapshot().devicesWithModel() < 11 && System.nanoTime() < deadline) {
                window += 10;
                Escalation e = Signals.normalEscalation(site, "m0", window, context);
                long t0 = System.nanoTime();
                Hubs.send(device, e);
                Verdict v = Hubs.awaitVerdict(device, e.id(), Duration.ofSeconds(2));
                assertNotNull(v, "verdict within the edge's 2 s timeout while fitting, after " + answered);
                worstMs = Math.max(worstMs, (System.nanoTime() - t0) / 1_000_000);
                answered++;
                sleep(20);
            }
            System.out.printf("while 10 devices were fitted: %d verdicts, slowest round trip %d ms, mean fit %.0f ms; %s; score %.2f ms/batch%n",
                    answered, worstMs, hub.metrics().snapshot().meanFitMs(), hub.metrics().snapshot(),
                    hub.metrics().snapshot().meanBatchScoreMs());
            assertEquals(11, hub.metrics().snapshot().devicesWithModel());
            assertTrue(answered > 10);
            assertTrue(worstMs < 2000, "slowest verdict round trip while fitting (the edge waits 2 s): " + worstMs + " ms");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
