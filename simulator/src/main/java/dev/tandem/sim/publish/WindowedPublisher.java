package dev.tandem.sim.publish;

import dev.tandem.shared.config.BrokerAddress;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Publishes on one vertx-mqtt client (MQTT 3.1.1) with at most a window of messages unacknowledged.
 * vertx-mqtt fails a publish past its {@code maxInflightQueue} instead of blocking, so the caller
 * asks {@link #hasRoom()} before each {@link #publish} and publishes more when {@link Events#acknowledged}
 * frees a slot. Each message carries a tag of the caller's, handed back when the broker acknowledged
 * it (PUBACK at QoS 1, PUBCOMP at QoS 2; written to the socket at QoS 0) or when the publish failed.
 *
 * <p>Serves the sensor publisher (paced, per device) and the benchmark's floods alike. Create it,
 * and call it, on one event-loop context: every callback runs there and the state is confined to it.
 *
 * @param <T> the caller's tag of a message
 */
public final class WindowedPublisher<T> {
    /** What becomes of each message; called on the client's context. */
    public interface Events<T> {
        /** The broker acknowledged the message; its slot in the window is free again. */
        void acknowledged(T tag);

        /** The client refused or failed the publish; its slot in the window is free again. */
        void failed(T tag, Throwable cause);
    }

    private final Vertx vertx;
    private final MqttClient client;
    private final MqttQoS qos;
    private final int window;
    private final Events<T> events;
    private final Map<Integer, T> pending = new HashMap<>();
    private final Set<Integer> earlyAcks = new HashSet<>();
    private int inFlight;

    /**
     * A client with {@code options} (whose {@code maxInflightQueue} is the window); publishes at
     * {@code qos}. Call on the context the publishing will run on.
     */
    public WindowedPublisher(Vertx vertx, MqttClientOptions options, MqttQoS qos, Events<T> events) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.qos = Objects.requireNonNull(qos, "qos");
        this.events = Objects.requireNonNull(events, "events");
        this.window = options.getMaxInflightQueue();
        this.client = MqttClient.create(vertx, options);
        client.publishCompletionHandler(this::onAck);
    }

    /** The client, for its close and exception handlers and its connection state. */
    public MqttClient client() {
        return client;
    }

    /**
     * Connects; fails with the client's error, or with a {@link TimeoutException} when no CONNACK
     * came within {@code timeout} (the client's own connect timeout covers only the TCP connect).
     */
    public Future<Void> connect(BrokerAddress broker, Duration timeout) {
        Promise<Void> connected = Promise.promise();
        long timer = vertx.setTimer(timeout.toMillis(), t -> connected.tryFail(new TimeoutException()));
        client.connect(broker.port(), broker.host()).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                connected.tryComplete();
            } else {
                connected.tryFail(ar.cause());
            }
        });
        return connected.future();
    }

    /** Whether one more message fits in the window. */
    public boolean hasRoom() {
        return inFlight < window;
    }

    /** Messages published and neither acknowledged nor failed yet. */
    public int inFlight() {
        return inFlight;
    }

    /** Publishes one message (not retained); its fate comes back through {@link Events} with {@code tag}. */
    public void publish(String topic, Buffer payload, T tag) {
        inFlight++;
        client.publish(topic, payload, qos, false, false)
                .onSuccess(packetId -> {
                    if (qos == MqttQoS.AT_MOST_ONCE || earlyAcks.remove(packetId)) {
                        acknowledged(tag);
                    } else {
                        pending.put(packetId, tag);
                    }
                })
                .onFailure(e -> {
                    inFlight--;
                    events.failed(tag, e);
                });
    }

    private void onAck(int packetId) {
        T tag = pending.remove(packetId);
        if (tag == null) {
            earlyAcks.add(packetId); // acknowledgement overtook the write completion
            return;
        }
        acknowledged(tag);
    }

    private void acknowledged(T tag) {
        inFlight--;
        events.acknowledged(tag);
    }

    /**
     * Gives up on what is in flight (the connection is lost, or closing without waiting): those
     * messages will never be reported. Returns how many there were.
     */
    public int abandonInFlight() {
        int lost = Math.max(0, inFlight);
        inFlight = 0;
        pending.clear();
        return lost;
    }

    /** Disconnects if connected. */
    public Future<Void> disconnect() {
        return client.isConnected() ? client.disconnect() : Future.succeededFuture();
    }
}
