package dev.tandem.sim.bench;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.sim.publish.WindowedPublisher;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClientOptions;

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
    private final String clientId;
    private final int window;

    MqttFlood(Vertx vertx, BrokerAddress broker, String clientId, int window) {
        this.vertx = vertx;
        this.broker = broker;
        this.clientId = clientId;
        this.window = window;
    }

    /** A message to send: topic and payload. */
    record Message(String topic, byte[] payload) {
    }

    /** Sends {@code count} messages made by {@code source}; completes when the broker has acknowledged all. */
    Future<Void> send(int count, IntFunction<Message> source) {
        Promise<Void> done = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> new Flood(count, source, done).start());
        return done.future();
    }

    /** One flood, confined to its client's context. */
    private final class Flood implements WindowedPublisher.Events<Integer> {
        private final int count;
        private final IntFunction<Message> source;
        private final Promise<Void> done;
        private WindowedPublisher<Integer> mqtt;
        private int next;
        private int acked;

        Flood(int count, IntFunction<Message> source, Promise<Void> done) {
            this.count = count;
            this.source = source;
            this.done = done;
        }

        void start() {
            mqtt = new WindowedPublisher<>(vertx, new MqttClientOptions()
                    .setClientId(clientId).setCleanSession(true).setMaxInflightQueue(window)
                    .setMaxMessageSize(2 * 1024 * 1024).setAutoKeepAlive(true), MqttQoS.AT_LEAST_ONCE, this);
            mqtt.connect(broker, CONNECT_TIMEOUT).onSuccess(ack -> {
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
                mqtt.disconnect();
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
