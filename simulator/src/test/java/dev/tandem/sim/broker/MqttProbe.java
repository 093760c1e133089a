package dev.tandem.sim.broker;

import dev.tandem.shared.config.BrokerAddress;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Plain vertx-mqtt (MQTT 3.1.1) publishers and subscribers for broker tests: numbered messages, counted. */
final class MqttProbe {
    static final int PAYLOAD_BYTES = 200;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private MqttProbe() {
    }

    /** A connected client and the event-loop context all its callbacks run on. */
    record Conn(MqttClient client, Context context) {
        void disconnect() {
            if (client.isConnected()) {
                await(client.disconnect());
            }
        }
    }

    static Conn connect(Vertx vertx, BrokerAddress broker, String clientId, boolean cleanSession, int window) {
        return connect(vertx, broker, clientId, cleanSession, window, c -> { });
    }

    /** {@code beforeConnect} sets handlers up before CONNECT: a persistent session's backlog follows CONNACK at once. */
    static Conn connect(Vertx vertx, BrokerAddress broker, String clientId, boolean cleanSession, int window,
                        java.util.function.Consumer<MqttClient> beforeConnect) {
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(clientId)
                .setCleanSession(cleanSession)
                .setMaxInflightQueue(window)
                .setKeepAliveInterval(30);
        Context context = vertx.getOrCreateContext();
        Promise<Conn> connected = Promise.promise();
        context.runOnContext(v -> {
            MqttClient client = MqttClient.create(vertx, options);
            beforeConnect.accept(client);
            client.connect(broker.port(), broker.host())
                    .onSuccess(ack -> connected.complete(new Conn(client, context)))
                    .onFailure(connected::fail);
        });
        return await(connected.future());
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("MQTT operation did not complete: " + e, e);
        }
    }

    /** Lets {@code d} pass on a Vert.x timer: a fixed wait the broker's behaviour needs, not a poll. */
    static void pause(Vertx vertx, Duration d) {
        await(vertx.timer(d.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Counts numbered messages on a subscription: which arrived, how many twice. */
    static final class Receiver {
        Conn conn;
        final BitSet seen = new BitSet();
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        private final CountDownLatch done;

        private Receiver(Conn conn, CountDownLatch done) {
            this.conn = conn;
            this.done = done;
        }

        /** Reconnects a persistent session, counting from the very first message after CONNACK. */
        static Receiver resume(Vertx vertx, BrokerAddress broker, String clientId, int expected) {
            Receiver r = new Receiver(null, new CountDownLatch(expected));
            r.conn = connect(vertx, broker, clientId, false, 1000, c -> c.publishHandler(r::count));
            return r;
        }

        private void count(io.vertx.mqtt.messages.MqttPublishMessage m) {
            int n = m.payload().getInt(0);
            synchronized (seen) {
                if (seen.get(n)) {
                    duplicates.incrementAndGet();
                    return;
                }
                seen.set(n);
            }
            received.incrementAndGet();
            done.countDown();
        }

        static Receiver subscribe(Vertx vertx, BrokerAddress broker, String clientId, String filter, int expected) {
            return subscribe(vertx, broker, clientId, true, filter, expected);
        }

        static Receiver subscribe(Vertx vertx, BrokerAddress broker, String clientId, boolean cleanSession,
                                  String filter, int expected) {
            return attach(connect(vertx, broker, clientId, cleanSession, 1000), filter, new CountDownLatch(expected));
        }

        /**
         * A member of a shared subscription: counts down {@code group}, the latch of every member, once
         * per distinct message it receives.
         */
        static Receiver member(Vertx vertx, BrokerAddress broker, String clientId, String filter, CountDownLatch group) {
            return attach(connect(vertx, broker, clientId, true, 1000), filter, group);
        }

        /** Counts what {@code conn} receives (counting down {@code done}) and subscribes it to {@code filter}. */
        static Receiver attach(Conn conn, String filter, CountDownLatch done) {
            Receiver r = new Receiver(conn, done);
            conn.client().publishHandler(r::count);
            Promise<Void> subscribed = Promise.promise();
            conn.context().runOnContext(v -> {
                conn.client().subscribeCompletionHandler(ack -> subscribed.tryComplete());
                conn.client().subscribe(filter, 1).onFailure(subscribed::tryFail);
            });
            await(subscribed.future());
            return r;
        }

        /** Waits (bounded) for all expected messages; returns whether they all came. */
        boolean awaitAll(Duration timeout) throws InterruptedException {
            return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Publishes {@code count} numbered messages at QoS 1 as fast as the client's in-flight window
     * allows (vertx-mqtt fails a publish past its window, so the next publish waits for a PUBACK).
     * The future completes when every PUBACK is in.
     */
    static Future<Void> flood(Conn conn, String topic, int count, int window) {
        Promise<Void> acked = Promise.promise();
        conn.context().runOnContext(v -> new Object() {
            int sent;
            int inFlight;
            int acks;

            void start() {
                conn.client().publishCompletionHandler(id -> {
                    inFlight--;
                    if (++acks == count) {
                        acked.tryComplete();
                    } else {
                        pump();
                    }
                });
                pump();
            }

            void pump() {
                while (inFlight < window && sent < count) {
                    Buffer payload = Buffer.buffer(PAYLOAD_BYTES).appendInt(sent).appendBytes(new byte[PAYLOAD_BYTES - 4]);
                    inFlight++;
                    sent++;
                    conn.client().publish(topic, payload, MqttQoS.AT_LEAST_ONCE, false, false).onFailure(acked::tryFail);
                }
            }
        }.start());
        return acked.future();
    }

    /** Result of one throughput run. */
    record Run(String broker, int messages, long nanos, int received, int duplicates) {
        double rate() {
            return received / (nanos / 1e9);
        }
    }

    /**
     * One publisher floods {@code count} QoS 1 messages to one subscriber; the rate is measured from
     * the first publish to the last delivery.
     */
    static Run throughput(Vertx vertx, String name, BrokerAddress broker, String topic, int count, int window)
            throws InterruptedException {
        String id = name + "-" + System.nanoTime();
        Receiver receiver = Receiver.subscribe(vertx, broker, id + "-sub", topic, count);
        Conn publisher = connect(vertx, broker, id + "-pub", true, window);
        try {
            long t0 = System.nanoTime();
            Future<Void> acked = flood(publisher, topic, count, window);
            boolean all = receiver.awaitAll(Duration.ofSeconds(60));
            long elapsed = System.nanoTime() - t0;
            await(acked);
            if (!all) {
                pause(vertx, Duration.ofMillis(500)); // stragglers, before reporting the count
            }
            return new Run(name, count, elapsed, receiver.received.get(), receiver.duplicates.get());
        } finally {
            publisher.disconnect();
            receiver.conn.disconnect();
        }
    }
}
