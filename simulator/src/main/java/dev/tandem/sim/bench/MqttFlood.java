package dev.tandem.sim.bench;

import dev.tandem.shared.config.BrokerAddress;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

import java.util.function.IntFunction;

/**
 * Publishes a sequence of payloads at QoS 1 as fast as the broker acknowledges them, keeping at
 * most {@code window} in flight (vertx-mqtt fails a publish past its window instead of blocking).
 */
final class MqttFlood {
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
        Context ctx = vertx.getOrCreateContext();
        ctx.runOnContext(v -> {
            MqttClient client = MqttClient.create(vertx, new MqttClientOptions()
                    .setClientId(clientId).setCleanSession(true).setMaxInflightQueue(window)
                    .setMaxMessageSize(2 * 1024 * 1024).setAutoKeepAlive(true));
            int[] state = new int[3]; // next, inFlight, acked
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (state[1] < window && state[0] < count) {
                    Message m = source.apply(state[0]++);
                    state[1]++;
                    client.publish(m.topic(), Buffer.buffer(m.payload()), MqttQoS.AT_LEAST_ONCE, false, false)
                            .onFailure(e -> {
                                state[1]--;
                                done.tryFail(e);
                            });
                }
            };
            client.publishCompletionHandler(id -> {
                state[1]--;
                if (++state[2] == count) {
                    client.disconnect();
                    done.tryComplete();
                } else {
                    pump[0].run();
                }
            });
            client.connect(broker.port(), broker.host()).onSuccess(ack -> {
                if (count == 0) {
                    done.tryComplete();
                    return;
                }
                pump[0].run();
            }).onFailure(done::tryFail);
        });
        return done.future();
    }
}
