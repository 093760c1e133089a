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
import org.junit.jupiter.api.extension.ExtendWith;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
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
        Received received = subscribe(site);

        FactoryLine line = new FactoryLine(sim);
        SensorPublisher publisher = new SensorPublisher(vertx, line, PublisherConfig.builder(site, mosquitto.address())
                .asFastAsPossible().samplesPerDevice(perDevice).maxInflight(500).build());
        await(publisher.start());
        await(publisher.completion());
        received.awaitTotal(3 * perDevice);

        FactoryLine reference = new FactoryLine(sim);
        for (String device : line.deviceIds()) {
            List<Sample> got = received.of(device);
            assertEquals(perDevice, got.size(), device);
            for (int i = 0; i < perDevice; i++) {
                LabeledSample expected = reference.machine(device).next();
                assertEquals(i, got.get(i).seq(), device + " in order");
                assertEquals(expected.sample(), got.get(i), device + " seq " + i + " is the generated sample");
                assertEquals(expected.anomalous(), line.groundTruth().isAnomalous(device, i), "ground truth of " + device + " " + i);
                assertEquals(expected.kind(), line.groundTruth().kind(device, i));
            }
            assertEquals(perDevice, publisher.published(device));
            // the readings name their channels on the first batch and every 100th after it, not on every one
            List<Long> named = received.namedAt.get(device).stream().sorted().toList();
            assertEquals(java.util.stream.LongStream.range(0, perDevice / SensorPublisher.NAME_EVERY)
                    .map(k -> k * SensorPublisher.NAME_EVERY).boxed().toList(), named, device);
            assertEquals(line.machine(device).profile().channelNames(), received.names.get(device), device);
        }
        assertEquals(3L * perDevice, publisher.published());
        assertEquals(0, publisher.failed());
        assertEquals(3L * perDevice, line.groundTruth().recorded());
        assertTrue(line.groundTruth().anomalous() > 0, "the published stream carries labelled anomalies");
    }

    @Test
    void paced_publishesAtTheConfiguredRatePerDevice() throws Exception {
        String site = site();
        Received received = subscribe(site);
        SensorPublisher publisher = new SensorPublisher(vertx, new FactoryLine(SimConfig.defaults(1, 2)),
                PublisherConfig.builder(site, mosquitto.address()).ratePerDevice(40).samplesPerDevice(40).build());
        long t0 = System.nanoTime();
        await(publisher.start());
        await(publisher.completion());
        double seconds = (System.nanoTime() - t0) / 1e9;
        received.awaitTotal(80);
        // 40 samples at 40/s: the last one is due after ~1 s: paced, not all at once (the upper bound only bounds the wait)
        assertTrue(seconds > 0.8 && seconds < 10, "took " + seconds + " s");
        assertEquals(40, received.of("machine-01").size());
        assertEquals(40, received.of("machine-02").size());
    }

    @Test
    void wallClock_stampsReadingsWithTheTimeTheyAreDue() throws Exception {
        String site = site();
        Received received = subscribe(site);
        SensorPublisher publisher = new SensorPublisher(vertx, new FactoryLine(SimConfig.defaults(1, 2)),
                PublisherConfig.builder(site, mosquitto.address()).ratePerDevice(50).samplesPerDevice(50)
                        .wallClock(true).build());
        long before = System.currentTimeMillis();
        await(publisher.start());
        await(publisher.completion());
        long after = System.currentTimeMillis();
        received.awaitTotal(100);
        for (String device : List.of("machine-01", "machine-02")) {
            List<Sample> got = received.of(device);
            long t0 = got.get(0).ts();
            assertTrue(t0 >= before && t0 <= after, device + " first stamp " + t0 + " within the run [" + before + ", " + after + "]");
            for (int i = 0; i < got.size(); i++) {
                assertEquals(t0 + 20L * i, got.get(i).ts(), device + " " + i + ": one stamp every 1/50 s");
            }
            assertTrue(got.get(got.size() - 1).ts() <= after, "no stamp after the run: " + (got.get(got.size() - 1).ts() - after));
        }
        TandemException e = assertThrows(TandemException.class, () -> PublisherConfig.builder(site, mosquitto.address())
                .asFastAsPossible().wallClock(true).build());
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
    }

    @Test
    void untilStopped_stopDrainsInFlight_thenNothingMoreIsPublished(VertxTestContext quiet) throws Exception {
        String site = site();
        Received received = subscribe(site);
        FactoryLine line = new FactoryLine(SimConfig.defaults(5, 4));
        SensorPublisher publisher = new SensorPublisher(vertx, line,
                PublisherConfig.builder(site, mosquitto.address()).ratePerDevice(200).build());
        await(publisher.start());
        await(received.atLeast(101)); // running: then stop it
        await(publisher.stop());
        assertTrue(publisher.completion().succeeded(), "stopping completes a publisher that runs until stopped");
        long published = publisher.published();
        assertTrue(published > 100, "published " + published);
        assertEquals(0, publisher.failed());
        received.awaitTotal(published);
        assertEquals(published, line.groundTruth().recorded());
        await(publisher.stop()); // idempotent
        // nothing after stop: a stray sample would show up within this 200 ms window
        vertx.setTimer(200, t -> quiet.verify(() -> {
            assertEquals(published, received.total(), "nothing after stop");
            quiet.completeNow();
        }));
        assertTrue(quiet.awaitCompletion(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "quiet window elapsed");
    }

    @Test
    void qos0AndQos2_publishEverySample() throws Exception {
        for (int qos : new int[]{0, 2}) {
            String site = site();
            Received received = subscribe(site);
            SensorPublisher publisher = new SensorPublisher(vertx, new FactoryLine(SimConfig.defaults(qos, 3)),
                    PublisherConfig.builder(site, mosquitto.address()).qos(qos).asFastAsPossible()
                            .samplesPerDevice(200).build());
            await(publisher.start());
            await(publisher.completion());
            assertEquals(600, publisher.published(), "QoS " + qos);
            received.awaitTotal(600);
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
            String site = site();
            Received received = subscribe(site, doomed.address());
            publisher = new SensorPublisher(vertx, new FactoryLine(SimConfig.defaults(1, 2)),
                    PublisherConfig.builder(site, doomed.address()).ratePerDevice(100).build());
            await(publisher.start());
            await(received.atLeast(10)); // publishing, the first acknowledgements in
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

    /** A plain subscriber on every device's readings of the site (on the test broker). */
    private Received subscribe(String site) {
        return subscribe(site, mosquitto.address());
    }

    /** A plain subscriber on every device's readings of the site, decoding and keeping samples per device. */
    private Received subscribe(String site, BrokerAddress broker) {
        Received received = new Received();
        MqttClient client = MqttClient.create(vertx, new MqttClientOptions().setClientId("sub-" + site).setMaxInflightQueue(1000));
        client.publishHandler(m -> {
            ReadingBatch batch = Wire.decode(m.payload().getBytes(), ReadingBatch.class);
            assertEquals(Topics.of(site, batch.device(), Topics.Kind.READINGS), m.topicName());
            received.add(batch);
        });
        Promise<Void> subscribed = Promise.promise();
        client.subscribeCompletionHandler(ack -> subscribed.tryComplete());
        await(client.connect(broker.port(), broker.host())
                .compose(ack -> client.subscribe(Topics.allDevices(site, Topics.Kind.READINGS), 1))
                .compose(id -> subscribed.future()));
        subscribers.add(client);
        return received;
    }

    /** What a subscriber received, per device; waits complete as the samples arrive (no polling). */
    private static final class Received {
        private final Map<String, List<Sample>> byDevice = new ConcurrentHashMap<>();
        /** Per device, the seq of each batch that named its channels, and the names. */
        private final Map<String, List<Long>> namedAt = new ConcurrentHashMap<>();
        private final Map<String, List<String>> names = new ConcurrentHashMap<>();
        private final Map<Long, Promise<Void>> waits = new HashMap<>();
        private long total;

        synchronized void add(ReadingBatch batch) {
            byDevice.computeIfAbsent(batch.device(), d -> new CopyOnWriteArrayList<>()).addAll(batch.samples());
            if (batch.channels() != null) {
                namedAt.computeIfAbsent(batch.device(), d -> new CopyOnWriteArrayList<>()).add(batch.samples().get(0).seq());
                names.put(batch.device(), batch.channels());
            }
            total += batch.samples().size();
            waits.forEach((n, p) -> {
                if (total >= n) {
                    p.tryComplete();
                }
            });
        }

        /** Completes once at least {@code n} samples have arrived. */
        synchronized Future<Void> atLeast(long n) {
            Promise<Void> p = waits.computeIfAbsent(n, k -> Promise.promise());
            if (total >= n) {
                p.tryComplete();
            }
            return p.future();
        }

        /** Waits (bounded) for {@code n} samples, then checks no more came. */
        void awaitTotal(long n) {
            try {
                get(atLeast(n));
            } catch (ExecutionException | InterruptedException e) {
                throw new AssertionError(e);
            } catch (AssertionError timedOut) {
                // reported below with the count
            }
            assertEquals(n, total(), "samples received");
        }

        synchronized long total() {
            return total;
        }

        List<Sample> of(String device) {
            return byDevice.get(device);
        }
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
