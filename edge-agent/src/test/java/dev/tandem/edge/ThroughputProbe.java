package dev.tandem.edge;

import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import dev.tandem.shared.window.Feature;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Not a test: a measurement of the readings/s one edge agent sustains through mosquitto, beside a
 * plain subscriber on the same flow. Run with
 * {@code mvn -o -pl edge-agent test -Dtest=ThroughputProbe -Dtandem.perf=true}.
 */
@EnabledIfSystemProperty(named = "tandem.perf", matches = "true")
class ThroughputProbe {
    private static final int CHANNELS = 5;
    private static final int WINDOW = 32;
    private static final int MESSAGES = Integer.getInteger("tandem.perf.messages", 200_000);

    /** A realistic-size tiny model (5 channels x 5 features, k = 4) whose policy calls everything normal. */
    private static TinyModel model() {
        List<Feature> features = List.of(Feature.MEAN, Feature.STD, Feature.MAX, Feature.SLOPE, Feature.LAST);
        int d = features.size() * CHANNELS;
        Random r = new Random(1);
        double[][] comps = new double[4][d];
        for (double[] c : comps) {
            for (int i = 0; i < d; i++) {
                c[i] = r.nextGaussian() / Math.sqrt(d);
            }
        }
        double[] center = new double[d];
        double[] scale = new double[d];
        java.util.Arrays.fill(scale, 1);
        return new TinyModel(TinyModel.FORMAT, "perf", CHANNELS, WINDOW, features, center, scale, comps,
                new double[]{4, 3, 2, 1}, 10, 10, 1, 0, new EscalationPolicy(1e300, 1e300, 1e300));
    }

    private static List<byte[]> payloads(String site, String device, int perMessage) {
        Random r = new Random(7);
        List<byte[]> out = new ArrayList<>(MESSAGES);
        long seq = 0;
        for (int m = 0; m < MESSAGES; m++) {
            List<Sample> samples = new ArrayList<>(perMessage);
            for (int k = 0; k < perMessage; k++) {
                double[] v = new double[CHANNELS];
                for (int c = 0; c < CHANNELS; c++) {
                    v[c] = 50 + 10 * c + r.nextGaussian();
                }
                samples.add(new Sample(seq, 1_700_000_000_000L + seq, v));
                seq++;
            }
            out.add(Wire.encode(ReadingBatch.of(site, device, samples)));
        }
        return out;
    }

    /** Publishes everything at QoS 1 with up to {@code window} unacknowledged; returns when all are written. */
    private static void publishAll(Vertx vertx, MosquittoBroker broker, String topic, List<byte[]> payloads) {
        int window = 1000;
        Promise<Void> done = Promise.promise();
        vertx.runOnContext(v -> {
            MqttClient pub = MqttClient.create(vertx, new MqttClientOptions().setClientId("perf-pub-" + System.nanoTime())
                    .setMaxInflightQueue(window));
            AtomicInteger next = new AtomicInteger();
            AtomicInteger inFlight = new AtomicInteger();
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (inFlight.get() < window && next.get() < payloads.size()) {
                    inFlight.incrementAndGet();
                    pub.publish(topic, Buffer.buffer(payloads.get(next.getAndIncrement())), MqttQoS.AT_LEAST_ONCE, false, false);
                }
                if (next.get() >= payloads.size() && inFlight.get() == 0) {
                    done.tryComplete();
                }
            };
            pub.publishCompletionHandler(id -> {
                inFlight.decrementAndGet();
                pump[0].run();
            });
            pub.connect(broker.address().port(), "127.0.0.1").onSuccess(c -> pump[0].run());
        });
        done.future().toCompletionStage().toCompletableFuture().join();
    }

    private static double measure(Vertx vertx, MosquittoBroker broker, String topic, List<byte[]> payloads,
                                  LongSupplier consumed, long target) {
        long before = consumed.getAsLong();
        long t0 = System.nanoTime();
        publishAll(vertx, broker, topic, payloads);
        TestWait.until(vertx, () -> consumed.getAsLong() >= target, Duration.ofMinutes(2), "all consumed");
        return (target - before) / ((System.nanoTime() - t0) / 1e9);
    }

    @Test
    void readingsPerSecond_ofOneAgent_besideAPlainSubscriber() {
        for (int perMessage : new int[]{1, 10}) {
            Vertx vertx = Vertx.vertx();
            try (MosquittoBroker broker = MosquittoBroker.start()) {
                String site = "perf" + perMessage;
                String device = "m1";
                String topic = Topics.of(site, device, Topics.Kind.READINGS);
                List<byte[]> warm = payloads(site, device, perMessage);

                // plain subscriber: counts messages, decodes nothing
                AtomicLong plain = new AtomicLong();
                MqttClient sub = MqttClient.create(vertx, new MqttClientOptions().setClientId("perf-sub"));
                AtomicLong subacks = new AtomicLong();
                sub.subscribeCompletionHandler(a -> subacks.incrementAndGet());
                sub.publishHandler(m -> plain.incrementAndGet());
                TestHub.await(sub.connect(broker.address().port(), "127.0.0.1"));
                TestHub.await(sub.subscribe(topic, 1));
                TestWait.until(vertx, () -> subacks.get() == 1, TestHub.WAIT, "suback");
                measure(vertx, broker, topic, warm, plain::get, MESSAGES); // warm-up (JIT), not reported
                double plainRate = measure(vertx, broker, topic, warm, plain::get, 2L * MESSAGES);
                TestHub.await(sub.disconnect());

                // the agent: decode, window, score every sample
                hubPublishModel(vertx, broker, site, device);
                EdgeAgent agent = new EdgeAgent(EdgeConfig.builder(broker.address(), site, List.of(device)).hubKey(TestKeys.hubPublicKey()).build());
                TestHub.await(vertx.deployVerticle(agent));
                TestHub.await(agent.modelsLoaded());
                List<byte[]> again = payloads(site, device, perMessage);
                double agentRate = measure(vertx, broker, topic, again, () -> agent.metrics().snapshot().readings(),
                        (long) MESSAGES * perMessage);
                EdgeMetrics.Snapshot s = agent.metrics().snapshot();
                assertEquals((long) MESSAGES * perMessage - WINDOW + 1, s.windows());
                System.out.printf("%n[perf] %d sample(s)/message, %d messages: plain subscriber %.0f msg/s; "
                                + "agent %.0f readings/s (%.0f msg/s) = %.2f of plain; windows scored %d%n",
                        perMessage, MESSAGES, plainRate, agentRate, agentRate / perMessage, agentRate / perMessage / plainRate,
                        s.windows());
            } finally {
                TestHub.await(vertx.close());
            }
        }
    }

    private static void hubPublishModel(Vertx vertx, MosquittoBroker broker, String site, String device) {
        TestHub hub = TestHub.connect(vertx, broker.address());
        try {
            hub.publish(Topics.of(site, device, Topics.Kind.MODEL), TestKeys.assignment(site, device, model(), 64), true);
        } finally {
            hub.close();
        }
    }
}
