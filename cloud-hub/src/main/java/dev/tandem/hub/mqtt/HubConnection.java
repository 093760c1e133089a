package dev.tandem.hub.mqtt;

import dev.tandem.hub.HubMetrics;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.retry.Backoff;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The hub's MQTT 5 session (Eclipse Paho async client): connects with retry and backoff (a broker
 * that is not there is logged as {@code [BROKER_UNAVAILABLE]} and retried; once connected, Paho's
 * automatic reconnect takes over), re-subscribes on every connect, routes each message by its
 * topic kind to a handler that must return at once, and bounds its in-flight QoS 1 publishes by
 * the broker's receive maximum (past it Paho throws 32202). With a session expiry the session
 * persists: a restarted instance gets what the broker queued for it while it was away.
 */
public final class HubConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HubConnection.class);
    /** Paho's "too many publishes in progress". */
    private static final int MAX_INFLIGHT = 32202;
    /** In-flight QoS 1 publishes never exceed this, whatever the broker allows. */
    private static final int INFLIGHT_CAP = 1000;
    private static final long MIN_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 10_000;

    /**
     * Receives one message on its topic, parsed once here; runs on Paho's callback thread, so it must
     * only hand the payload over.
     */
    @FunctionalInterface
    public interface Handler {
        void onMessage(Topics.DeviceTopic topic, byte[] payload, long arrivedNanos);
    }

    private record Route(String filter, int qos, Topics.Kind kind, Handler handler) {
    }

    private final BrokerAddress broker;
    private final String clientId;
    private final BrokerLogin login;
    private final HubMetrics metrics;
    private final MqttAsyncClient client;
    private final Duration sessionExpiry;
    private final io.micrometer.core.instrument.Counter deferred;
    private volatile boolean intakeStopped;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final List<Runnable> connectListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService retry;
    private volatile Semaphore inflight = new Semaphore(INFLIGHT_CAP);
    private volatile int receiveMaximum = INFLIGHT_CAP;
    private volatile CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile boolean closed;
    private final Backoff backoff = new Backoff(Duration.ofMillis(MIN_BACKOFF_MS), Duration.ofMillis(MAX_BACKOFF_MS));

    public HubConnection(BrokerAddress broker, BrokerLogin login, String clientId, HubMetrics metrics) {
        this(broker, login, clientId, metrics, Duration.ZERO);
    }

    /**
     * @param sessionExpiry how long the broker keeps the session while this client is away (0: a clean
     *                      session each connect); with a non-zero expiry the session is resumed on every
     *                      connect, so the broker delivers what it queued for it meanwhile
     */
    public HubConnection(BrokerAddress broker, BrokerLogin login, String clientId, HubMetrics metrics,
                         Duration sessionExpiry) {
        this.sessionExpiry = sessionExpiry;
        this.login = login;
        this.broker = broker;
        this.clientId = clientId;
        this.metrics = metrics;
        try {
            this.client = new MqttAsyncClient(broker.url(), clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalStateException("cannot create MQTT client for " + broker, e);
        }
        this.retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-hub-connect-" + clientId);
            t.setDaemon(true);
            return t;
        });
        client.setCallback(new Callback());
        // with a session that persists, a message is acknowledged once handed over, so that what arrives
        // after intake stopped stays with the broker for this session's next connect
        client.setManualAcks(!sessionExpiry.isZero());
        this.deferred = io.micrometer.core.instrument.Counter.builder("tandem.hub.intake.deferred")
                .description("messages left unacknowledged at shutdown: the broker gives them to this instance's "
                        + "session again when it is back")
                .register(metrics.registry());
    }

    /** Adds a subscription (made on every connect). {@code kind} routes the messages it brings. */
    public void subscribe(String filter, int qos, Topics.Kind kind, Handler handler) {
        if (ready.isDone() || client.isConnected()) {
            throw new IllegalStateException("subscribe before connect()");
        }
        routes.add(new Route(filter, qos, kind, handler));
    }

    /** Runs after every (re)connect once the subscriptions are in place, on a Paho thread: keep it short. */
    public void onConnected(Runnable listener) {
        connectListeners.add(listener);
    }

    /**
     * Starts connecting and waits at most {@code timeout} for the session and its subscriptions.
     * Returns whether they are up; if not, it keeps retrying in the background.
     */
    public boolean connect(Duration timeout) {
        retry.execute(this::attempt);
        return awaitConnected(timeout);
    }

    public boolean awaitConnected(Duration timeout) {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return client.isConnected();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    public boolean isConnected() {
        return client.isConnected() && ready.isDone();
    }

    /** The broker's receive maximum as it announced it (bounds our in-flight QoS 1 publishes). */
    public int receiveMaximum() {
        return receiveMaximum;
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(sessionExpiry.isZero());
        o.setSessionExpiryInterval(sessionExpiry.toSeconds());
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 10);
        o.setConnectionTimeout(5);
        o.setKeepAliveInterval(30);
        o.setReceiveMaximum(65535);
        if (login.credentials() != null) {
            o.setUserName(login.credentials().username());
            o.setPassword(login.credentials().password().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        o.setSocketFactory(broker.tls() ? new NoDelaySslSocketFactory(login.sslContext().getSocketFactory())
                : new NoDelaySocketFactory());
        return o;
    }

    private void attempt() {
        if (closed) {
            return;
        }
        try {
            client.connect(options(), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    MqttProperties p = token.getResponseProperties();
                    Integer max = p == null ? null : p.getReceiveMaximum();
                    receiveMaximum = max == null ? 65535 : max;
                    inflight = new Semaphore(Math.max(1, Math.min(INFLIGHT_CAP, receiveMaximum)));
                    LOG.info("hub {} connected to {} (broker receive maximum {})", clientId, broker, receiveMaximum);
                    synchronized (HubConnection.this) {
                        backoff.reset();
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    failed(e);
                }
            });
        } catch (MqttException e) {
            failed(e);
        }
    }

    private void failed(Throwable e) {
        if (closed) {
            return;
        }
        long delay;
        synchronized (this) {
            delay = backoff.nextDelayMillis();
        }
        metrics.error(ErrorCode.BROKER_UNAVAILABLE,
                "cannot connect to " + broker + " (" + e.getMessage() + "); retrying in " + delay + " ms");
        try {
            retry.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // closing
        }
    }

    private void subscribeAll() {
        List<Route> rs = new ArrayList<>(routes);
        if (rs.isEmpty()) {
            ready();
            return;
        }
        MqttSubscription[] subs = rs.stream().map(r -> new MqttSubscription(r.filter(), r.qos()))
                .toArray(MqttSubscription[]::new);
        try {
            client.subscribe(subs, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    for (int i = 0; codes != null && i < codes.length && i < subs.length; i++) {
                        if (codes[i] >= 0x80) {
                            metrics.error(ErrorCode.BROKER_UNAVAILABLE, "broker refused subscription "
                                    + subs[i].getTopic() + " (reason " + codes[i] + ")");
                        }
                    }
                    ready();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    metrics.error(ErrorCode.BROKER_UNAVAILABLE, "cannot subscribe: " + e.getMessage());
                }
            }, new MqttProperties());
        } catch (MqttException e) {
            metrics.error(ErrorCode.BROKER_UNAVAILABLE, "cannot subscribe: " + e.getMessage());
        }
    }

    private void ready() {
        ready.complete(null);
        for (Runnable r : connectListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("connect listener failed", e);
            }
        }
    }

    /**
     * Publishes, waiting at most {@code maxWait} for an in-flight slot. Returns false (nothing
     * sent) when not connected or no slot freed up in time; {@code done} gets null or the failure.
     */
    public boolean publish(String topic, byte[] payload, int qos, boolean retained, Duration maxWait,
                           Consumer<Throwable> done) {
        if (!client.isConnected()) {
            return false;
        }
        long deadline = System.nanoTime() + maxWait.toNanos();
        Semaphore slots = inflight;
        try {
            if (qos > 0 && !slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        MqttActionListener listener = new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                if (qos > 0) {
                    slots.release();
                }
                if (done != null) {
                    done.accept(null);
                }
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                if (qos > 0) {
                    slots.release();
                }
                if (done != null) {
                    done.accept(e);
                }
            }
        };
        while (true) {
            try {
                client.publish(topic, payload, qos, retained, null, listener);
                return true;
            } catch (MqttException e) {
                if (e.getReasonCode() == MAX_INFLIGHT && System.nanoTime() < deadline && !closed) {
                    // our slot count and Paho's may differ by a few while acks are processed
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                    continue;
                }
                if (qos > 0) {
                    slots.release();
                }
                LOG.debug("publish to {} failed: {}", topic, e.toString());
                return false;
            }
        }
    }

    private Route route(Topics.Kind kind) {
        for (Route r : routes) {
            if (r.kind() == kind) {
                return r;
            }
        }
        return null;
    }

    /** Whether the broker keeps this client's session while it is away. */
    public boolean persistentSession() {
        return !sessionExpiry.isZero();
    }

    /** Messages left unacknowledged after intake stopped (the broker redelivers them to the next session). */
    public long deferred() {
        return (long) deferred.count();
    }

    /**
     * Stops intake, waiting at most {@code timeout}: the shared subscriptions are left, so that the
     * broker gives new escalations to the other instances; what was delivered before is still handed
     * to the handlers. With a clean session every filter is left. With a persistent session the other
     * subscriptions stay in the session and what they bring from now on is left unacknowledged, so the
     * broker keeps it for this instance's restart (within the session expiry).
     */
    public void stopIntake(Duration timeout) {
        intakeStopped = true;
        if (closed || !client.isConnected() || routes.isEmpty()) {
            return;
        }
        String[] filters = routes.stream().map(Route::filter)
                .filter(f -> !persistentSession() || f.startsWith("$share/")).distinct().toArray(String[]::new);
        if (filters.length == 0) {
            return;
        }
        try {
            client.unsubscribe(filters).waitForCompletion(timeout.toMillis());
        } catch (MqttException e) {
            LOG.debug("unsubscribe on stop: {}", e.toString());
        }
    }

    private void acknowledge(MqttMessage m) {
        if (!persistentSession() || m.getQos() == 0) {
            return;
        }
        try {
            client.messageArrivedComplete(m.getId(), m.getQos());
        } catch (MqttException e) {
            LOG.debug("acknowledging message {}: {}", m.getId(), e.toString());
        }
    }

    /**
     * Drops the connection at once, as a process that dies would: no unsubscribe, no DISCONNECT, so
     * the broker keeps the session (and, where set, publishes this client's will). Then closes.
     */
    public void drop() {
        closed = true;
        intakeStopped = true;
        retry.shutdownNow();
        try {
            client.disconnectForcibly(0, 100, false);
        } catch (MqttException e) {
            LOG.debug("dropping the connection: {}", e.toString());
        }
        close();
    }

    @Override
    public void close() {
        closed = true;
        retry.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect(2000).waitForCompletion(3000);
            }
        } catch (MqttException e) {
            LOG.debug("disconnect: {}", e.toString());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            try {
                client.disconnectForcibly(100, 100, false);
                client.close(true);
            } catch (MqttException e2) {
                LOG.debug("close: {}", e2.toString());
            }
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            if (!closed) {
                ready = new CompletableFuture<>();
                metrics.error(ErrorCode.BROKER_UNAVAILABLE, "lost connection to " + broker + " ("
                        + (response.getException() != null ? response.getException().getMessage() : response.getReasonString())
                        + "); reconnecting");
            }
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.warn("MQTT error: {}", exception.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            long now = System.nanoTime();
            boolean acknowledge = true;
            try {
                Topics.DeviceTopic parsed = Topics.parse(topic);
                Route r = route(parsed.kind());
                if (r == null) {
                    metrics.error(ErrorCode.UNEXPECTED_TOPIC, "message on unsubscribed topic '" + topic + "'");
                    return;
                }
                if (intakeStopped && persistentSession() && !r.filter().startsWith("$share/")) {
                    deferred.increment();
                    acknowledge = false; // the broker redelivers it to this session's next connect
                    return;
                }
                r.handler().onMessage(parsed, message.getPayload(), now);
            } catch (TandemException e) {
                metrics.error(e);
            } catch (RuntimeException e) {
                // never let an exception reach Paho: it would drop the connection
                LOG.error("handler failed on {}", topic, e);
            } finally {
                if (acknowledge) {
                    acknowledge(message);
                }
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            if (closed) {
                return;
            }
            inflight = new Semaphore(Math.max(1, Math.min(INFLIGHT_CAP, receiveMaximum)));
            if (reconnect) {
                LOG.info("hub {} reconnected to {}", clientId, serverURI);
            }
            subscribeAll();
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

}
