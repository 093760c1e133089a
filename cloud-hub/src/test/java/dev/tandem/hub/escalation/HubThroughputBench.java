package dev.tandem.hub.escalation;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Verdict throughput through one hub on mosquitto, beside the raw rate of the same payloads to a
 * plain subscriber on the same broker. A measurement, not a CI test:
 * {@code mvn -pl cloud-hub test -Dtest=HubThroughputBench -Dhub.bench=true [-Dhub.bench.n=20000]}.
 */
@EnabledIfSystemProperty(named = "hub.bench", matches = "true")
class HubThroughputBench {
    private static final int DEVICES = 4;

    @Test
    void verdictThroughput_besideRawBrokerRate() {
        int n = Integer.getInteger("hub.bench.n", 20_000);
        int delta = Integer.getInteger("hub.bench.delta", 10);
        String site = Signals.site();
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            HubConfig config = Hubs.config(broker.address()).toBuilder().sharedSubscription(!Boolean.getBoolean("hub.bench.plain")).build();
            try (CloudHub hub = CloudHub.start(config);
                 TestClient admin = TestClient.connect(broker.url())) {
                for (int d = 0; d < DEVICES; d++) {
                    Hubs.commission(admin, site, "m" + d);
                }
                assertTrue(TestWait.until(Duration.ofSeconds(120), () -> hub.metrics().snapshot().devicesWithModel() == DEVICES));
                int context = hub.fleet().models(new DeviceId(site, "m0")).orElseThrow().large().contextSize();

                // what edges send: a full context first, then only the new samples (delta) per escalation
                List<String> topics = new ArrayList<>(n);
                List<byte[]> payloads = new ArrayList<>(n);
                long[] window = new long[DEVICES];
                for (int i = 0; i < n; i++) {
                    int d = i % DEVICES;
                    String dev = "m" + d;
                    Escalation e;
                    if (window[d] == 0) {
                        window[d] = 10_000;
                        e = Signals.normalEscalation(site, dev, window[d], context);
                    } else {
                        window[d] += delta;
                        e = Signals.escalation(site, dev, Signals.range(window[d] - delta + 1, window[d]), context);
                    }
                    topics.add(Topics.of(site, dev, Topics.Kind.ESCALATIONS));
                    payloads.add(Wire.encode(e));
                }
                double raw = raw(broker, topics, payloads);
                double through = throughHub(broker, hub, site, topics, payloads);
                HubMetrics.Snapshot s = hub.metrics().snapshot();
                System.out.printf("%n| flow (mosquitto, %d escalations, %d devices, delta %d samples, ~%d B each) | msg/s |%n"
                                + "|---|---|%n| raw: publisher -> plain subscriber | %.0f |%n"
                                + "| through the hub: escalation -> verdict (%s subscription) | %.0f |%n"
                                + "| ratio | %.2f |%n%nmean batch %.1f, verdict latency p50 %.1f ms p99 %.1f ms, errors %d; per batch: decode %.2f ms, score %.2f ms, publish %.2f ms%n",
                        n, DEVICES, delta, payloads.get(n - 1).length, raw,
                        config.sharedSubscription() ? "shared" : "plain", through, through / raw,
                        s.meanBatchSize(), s.verdictLatencyP50Ms(), s.verdictLatencyP99Ms(), s.errors(),
                        s.meanBatchDecodeMs(), s.meanBatchScoreMs(), s.meanBatchPublishMs());
            }
        }
    }

    private static double raw(MosquittoBroker broker, List<String> topics, List<byte[]> payloads) {
        try (TestClient sub = TestClient.counting(broker.url(), 1).subscribe("bench/+/escalations");
             TestClient pub = TestClient.counting(broker.url(), 500)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < payloads.size(); i++) {
                pub.publish("bench/" + (i % DEVICES) + "/escalations", payloads.get(i));
            }
            assertTrue(TestWait.until(Duration.ofSeconds(120), () -> sub.count() >= payloads.size()));
            return payloads.size() / ((sub.lastArrivalNanos() - t0) / 1e9);
        }
    }

    private static double throughHub(MosquittoBroker broker, CloudHub hub, String site, List<String> topics,
                                     List<byte[]> payloads) {
        try (TestClient verdicts = TestClient.counting(broker.url(), 1).subscribe(Topics.allDevices(site, Topics.Kind.VERDICTS));
             TestClient pub = TestClient.counting(broker.url(), 500)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < payloads.size(); i++) {
                pub.publish(topics.get(i), payloads.get(i));
            }
            assertTrue(TestWait.until(Duration.ofSeconds(300), () -> verdicts.count() >= payloads.size()),
                    "verdicts: " + verdicts.count() + " " + hub.metrics().snapshot());
            return payloads.size() / ((verdicts.lastArrivalNanos() - t0) / 1e9);
        }
    }
}
