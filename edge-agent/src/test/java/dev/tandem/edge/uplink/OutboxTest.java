package dev.tandem.edge.uplink;

import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.edge.TestWait;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class OutboxTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void offer_whenFull_dropsTheOldestAndCountsThem() {
        AtomicInteger drops = new AtomicInteger();
        Outbox outbox = new Outbox(3, 8, drops::incrementAndGet);
        for (int i = 1; i <= 5; i++) {
            outbox.offer("t/" + i, utf8("m" + i), false);
        }
        assertEquals(2, drops.get());
        assertEquals(2, outbox.dropped());
        assertEquals(List.of("t/3", "t/4", "t/5"), outbox.queued().stream().map(Outbox.Message::topic).toList());
        assertEquals(0, outbox.inFlight());
    }

    @Test
    void drain_throughARealBroker_deliversEverythingInOrder_neverPastTheWindow(Vertx vertx) {
        int n = 3000;
        int window = 8;
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            List<String> received = new CopyOnWriteArrayList<>();
            VertxTestContext subscribed = new VertxTestContext();
            VertxTestContext delivered = new VertxTestContext();
            Checkpoint message = delivered.checkpoint(n); // strict: a duplicate would fail it
            MqttClient subscriber = MqttClient.create(vertx, new MqttClientOptions().setClientId("sub"));
            subscriber.subscribeCompletionHandler(a -> subscribed.completeNow());
            subscriber.publishHandler(m -> {
                received.add(m.payload().toString(StandardCharsets.UTF_8));
                message.flag();
            });
            subscriber.connect(broker.address().port(), "127.0.0.1")
                    .compose(c -> subscriber.subscribe("outbox/test", 1))
                    .onFailure(subscribed::failNow);
            TestWait.await(subscribed, Duration.ofSeconds(10), "the subscriber's SUBACK");

            AtomicInteger maxInFlight = new AtomicInteger();
            AtomicInteger drops = new AtomicInteger();
            VertxTestContext attached = new VertxTestContext();
            Outbox[] outbox = new Outbox[1];
            vertx.getOrCreateContext().runOnContext(v -> {
                // the publisher's client allows exactly the window: one publish too many would fail
                MqttClient publisher = MqttClient.create(vertx, new MqttClientOptions().setClientId("pub")
                        .setMaxInflightQueue(window));
                Outbox o = new Outbox(n, window, drops::incrementAndGet);
                IntStream.range(0, n).forEach(i -> o.offer("outbox/test", utf8(Integer.toString(i)), false));
                attached.verify(() -> assertEquals(n, o.size(), "held until a connection is attached"));
                outbox[0] = o;
                publisher.connect(broker.address().port(), "127.0.0.1").onSuccess(c -> {
                    o.attach(publisher);
                    vertx.setPeriodic(1, id -> maxInFlight.accumulateAndGet(o.inFlight(), Math::max));
                    attached.completeNow();
                }).onFailure(attached::failNow);
            });
            TestWait.await(attached, Duration.ofSeconds(10), "the outbox attached to a connected publisher");

            TestWait.await(delivered, Duration.ofSeconds(20), n + " messages delivered");
            assertEquals(IntStream.range(0, n).mapToObj(Integer::toString).toList(), received);
            assertEquals(0, drops.get());
            assertTrue(maxInFlight.get() <= window, "in flight: " + maxInFlight.get());
            TestWait.until(vertx, () -> outbox[0].acked() == n, Duration.ofSeconds(5), "every PUBACK");
            assertEquals(n, outbox[0].acked());
        }
    }
}
