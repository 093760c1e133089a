package dev.tandem.sim.bench;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.sim.publish.WindowedPublisher;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.time.Duration;
import java.util.function.IntFunction;

/**
 * Publishes a sequence of payloads at QoS 1 as fast as the broker acknowledges them, keeping at
 * most {@code window} in flight, through a {@link WindowedPublisher}.
 */
final class MqttFlood {
    /** Bound on connecting (the floods themselves are bounded by their callers). */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final BrokerAddress broker;
    private final BenchClient who;
    private final int window;

    MqttFlood(Vertx vertx, BrokerAddress broker, String clientId, int window) {
        this(vertx, broker, BenchClient.anonymous(clientId), window);
    }

    MqttFlood(Vertx vertx, BrokerAddress broker, BenchClient who, int window) {
        this.vertx = vertx;
        this.broker = broker;
        this.who = who;
        this.window = window;
    }

    /** A message to send: topic and payload. */
    record Message(String topic, byte[] payload) {
    }

    /** Sends {@code count} messages made by {@code source}; completes when the broker has acknowledged all. */
    Future<Void> send(int count, IntFunction<Message> source) {
        Promise<Void> done = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> new Flood(count, source, done, null, null).start());
        return done.future();
    }

    /**
     * Sends like {@link #send} on a connection that first subscribes to {@code listen}: what arrives
     * there is counted (an agent's identity both publishes its device's escalations and reads its
     * verdicts, on one session). Completes with the counter once every message is acknowledged; the
     * connection stays open until the counter is closed.
     */
    Future<MqttCounter> sendAndListen(int count, IntFunction<Message> source, String listen) {
        Promise<Void> done = Promise.promise();
        MqttCounter[] counter = new MqttCounter[1];
        vertx.getOrCreateContext().runOnContext(v -> new Flood(count, source, done, listen, counter).start());
        return done.future().map(x -> counter[0]);
    }

    /** One flood, confined to its client's context. */
    private final class Flood implements WindowedPublisher.Events<Integer> {
        private final int count;
        private final IntFunction<Message> source;
        private final Promise<Void> done;
        private final String listen;
        private final MqttCounter[] counter;
        private WindowedPublisher<Integer> mqtt;
        private int next;
        private int acked;

        Flood(int count, IntFunction<Message> source, Promise<Void> done, String listen, MqttCounter[] counter) {
            this.count = count;
            this.source = source;
            this.done = done;
            this.listen = listen;
            this.counter = counter;
        }

        void start() {
            mqtt = new WindowedPublisher<>(vertx, who.options(broker).setCleanSession(true).setMaxInflightQueue(window)
                    .setMaxMessageSize(2 * 1024 * 1024).setAutoKeepAlive(true), MqttQoS.AT_LEAST_ONCE, this);
            if (listen != null) {
                counter[0] = MqttCounter.attachedTo(mqtt.client());
            }
            mqtt.connect(broker, CONNECT_TIMEOUT)
                    .compose(ack -> listen == null ? Future.succeededFuture()
                            : mqtt.client().subscribe(listen, MqttQoS.AT_LEAST_ONCE.value()).mapEmpty())
                    .onSuccess(ack -> {
                        if (count == 0) {
                            done.tryComplete();
                            return;
                        }
                        pump();
                    }).onFailure(done::tryFail);
        }

        private void pump() {
            while (mqtt.hasRoom() && next < count) {
                int i = next++;
                Message m = source.apply(i);
                mqtt.publish(m.topic(), Buffer.buffer(m.payload()), i);
            }
        }

        @Override
        public void acknowledged(Integer index) {
            if (++acked == count) {
                if (listen == null) {
                    mqtt.disconnect();
                }
                done.tryComplete();
            } else {
                pump();
            }
        }

        @Override
        public void failed(Integer index, Throwable cause) {
            done.tryFail(cause);
        }
    }
}
