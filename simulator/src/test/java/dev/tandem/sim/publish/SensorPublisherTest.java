package dev.tandem.sim.publish;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.LabeledSample;
import dev.tandem.sim.factory.SimConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SensorPublisherTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static Vertx vertx;
    private static MosquittoBroker mosquitto;
    private final List<MqttClient> subscribers = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
        mosquitto = MosquittoBroker.start();
    }

    @AfterAll
    static void tearDown() {
        if (mosquitto != null) {
            mosquitto.close();
        }
        if (vertx != null) {
            await(vertx.close());
        }
    }

    @AfterEach
    void disconnectSubscribers() {
        for (MqttClient c : subscribers) {
            if (c.isConnected()) {
                await(c.disconnect());
            }
        }
    }

    @Test
    void threeDevices_subscriberReceivesEverySample_inOrder_asTheGeneratorMadeIt() throws Exception {
        String site = site();
        SimConfig sim = SimConfig.defaults(99, 3);
        int perDevice = 2_000;
        Map<String, List<Sample>> received = subscribe(site, 3 * perDevice);

        FactoryLine line = new FactoryLine(sim);
        SensorPublisher publisher = new SensorPublisher(vertx, line, PublisherConfig.builder(site, mosquitto.address())
                .asFastAsPossible().samplesPerDevice(perDevice).maxInflight(500).build());
        await(publisher.start());
        await(publisher.completion());
        awaitCount(received, 3 * perDevice);

        FactoryLine reference = new FactoryLine(sim);
        for (String device : line.deviceIds()) {
            List<Sample> got = received.get(device);
            assertEquals(perDevice, got.size(), device);
            for (int i = 0; i < perDevice; i++) {
                LabeledSample expected = reference.machine(device).next();
                assertEquals(i, got.get(i).seq(), device + " in order");
                assertEquals(expected.sample(), got.get(i), device + " seq " + i + " is the generated sample");
                assertEquals(expected.anomalous(), line.groundTruth().isAnomalous(device, i), "ground truth of " + device + " " + i);
                assertEquals(expected.kind(), line.groundTruth().kind(device, i));
            }
            assertEquals(perDevice, publisher.published(device));
        }
        assertEquals(3L * perDevice, publisher.published());
        assertEquals(0, publisher.failed());
        assertEquals(3L * perDevice, line.groundTruth().recorded());
        assertTrue(line.groundTruth().anomalous() > 0, "the published stream carries labelled anomalies");
    }

    @Test
    void paced_publishesAtTheConfiguredRatePerDevice() throws Exception {
        String site = site();
        Map<String, List<Sample>> received = subscribe(site, 2 * 40);
        SensorPublisher publisher = new SensorPublisher(vertx, new FactoryLine(SimConfig.defaults(1, 2)),
                PublisherConfig.builder(site, mosquitto.address()).ratePerDevice(40).samplesPerDevice(40).build());
        long t0 = System.nanoTime();
        await(publisher.start());
        await(publisher.completion());
        double seconds = (System.nanoTime() - t0) / 1e9;
        awaitCount(received, 80);
        // 40 samples at 40/s: the last one is due after ~1 s, not at once and not much later
        assertTrue(seconds > 0.8 && seconds < 3.0, "took " + seconds + " s");
        assertEquals(40, received.get("machine-01").size());
        assertEquals(40, received.get("machine-02").size());
    }

    @Test
    void untilStopped_stopDrainsInFlight_thenNothingMoreIsPublished() throws Exception {
        String site = site();
        Map<String, List<Sample>> received = subscribe(site, Integer.MAX_VALUE);
        FactoryLine line = new FactoryLine(SimConfig.defaults(5, 4));
        SensorPublisher publisher = new SensorPublisher(vertx, line,
                PublisherConfig.builder(site, mosquitto.address()).ratePerDevice(200).build());
        await(publisher.start());
        Thread.sleep(500);
        await(publisher.stop());
        assertTrue(publisher.completion().succeeded(), "stopping completes a publisher that runs until stopped");
        long published = publisher.published();
        assertTrue(published > 100, "published " + published);
        assertEquals(0, publisher.failed());
        awaitCount(received, (int) published);
        Thread.sleep(200);
        assertEquals(published, total(received), "nothing after stop");
        assertEquals(published, line.groundTruth().recorded());
        await(publisher.stop()); // idempotent
    }

    @Test
    void qos0AndQos2_publishEverySample() throws Exception {
        for (int qos : new int[]{0, 2}) {
            String site = site();
            Map<String, List<Sample>> received = subscribe(site, 600);
            SensorPublisher publisher = new SensorPublisher(vertx, new FactoryLine(SimConfig.defaults(qos, 3)),
                    PublisherConfig.builder(site, mosquitto.address()).qos(qos).asFastAsPossible()
                            .samplesPerDevice(200).build());
            await(publisher.start());
            await(publisher.completion());
            assertEquals(600, publisher.published(), "QoS " + qos);
            awaitCount(received, 600);
        }
    }

    @Test
    void unreachableBroker_failsStartWithBrokerUnavailable_andCountsIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BrokerAddress nowhere = new BrokerAddress("127.0.0.1", MosquittoBroker.freePort());
        SensorPublisher publisher = new SensorPublisher(vertx, new FactoryLine(SimConfig.defaults(1, 1)),
                PublisherConfig.builder(site(), nowhere).connectTimeout(Duration.ofSeconds(2)).build(), registry);
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(publisher.start()));
        TandemException cause = assertInstanceOf(TandemException.class, e.getCause());
        assertEquals(ErrorCode.BROKER_UNAVAILABLE, cause.code());
        assertEquals(1.0, registry.get("tandem.sim.errors").tag("code", "BROKER_UNAVAILABLE").counter().count());
        // completion fails too (on the publisher's context, possibly just after start's failure)
        assertThrows(ExecutionException.class, () -> get(publisher.completion()));
        assertEquals(0, publisher.published());
    }

    @Test
    void brokerGoingAway_failsCompletionWithBrokerUnavailable() throws Exception {
        MosquittoBroker doomed = MosquittoBroker.start();
        SensorPublisher publisher;
        try {
            publisher = new SensorPublisher(vertx, new FactoryLine(SimConfig.defaults(1, 2)),
                    PublisherConfig.builder(site(), doomed.address()).ratePerDevice(100).build());
            await(publisher.start());
            Thread.sleep(200);
        } finally {
            doomed.close();
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(publisher.completion()));
        assertEquals(ErrorCode.BROKER_UNAVAILABLE, assertInstanceOf(TandemException.class, e.getCause()).code());
        assertTrue(publisher.published() > 0);
        await(publisher.stop()); // harmless after the loss
    }

    @Test
    void invalidConfig_isRefusedWithInvalidConfig() {
        PublisherConfig ok = PublisherConfig.defaults("site-1", mosquitto.address());
        for (Runnable bad : List.<Runnable>of(() -> ok.toBuilder().qos(3).build(), () -> ok.toBuilder().ratePerDevice(0).build(),
                () -> ok.toBuilder().samplesPerDevice(-1).build(), () -> ok.toBuilder().maxInflight(0).build(),
                () -> PublisherConfig.defaults("bad/site", mosquitto.address()))) {
            assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, bad::run).code());
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String site() {
        return "pubtest-" + Long.toHexString(System.nanoTime());
    }

    /** A plain subscriber on every device's readings of the site, decoding and keeping samples per device. */
    private Map<String, List<Sample>> subscribe(String site, int expected) {
        Map<String, List<Sample>> received = new ConcurrentHashMap<>();
        MqttClient client = MqttClient.create(vertx, new MqttClientOptions().setClientId("sub-" + site).setMaxInflightQueue(1000));
        AtomicInteger count = new AtomicInteger();
        client.publishHandler(m -> {
            ReadingBatch batch = Wire.decode(m.payload().getBytes(), ReadingBatch.class);
            assertEquals(Topics.of(site, batch.device(), Topics.Kind.READINGS), m.topicName());
            received.computeIfAbsent(batch.device(), d -> new CopyOnWriteArrayList<>()).addAll(batch.samples());
            count.incrementAndGet();
        });
        Promise<Void> subscribed = Promise.promise();
        client.subscribeCompletionHandler(ack -> subscribed.tryComplete());
        await(client.connect(mosquitto.address().port(), mosquitto.address().host())
                .compose(ack -> client.subscribe(Topics.allDevices(site, Topics.Kind.READINGS), 1))
                .compose(id -> subscribed.future()));
        subscribers.add(client);
        return received;
    }

    private static long total(Map<String, List<Sample>> received) {
        return received.values().stream().mapToLong(List::size).sum();
    }

    private static void awaitCount(Map<String, List<Sample>> received, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (total(received) < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, total(received), "samples received");
    }

    private static <T> T get(Future<T> f) throws ExecutionException, InterruptedException {
        try {
            return f.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("timed out", e);
        }
    }

    private static <T> T await(Future<T> f) {
        try {
            return get(f);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
