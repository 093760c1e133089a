package dev.tandem.edge.uplink;

import dev.tandem.shared.testing.MosquittoBroker;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    void drain_throughARealBroker_deliversEverythingInOrder_neverPastTheWindow(Vertx vertx) throws Exception {
        int n = 3000;
        int window = 8;
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            List<String> received = new CopyOnWriteArrayList<>();
            MqttClient subscriber = MqttClient.create(vertx, new MqttClientOptions().setClientId("sub"));
            AtomicLong subacks = new AtomicLong();
            subscriber.subscribeCompletionHandler(a -> subacks.incrementAndGet());
            subscriber.publishHandler(m -> received.add(m.payload().toString(StandardCharsets.UTF_8)));
            subscriber.connect(broker.address().port(), "127.0.0.1")
                    .compose(c -> subscriber.subscribe("outbox/test", 1))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (subacks.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }

            Context ctx = vertx.getOrCreateContext();
            AtomicInteger maxInFlight = new AtomicInteger();
            AtomicInteger drops = new AtomicInteger();
            Promise<Outbox> sent = Promise.promise();
            ctx.runOnContext(v -> {
                // the publisher's client allows exactly the window: one publish too many would fail
                MqttClient publisher = MqttClient.create(vertx, new MqttClientOptions().setClientId("pub")
                        .setMaxInflightQueue(window));
                Outbox outbox = new Outbox(n, window, drops::incrementAndGet);
                IntStream.range(0, n).forEach(i -> outbox.offer("outbox/test", utf8(Integer.toString(i)), false));
                assertEquals(n, outbox.size(), "held until a connection is attached");
                publisher.connect(broker.address().port(), "127.0.0.1").onSuccess(c -> {
                    outbox.attach(publisher);
                    vertx.setPeriodic(1, id -> maxInFlight.accumulateAndGet(outbox.inFlight(), Math::max));
                    sent.complete(outbox);
                });
            });
            Outbox outbox = sent.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(n, received.size());
            assertEquals(IntStream.range(0, n).mapToObj(Integer::toString).toList(), received);
            assertEquals(0, drops.get());
            assertTrue(maxInFlight.get() <= window, "in flight: " + maxInFlight.get());
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (outbox.acked() < n && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(n, outbox.acked());
        }
    }
}
