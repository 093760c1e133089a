package dev.tandem.edge;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.ArtifactChunk;
import dev.tandem.shared.wire.ArtifactFetch;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Plays the hub (and the sensors) in tests through a plain vertx-mqtt client on the real broker:
 * publishes readings and model assignments, records what the agent publishes, and optionally
 * answers escalations with verdicts. Blocking helpers, every wait bounded (on the future, the queue
 * or the ack count, never by sleeping); call them from the test thread, never from an event loop.
 */
final class TestHub implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);

    private final MqttClient client;
    private final Map<String, LinkedBlockingQueue<byte[]>> received = new ConcurrentHashMap<>();
    private final Map<String, List<byte[]>> history = new ConcurrentHashMap<>();
    private final Map<String, Long> nextSeq = new ConcurrentHashMap<>();
    private final AtomicLong published = new AtomicLong();
    private final Count acked = new Count();
    private final Count subacks = new Count();
    private volatile Function<Escalation, Verdict> answerer;
    private volatile Function<ArtifactFetch, byte[]> artifacts;

    private TestHub(MqttClient client) {
        this.client = client;
    }

    static TestHub connect(Vertx vertx, BrokerAddress broker) {
        MqttClient c = MqttClient.create(vertx, new MqttClientOptions()
                .setClientId("test-hub-" + System.nanoTime())
                .setMaxInflightQueue(10_000)
                .setMaxMessageSize(8 * 1024 * 1024));
        TestHub hub = new TestHub(c);
        c.publishHandler(m -> hub.onMessage(m.topicName(), m.payload().getBytes()));
        c.publishCompletionHandler(id -> hub.acked.increment());
        c.subscribeCompletionHandler(ack -> hub.subacks.increment());
        await(c.connect(broker.port(), broker.host()));
        return hub;
    }

    private void onMessage(String topic, byte[] payload) {
        received.computeIfAbsent(topic, t -> new LinkedBlockingQueue<>()).add(payload);
        history.computeIfAbsent(topic, t -> java.util.Collections.synchronizedList(new ArrayList<>())).add(payload);
        Function<ArtifactFetch, byte[]> server = artifacts;
        if (server != null && topic.endsWith("/" + Topics.Kind.MODEL_FETCH.suffix())) {
            ArtifactFetch f = Wire.decode(payload, ArtifactFetch.class);
            byte[] chunk = server.apply(f);
            if (chunk != null) {
                published.incrementAndGet();
                client.publish(Topics.of(f.site(), f.device(), Topics.Kind.MODEL_CHUNK), Buffer.buffer(chunk),
                        MqttQoS.AT_LEAST_ONCE, false, false);
            }
        }
        Function<Escalation, Verdict> a = answerer;
        if (a != null && topic.endsWith("/" + Topics.Kind.ESCALATIONS.suffix())) {
            Verdict v = a.apply(Wire.decode(payload, Escalation.class));
            if (v != null) {
                published.incrementAndGet();
                client.publish(Topics.of(v.site(), v.device(), Topics.Kind.VERDICTS), Buffer.buffer(Wire.encode(v)),
                        MqttQoS.AT_LEAST_ONCE, false, false);
            }
        }
    }

    /** Subscribes (QoS 1) and waits for the SUBACK. */
    TestHub subscribe(String... filters) {
        for (String f : filters) {
            long before = subacks.get();
            await(client.subscribe(f, 1));
            subacks.awaitAtLeast(before + 1, WAIT, "SUBACK for " + f);
        }
        return this;
    }

    /** From now on, answers every escalation it receives with {@code answer} (null: no answer). */
    TestHub answerEscalations(Function<Escalation, Verdict> answer) {
        this.answerer = answer;
        return this;
    }

    /**
     * From now on, answers every artifact request it receives (subscribe to the device's {@code model/fetch}
     * first) with the frame {@code answer} makes ({@link ArtifactChunk#encode}; null: no answer), on the
     * device's {@code model/chunk} topic, as the hub does.
     */
    TestHub serveArtifacts(Function<ArtifactFetch, byte[]> answer) {
        this.artifacts = answer;
        return this;
    }

    /** Publishes a wire message at QoS 1 and waits for the broker's PUBACK. */
    void publish(String topic, Object message, boolean retain) {
        publishRaw(topic, Wire.encode(message), retain);
    }

    void publishRaw(String topic, byte[] payload, boolean retain) {
        long target = published.incrementAndGet();
        await(client.publish(topic, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, retain));
        acked.awaitAtLeast(target, WAIT, "PUBACK of a publish on " + topic);
    }

    /** Publishes one reading batch of the given rows, with this hub's running seq for the device; returns the last seq. */
    long readings(String site, String device, double[]... rows) {
        List<Sample> samples = new ArrayList<>();
        long ts = System.currentTimeMillis();
        for (double[] row : rows) {
            long seq = nextSeq.merge(site + "/" + device, 1L, Long::sum) - 1;
            samples.add(new Sample(seq, ts, row));
        }
        publish(Topics.of(site, device, Topics.Kind.READINGS), ReadingBatch.of(site, device, samples), false);
        return samples.get(samples.size() - 1).seq();
    }

    /** One batch of these rows that names its channels. */
    long namedReadings(String site, String device, List<String> channels, double[]... rows) {
        List<Sample> samples = new ArrayList<>();
        long ts = System.currentTimeMillis();
        for (double[] row : rows) {
            samples.add(new Sample(nextSeq.merge(site + "/" + device, 1L, Long::sum) - 1, ts, row));
        }
        publish(Topics.of(site, device, Topics.Kind.READINGS), ReadingBatch.of(site, device, 0, samples, channels), false);
        return samples.get(samples.size() - 1).seq();
    }

    /** {@code n} readings of the same row, one sample per batch of {@code perBatch}. */
    long readings(String site, String device, int n, int perBatch, double[] row) {
        long last = -1;
        for (int i = 0; i < n; i += perBatch) {
            int k = Math.min(perBatch, n - i);
            double[][] rows = new double[k][];
            for (int j = 0; j < k; j++) {
                rows[j] = row;
            }
            last = readings(site, device, rows);
        }
        return last;
    }

    /** The next message on {@code topic} not yet taken, within {@link #WAIT}. */
    <T> T next(String topic, Class<T> type) {
        return next(topic, type, WAIT);
    }

    <T> T next(String topic, Class<T> type, Duration timeout) {
        try {
            byte[] p = received.computeIfAbsent(topic, t -> new LinkedBlockingQueue<>())
                    .poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (p == null) {
                fail("nothing on " + topic + " within " + timeout);
            }
            return Wire.decode(p, type);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message on {@code topic}, or null if none comes within {@code timeout}. */
    <T> T poll(String topic, Class<T> type, Duration timeout) {
        try {
            byte[] p = received.computeIfAbsent(topic, t -> new LinkedBlockingQueue<>())
                    .poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return p == null ? null : Wire.decode(p, type);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Every message seen on {@code topic} so far. */
    <T> List<T> all(String topic, Class<T> type) {
        List<byte[]> h = history.getOrDefault(topic, List.of());
        synchronized (h) {
            return h.stream().map(p -> Wire.decode(p, type)).toList();
        }
    }

    int count(String topic) {
        return history.getOrDefault(topic, List.of()).size();
    }

    @Override
    public void close() {
        if (client.isConnected()) {
            await(client.disconnect());
        }
    }

    // ---- bounded waiting --------------------------------------------------------------------------

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete within " + WAIT + ": " + e, e);
        }
    }

    /** A count a test thread waits on, bounded, woken by every increment (an MQTT ack on the event loop). */
    static final class Count {
        private long value;

        synchronized void increment() {
            value++;
            notifyAll();
        }

        synchronized long get() {
            return value;
        }

        synchronized void awaitAtLeast(long target, Duration timeout, String what) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (value < target) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    fail("timed out after " + timeout + " waiting for " + what);
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }
}
