package dev.tandem.edge.uplink;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.retry.Backoff;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import dev.tandem.shared.identity.BrokerLogin;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubAckMessage;

import java.util.List;
import java.util.Map;

/**
 * One MQTT 3.1.1 connection that stays up: connects, subscribes, and when the broker is not there
 * or the connection drops, retries with {@link Backoff} until {@link #stop()}.
 *
 * <p>Every connection attempt uses a fresh vertx-mqtt {@link MqttClient}: the 5.0.x client keeps its
 * count of unacknowledged QoS 1 publishes across a dropped connection, so a reused client could
 * refuse publishes forever after an outage. Whatever was in flight on a dropped connection is
 * the {@link Outbox}'s business (it re-sends it).
 *
 * <p>With a persistent session (clean session off) the broker queues QoS 1 messages for this client
 * while it is away. A message the client cannot decode (e.g. a packet over its size limit) drops the
 * connection, and the broker would deliver it again after every reconnection; after such a
 * {@linkplain #discardSessionOnNextConnect() poison message} the next connection starts a clean
 * session, which discards it (with whatever else was queued), and the following ones are persistent again.
 *
 * <p>Must be created and used on one Vert.x context (the owning verticle's); all callbacks run there.
 */
public final class BrokerLink {

    /** The MQTT last will of this connection (one per connection: that is all MQTT allows). */
    public record Will(String topic, byte[] payload) {
    }

    /** Callbacks, all on the owning context. */
    public interface Listener {
        /** Connected (CONNACK accepted); subscriptions are on their way. */
        default void connected(MqttClient client) {
        }

        /** The broker acknowledged the subscriptions of this connection; {@code granted} holds one QoS (or 0x80) per topic. */
        default void subscribed(List<Integer> granted) {
        }

        /** The connection was lost (not called after {@link #stop()}). */
        default void disconnected() {
        }

        /** An attempt failed or the connection dropped; a retry is scheduled in {@code retryInMillis}. */
        default void unavailable(String reason, long retryInMillis) {
        }

        /** A message on one of the subscriptions. */
        default void message(MqttPublishMessage message) {
        }

        /** A protocol-level problem on the connection (e.g. a packet the decoder refused). */
        default void protocolError(Throwable error) {
        }
    }

    private final Vertx vertx;
    private final BrokerAddress broker;
    private final MqttClientOptions options;
    private final Map<String, Integer> subscriptions;
    private final Backoff backoff;
    private final Listener listener;
    private final boolean persistentSession;
    private boolean discardSession;
    private MqttClient current;
    private boolean connected;
    private boolean stopped;
    private long retryTimer = -1;
    /** The last will of the next connection (null: none). */
    private Will will;
    /** A clean disconnect to come back at once with a new will, not a lost connection. */
    private boolean rearming;
    /** The will the live connection carries (null: not connected, or none). */
    private volatile Will liveWill;

    /**
     * @param subscriptions topic filter -> QoS, subscribed on every (re)connection
     * @param inflightWindow the client's maxInflightQueue (QoS 1 publishes awaiting PUBACK)
     * @param maxMessageBytes the largest MQTT packet this client accepts
     * @param persistentSession clean session off: the broker keeps subscriptions and queues QoS 1 messages while away
     */
    /**
     * @param login credentials (the username is {@code clientId}) and the CA of a TLS broker
     * @param subscriptions topic filter -> QoS, subscribed on every (re)connection
     * @param inflightWindow the client's maxInflightQueue (QoS 1 publishes awaiting PUBACK)
     * @param maxMessageBytes the largest MQTT packet this client accepts
     * @param persistentSession clean session off: the broker keeps subscriptions and queues QoS 1 messages while away
     */
    public BrokerLink(Vertx vertx, BrokerAddress broker, BrokerLogin login, String clientId, Will will,
                      Map<String, Integer> subscriptions, int inflightWindow, int maxMessageBytes,
                      boolean persistentSession, Backoff backoff, Listener listener) {
        this.vertx = vertx;
        this.persistentSession = persistentSession;
        this.broker = broker;
        this.subscriptions = Map.copyOf(subscriptions);
        this.backoff = backoff;
        this.listener = listener;
        MqttClientOptions o = MqttLogin.apply(new MqttClientOptions(), broker, login, clientId)
                .setCleanSession(!persistentSession)
                .setKeepAliveInterval(10)
                .setMaxInflightQueue(inflightWindow)
                .setMaxMessageSize(maxMessageBytes)
                .setAutoKeepAlive(true);
        o.setTcpNoDelay(true);
        o.setConnectTimeout(5_000);
        o.setReconnectAttempts(0);
        this.will = will;
        this.options = o;
    }

