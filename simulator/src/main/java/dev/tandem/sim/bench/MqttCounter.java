package dev.tandem.sim.bench;

import dev.tandem.shared.config.BrokerAddress;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.messages.MqttPublishMessage;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** A plain subscriber that counts what arrives on a topic filter (QoS 1) and notes when. */
final class MqttCounter {
    private final MqttClient client;
    private final AtomicLong count = new AtomicLong();
    private volatile long firstNanos;
    private volatile long lastNanos;
    private volatile long target = Long.MAX_VALUE;
    private final Promise<Void> reached = Promise.promise();
    private volatile Consumer<MqttPublishMessage> inspector = m -> { };

    private MqttCounter(MqttClient client) {
        this.client = client;
    }

    /** A counter of what arrives on {@code client} (its subscriptions made by its owner); close() disconnects it. */
    static MqttCounter attachedTo(MqttClient client) {
        MqttCounter counter = new MqttCounter(client);
        client.publishHandler(counter::onMessage);
        return counter;
    }

    static Future<MqttCounter> subscribe(Vertx vertx, BrokerAddress broker, String clientId, String filter) {
        return subscribe(vertx, broker, BenchClient.anonymous(clientId), filter);
    }

    static Future<MqttCounter> subscribe(Vertx vertx, BrokerAddress broker, BenchClient who, String filter) {
        MqttClient client = MqttClient.create(vertx, who.options(broker)
                .setCleanSession(true).setMaxMessageSize(2 * 1024 * 1024).setAutoKeepAlive(true));
        MqttCounter counter = new MqttCounter(client);
        client.publishHandler(counter::onMessage);
        return client.connect(broker.port(), broker.host())
                .compose(ack -> client.subscribe(filter, MqttQoS.AT_LEAST_ONCE.value()))
                .map(id -> counter);
    }

    private void onMessage(MqttPublishMessage m) {
        long now = System.nanoTime();
        long n = count.incrementAndGet();
        if (n == 1) {
            firstNanos = now;
        }
        lastNanos = now;
        inspector.accept(m);
        if (n >= target) {
            reached.tryComplete();
        }
    }

    /** Completes once {@code n} messages (in total) have arrived. */
    Future<Void> await(long n) {
        target = n;
        if (count.get() >= n) {
            reached.tryComplete();
        }
        return reached.future();
    }

    void inspect(Consumer<MqttPublishMessage> inspector) {
        this.inspector = inspector;
    }

    long count() {
        return count.get();
    }

    long firstNanos() {
        return firstNanos;
    }

    long lastNanos() {
        return lastNanos;
    }

    Future<Void> close() {
        return client.disconnect();
    }
}