    /** The last will of the next connection (this one keeps the will it connected with: MQTT fixes it at CONNECT). */
    public void rearm(Will next) {
        this.will = next;
    }

    /**
     * Replaces the last will now: disconnects cleanly (so the old will is not published) and connects
     * again at once with {@code next}. For a connection whose only purpose is its will; when not
     * connected, the will applies to the next connection.
     */
    public void reconnectWith(Will next) {
        this.will = next;
        MqttClient c = current;
        if (stopped || c == null || !isConnected()) {
            return;
        }
        rearming = true;
        c.disconnect();
    }

    /** The last will the live connection carries (what the broker publishes if it is lost); null when not connected. */
    public Will liveWill() {
        return isConnected() ? liveWill : null;
    }

    private MqttClientOptions optionsForAttempt(boolean clean) {
        MqttClientOptions o = new MqttClientOptions(options).setCleanSession(clean);
        Will w = will;
        if (w != null) {
            o.setWillFlag(true).setWillTopic(w.topic()).setWillMessageBytes(Buffer.buffer(w.payload()))
                    .setWillQoS(1).setWillRetain(true);
        }
        return o;
    }

    /** Starts connecting (asynchronously; never fails: an absent broker is retried). */
    public void start() {
        attempt();
    }

    public boolean isConnected() {
        return connected && current != null && current.isConnected();
    }

    /** The client of the live connection, or null. */
    public MqttClient client() {
        return isConnected() ? current : null;
    }

    public BrokerAddress broker() {
        return broker;
    }

    /** Publishes at QoS 0 if connected (statuses: the newest one wins, nothing to queue); false if not sent. */
    public boolean publishAtMostOnce(String topic, byte[] payload, boolean retain) {
        MqttClient c = client();
        if (c == null) {
            return false;
        }
        c.publish(topic, Buffer.buffer(payload), MqttQoS.AT_MOST_ONCE, false, retain);
        return true;
    }

    /**
     * The next connection starts with a clean session, discarding what the broker queued for this
     * client (call after a message the client could not take, which the broker would redeliver forever).
     */
    public void discardSessionOnNextConnect() {
        discardSession = persistentSession;
    }

    /** Stops retrying and disconnects cleanly (no last will). */
    public Future<Void> stop() {
        stopped = true;
        if (retryTimer >= 0) {
            vertx.cancelTimer(retryTimer);
            retryTimer = -1;
        }
        MqttClient c = current;
        current = null;
        connected = false;
        if (c == null || !c.isConnected()) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        c.disconnect().onComplete(ar -> done.tryComplete());
        return done.future();
    }

    private void attempt() {
        retryTimer = -1;
        if (stopped) {
            return;
        }
        boolean clean = !persistentSession || discardSession;
        Will attemptWill = will;
        MqttClient c = MqttClient.create(vertx, optionsForAttempt(clean));
        current = c;
        c.publishHandler(m -> {
            if (c == current) {
                listener.message(m);
            }
        });
        c.subscribeCompletionHandler((MqttSubAckMessage ack) -> {
            if (c == current) {
                listener.subscribed(ack.grantedQoSLevels());
            }
        });
        c.exceptionHandler(t -> {
            if (c == current) {
                listener.protocolError(t);
            }
        });
        c.closeHandler(v -> lost(c, "connection to " + broker + " lost"));
        c.connect(broker.port(), broker.host()).onComplete(ar -> {
            if (stopped || c != current) {
                if (ar.succeeded()) {
                    c.disconnect();
                }
                return;
            }
            if (ar.failed()) {
                current = null;
                retry("cannot connect to " + broker + ": " + ar.cause().getMessage());
                return;
            }
            if (clean && persistentSession) {
                // the poisoned session is gone: come straight back with a persistent one
                discardSession = false;
                current = null;
                c.disconnect().onComplete(v -> {
                    if (!stopped && current == null && retryTimer < 0) {
                        attempt();
                    }
                });
                return;
            }
            connected = true;
            liveWill = attemptWill;
            backoff.reset();
            listener.connected(c);
            if (!subscriptions.isEmpty()) {
                c.subscribe(subscriptions);
            }
        });
    }

    private void lost(MqttClient c, String reason) {
        if (c != current) {
            return;
        }
        boolean wasConnected = connected;
        connected = false;
        current = null;
        if (stopped) {
            return;
        }
        if (rearming) {
            rearming = false;
            attempt(); // our own clean disconnect: straight back with the new will
            return;
        }
        if (wasConnected) {
            listener.disconnected();
        }
        retry(reason);
    }

    private void retry(String reason) {
        if (stopped || retryTimer >= 0) {
            return;
        }
        long delay = backoff.nextDelayMillis();
        listener.unavailable(reason, delay);
        retryTimer = vertx.setTimer(delay, id -> attempt());
    }
}
