package dev.tandem.edge;

import dev.tandem.edge.detect.DeviceDetector;
import dev.tandem.edge.detect.Timers;
import dev.tandem.edge.detect.VertxTimers;
import dev.tandem.edge.detect.WindowDecision;
import dev.tandem.edge.status.StatusReporter;
import dev.tandem.edge.uplink.BrokerLink;
import dev.tandem.edge.trust.AcceptedModels;
import dev.tandem.edge.uplink.Outbox;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.retry.Backoff;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.Wire;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.messages.MqttPublishMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The edge agent: a Vert.x verticle serving one or more devices of one site.
 *
 * <pre>{@code
 * EdgeAgent agent = new EdgeAgent(EdgeConfig.of(BrokerAddress.parse("tcp://127.0.0.1:1883"), "plant1", "press-4"));
 * agent.onDecision(d -> ...);
 * vertx.deployVerticle(agent);
 * agent.modelsLoaded().onSuccess(v -> ...);   // every device detecting
 * }</pre>
 *
 * <p>It keeps one MQTT 3.1.1 connection to the broker (retried with backoff while the broker is not
 * there, each failure logged and counted as {@code BROKER_UNAVAILABLE}; subscriptions renewed on every
 * reconnection; by default a persistent session, so that the broker queues the QoS 1 readings and
 * verdicts of a short outage, see {@link EdgeConfig#persistentSession()}) and subscribes, for each device, to
 * {@code readings} (QoS 1), {@code model} (the retained assignment), {@code model/chunk} (the pieces of an
 * assigned artifact it fetches, see {@link dev.tandem.edge.delivery.ArtifactDownloads}) and {@code verdicts}. The
 * {@link InboundRouter} hands each message to its device, an {@link EdgeDevice} (detector,
 * commissioning, model version, state). Each reading sample goes into the device's window; a device
 * without a model first collects its commissioning samples and sends them to the hub once; with a
 * model, every window is scored inline and decided (see {@link DeviceDetector}, whose verdict
 * timeouts run on Vert.x timers). Model assignments are answered VERIFYING, then ACTIVE, SHADOW (in a
 * rollout) or FAILED (see {@link ModelAssignments}). Alarms, escalations, commissioning sets and model states are QoS 1
 * publishes through the {@link Outbox}; statuses are retained (see {@link StatusReporter}).
 *
 * <p><b>Last wills.</b> MQTT allows one will per connection. The main connection's will is the
 * retained OFFLINE status of the first device; for every further device the agent keeps one extra,
 * idle connection (client id {@code <clientId>-will-<device>}) whose only purpose is that device's
 * OFFLINE will, so that every device of a dead agent shows OFFLINE. A will keeps the device's last
 * known state ({@link DeviceStatus#offlineFrom}: model version, counters, the episode holding), as
 * of when it was armed: MQTT fixes a will at CONNECT, so a will connection is re-armed (a clean
 * disconnect and an immediate reconnect) when its device's model version, state or episode changed,
 * checked every status interval and at once when a model goes active; the main connection's will
 * (the first device) is re-armed for its next reconnect only, as it carries the traffic. A clean stop
 * publishes OFFLINE, with the last known state, for every device itself.
 *
 * <p>Bad input (malformed, oversized, unknown schema version, non-finite values, a device this agent
 * does not serve or a payload naming another device than its topic, a channel count that does not
 * match) is logged once as {@code [CODE] message}, counted in {@code tandem.edge.errors{code}} and
 * dropped; nothing else is affected. A failure in handling a message that no input should cause is
 * counted as {@code INTERNAL_ERROR}.
 *
 * <p>The public accessors are safe from any thread; decision listeners are called on the event loop
 * and must not block.
 */
public final class EdgeAgent extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(EdgeAgent.class);
    /** Largest MQTT packet accepted: room for the largest wire payload (model assignments, verdicts). */
    static final int MAX_MQTT_PACKET = Wire.MAX_PAYLOAD_BYTES * 2 + 64 * 1024;
    /** How long a clean stop waits for the outbox to drain. */
    static final long STOP_DRAIN_MILLIS = 1_000;

    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final List<Consumer<WindowDecision>> listeners = new CopyOnWriteArrayList<>();
    private final Promise<Void> ready = Promise.promise();
    private final Promise<Void> modelsLoaded = Promise.promise();
    private final Outbox outbox;
    private final Map<String, EdgeDevice> devices;
    private final InboundRouter router;
    private final ModelAssignments assignments;
    private final dev.tandem.edge.delivery.ArtifactDownloads downloads;
    private final List<BrokerLink> willLinks = new ArrayList<>();
    /** Device -> the will link carrying its will (every device but the first). */
    private final Map<String, BrokerLink> willLinkOf = new java.util.HashMap<>();
    /** Device -> what its armed will says (model version, state, episode), to re-arm only on a change. */
    private final Map<String, String> armed = new java.util.HashMap<>();
    private BrokerLink link;
    private StatusReporter status;
    private volatile boolean connected;
    private volatile io.vertx.core.Context context;

    /** An agent with its own {@link io.micrometer.core.instrument.simple.SimpleMeterRegistry}. */
    public EdgeAgent(EdgeConfig config) {
        this(config, null);
    }

    /** An agent whose meters go to {@code registry} (tagged {@code agent=<clientId>}); null: its own registry. */
    public EdgeAgent(EdgeConfig config, MeterRegistry registry) {
        if (config == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "config is required");
        }
        this.config = config;
        this.metrics = registry == null ? new EdgeMetrics(config.clientId()) : new EdgeMetrics(registry, config.clientId());
        // one directory per agent (client id): agents of one site may share a state directory
        this.outbox = Outbox.open(config.stateDir() == null ? null
                        : config.stateDir().resolve("outbox").resolve(config.clientId().replaceAll("[^A-Za-z0-9_.-]", "_")),
                config.outboxCapacity(), config.inflightWindow(), config.outbox(), this::onContext, metrics::outboxDropped);
        Timers timers = new VertxTimers(() -> vertx);
        AcceptedModels accepted = new AcceptedModels(config.stateDir());
        Map<String, EdgeDevice> byId = new LinkedHashMap<>();
        for (String d : config.devices()) {
            EdgeDevice device = new EdgeDevice(config, d, timers, metrics, outbox, this::decided);
            if (acceptedBefore(accepted, d)) {
                device.holdReadingsForModel();
            }
            byId.put(d, device);
        }
        this.devices = Collections.unmodifiableMap(byId);
        this.downloads = new dev.tandem.edge.delivery.ArtifactDownloads(config.site(), config.delivery(),
                config.stateDir(), timers, new WorkerBlocking(),
                (topic, payload) -> link != null && link.publishAtMostOnce(topic, payload, false), metrics);
        this.assignments = new ModelAssignments(config, accepted, metrics, timers, this::activated, downloads);
        this.router = new InboundRouter(config.site(), devices, config.maxReadingBytes(), assignments, metrics);
    }

    private static boolean acceptedBefore(AcceptedModels accepted, String device) {
        try {
            return accepted.load(device).isPresent();
        } catch (TandemException damaged) {
            return true; // ModelAssignments refuses models until it is fixed: hold, then commission after the wait
        }
    }

    /** Blocking work of the downloads (partial files written and synced) on a worker thread, in order. */
    private final class WorkerBlocking implements dev.tandem.edge.delivery.Blocking {
        @Override
        public <T> void run(java.util.concurrent.Callable<T> work, java.util.function.BiConsumer<T, Throwable> then) {
            if (vertx == null) {
                dev.tandem.edge.delivery.Blocking.inline().run(work, then);
                return;
            }
            vertx.executeBlocking(work, true).onComplete(ar -> then.accept(ar.result(), ar.cause()));
        }
    }

    /** What the chunked downloads have done (requests, chunks, refusals by reason, outcomes). */
    public dev.tandem.edge.delivery.ArtifactDownloads.Stats downloads() {
        return downloads.stats();
    }

    /** Runs the outbox's disk callbacks on this verticle's context (directly before it started). */
    private void onContext(Runnable task) {
        io.vertx.core.Context c = context;
        if (c == null) {
            task.run();
        } else {
            c.runOnContext(v -> task.run());
        }
    }

    /** The outbox's counters now (safe from any thread). */
    public dev.tandem.edge.uplink.OutboxStats outboxStats() {
        return outbox.stats();
    }

    /** Whether a device is holding its readings for the model it accepted in an earlier run. */
    public boolean holdingReadings(String device) {
        return device(device).holding();
    }

    /** A device's reading sequence counters (epochs, refused, gaps). */
    public dev.tandem.edge.detect.SequenceGuard sequence(String device) {
        return device(device).sequence();
    }

    public EdgeConfig edgeConfig() {
        return config;
    }

    public EdgeMetrics metrics() {
        return metrics;
    }

    /** Adds an observer of final window decisions (called on the event loop; must not block). */
    public EdgeAgent onDecision(Consumer<WindowDecision> listener) {
        listeners.add(listener);
        return this;
    }

    /** The version of the model a device runs, if it has one. */
    public Optional<String> modelVersion(String device) {
        return Optional.ofNullable(device(device).modelVersion());
    }

    /**
     * Windows each model version scored on a device so far (a model swap neither loses a window nor
     * scores one twice: their sum is {@link #windows(String)}).
     */
    public Map<String, Long> windowsByModel(String device) {
        return device(device).detector().windowsByModel();
    }

    /** Windows scored on a device so far. */
    public long windows(String device) {
        return device(device).detector().windows();
    }

    /** The figures of the candidate model a device runs in SHADOW, if one is (read on the event loop's behalf). */
    public Optional<dev.tandem.shared.wire.ShadowReport> shadow(String device) {
        dev.tandem.edge.detect.Shadow s = device(device).detector().shadow();
        return s == null ? Optional.empty() : Optional.of(s.report(System.currentTimeMillis()));
    }

    /** Whether a device's watchdog is watching a model it activated in a rollout. */
    public boolean watching(String device) {
        return device(device).detector().watch() != null;
    }

    /** A device's state (COMMISSIONING until it has a model, then DETECTING; OFFLINE after stop). */
    public DeviceStatus.State state(String device) {
        return device(device).state();
    }

    private EdgeDevice device(String id) {
        EdgeDevice d = devices.get(id);
        if (d == null) {
            throw new TandemException(ErrorCode.UNKNOWN_DEVICE, "this agent does not serve device '" + id + "'");
        }
        return d;
    }

    /** Completes the first time the agent is connected and its subscriptions are acknowledged. */
    public Future<Void> ready() {
        return ready.future();
    }

    /** Completes when every device of this agent has a model (from commissioning or a retained assignment). */
    public Future<Void> modelsLoaded() {
        return modelsLoaded.future();
    }

    public boolean isConnected() {
        return connected;
    }

    @Override
    public Future<?> start() {
        context = vertx.getOrCreateContext();
        metrics.outboxSize(() -> outbox.size());
        metrics.outboxDurable(outbox::durable);
        if (devices.values().stream().anyMatch(EdgeDevice::holding)) {
            // no assignment came (a broker that lost its retained messages): the model kept on the disk, else commission afresh
            vertx.setTimer(config.modelWait().toMillis(), t -> devices.values().forEach(d -> {
                if (d.holding() && !assignments.resumeKept(d)) {
                    d.releaseHeldReadings();
                }
            }));
        }
        Map<String, Integer> subscriptions = new LinkedHashMap<>();
        for (String d : config.devices()) {
            // the key history before the model: a retained model signed by a rotated key needs it
            subscriptions.put(Topics.of(config.site(), d, Topics.Kind.TRUST), 1);
            subscriptions.put(Topics.of(config.site(), d, Topics.Kind.READINGS), 1);
            subscriptions.put(Topics.of(config.site(), d, Topics.Kind.MODEL_CHUNK), 1);
            subscriptions.put(Topics.of(config.site(), d, Topics.Kind.MODEL), 1);
            subscriptions.put(Topics.of(config.site(), d, Topics.Kind.VERDICTS), 1);
        }
        status = new StatusReporter(vertx, config.site(), config.devices(), d -> devices.get(d).status(),
                (topic, payload) -> link.publishAtMostOnce(topic, payload, true));
        link = new BrokerLink(vertx, config.broker(), config.login(), config.clientId(), will(config.devices().get(0)),
                subscriptions, config.inflightWindow(), MAX_MQTT_PACKET, config.persistentSession(),
                new Backoff(config.reconnectMin(), config.reconnectMax()), new MainListener());
        for (String d : config.devices().subList(1, config.devices().size())) {
            // one last will per MQTT connection: a small connection per further device carries its will
            String willId = config.login().isAnonymous() ? config.clientId() + "-will-" + d
                    : config.clientId() + Identity.WILL_SEPARATOR + d;
            BrokerLink willLink = new BrokerLink(vertx, config.broker(), config.login(), willId, will(d), Map.of(), 1,
                    64 * 1024, false, new Backoff(config.reconnectMin(), config.reconnectMax()), new WillListener(d));
            willLinks.add(willLink);
            willLinkOf.put(d, willLink);
        }
        log.info("edge agent {} starting: site {}, devices {}, broker {}", config.clientId(), config.site(),
                config.devices(), config.broker());
        link.start();
        willLinks.forEach(BrokerLink::start);
        status.start(config.statusInterval());
        vertx.setPeriodic(config.statusInterval().toMillis(), t -> {
            metrics.flushLog();
            config.devices().forEach(this::refreshWill);
        });
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        status.stop();
        Promise<Void> drained = Promise.promise();
        awaitDrained(System.currentTimeMillis() + STOP_DRAIN_MILLIS, drained);
        return drained.future().compose(v -> {
            devices.values().forEach(EdgeDevice::stop);
            status.publishOffline();
            List<Future<Void>> stops = new ArrayList<>();
            stops.add(link.stop());
            willLinks.forEach(l -> stops.add(l.stop()));
            connected = false;
            metrics.connected(false);
            if (!outbox.isEmpty()) {
                log.warn("edge agent {} stopped with {} unsent QoS 1 messages ({})", config.clientId(),
                        outbox.size() + outbox.inFlight(), outbox.durable() ? "kept on disk, sent after the restart"
                                : "the outbox is in memory: they are lost");
            }
            return Future.join(stops).eventually(() -> vertx.executeBlocking(() -> {
                outbox.close(STOP_DRAIN_MILLIS * 2);
                return null;
            }));
        });
    }

    private void awaitDrained(long deadline, Promise<Void> done) {
        if (!link.isConnected() || outbox.isEmpty() || System.currentTimeMillis() >= deadline) {
            done.tryComplete();
        } else {
            vertx.setTimer(10, t -> awaitDrained(deadline, done));
        }
    }

    /** The device's last will: OFFLINE with its state now (and what that will says, remembered in {@link #armed}). */
    private BrokerLink.Will will(String device) {
        EdgeDevice d = devices.get(device);
        DeviceStatus will = d == null ? DeviceStatus.offline(config.site(), device) : DeviceStatus.offlineFrom(d.status());
        armed.put(device, willKey(d));
        return new BrokerLink.Will(Topics.of(config.site(), device, Topics.Kind.STATUS), Wire.encode(will));
    }

    private static String willKey(EdgeDevice d) {
        return d == null ? "" : d.modelVersion() + "|" + d.state() + "|" + d.status().episode();
    }

    /** Re-arms the device's will if what it would say changed (see the class comment). */
    private void refreshWill(String device) {
        EdgeDevice d = devices.get(device);
        if (d == null || d.state() == DeviceStatus.State.OFFLINE || willKey(d).equals(armed.get(device))) {
            return;
        }
        BrokerLink willLink = willLinkOf.get(device);
        if (willLink != null) {
            willLink.reconnectWith(will(device));
        } else {
            link.rearm(will(device));
        }
    }

    /**
     * The OFFLINE status the device's last will holds on its live connection (what the broker publishes
     * if this agent dies now); null while that connection is down.
     */
    public DeviceStatus armedWill(String device) {
        BrokerLink carrier = willLinkOf.getOrDefault(device(device).id(), link);
        BrokerLink.Will w = carrier == null ? null : carrier.liveWill();
        return w == null ? null : Wire.decode(w.payload(), DeviceStatus.class);
    }

    private void activated(EdgeDevice d) {
        status.publish(d.id());
        refreshWill(d.id());
        if (devices.values().stream().allMatch(x -> x.modelVersion() != null)) {
            modelsLoaded.tryComplete();
        }
    }

    private void decided(WindowDecision decision) {
        for (Consumer<WindowDecision> l : listeners) {
            try {
                l.accept(decision);
            } catch (RuntimeException e) {
                log.warn("a decision listener failed on {}: {}", decision, e.toString());
            }
        }
    }

    // ---- connection events ----------------------------------------------------------------------

    private final class MainListener implements BrokerLink.Listener {
        @Override
        public void connected(MqttClient client) {
            connected = true;
            metrics.connected(true);
            log.info("edge agent {} connected to {}", config.clientId(), config.broker());
            outbox.attach(client);
            status.publishAll();
        }

        @Override
        public void subscribed(List<Integer> granted) {
            if (granted.stream().anyMatch(q -> q == null || q > 2)) {
                log.error("[{}] the broker refused some subscriptions of {} (granted {})", ErrorCode.BROKER_UNAVAILABLE,
                        config.clientId(), granted);
                metrics.error(ErrorCode.BROKER_UNAVAILABLE);
            }
            metrics.connection();
            downloads.connected();
            ready.tryComplete();
        }

        @Override
        public void disconnected() {
            connected = false;
            metrics.connected(false);
            outbox.detach();
            downloads.disconnected();
        }

        @Override
        public void unavailable(String reason, long retryInMillis) {
            metrics.badInputLog().log(ErrorCode.BROKER_UNAVAILABLE, "[" + ErrorCode.BROKER_UNAVAILABLE + "] " + reason
                    + "; agent " + config.clientId() + " retries in " + retryInMillis + " ms (" + outbox.size()
                    + " QoS 1 messages held)");
            metrics.error(ErrorCode.BROKER_UNAVAILABLE);
        }

        @Override
        public void message(MqttPublishMessage message) {
            router.route(message.topicName(), message.payload().getBytes());
        }

        @Override
        public void protocolError(Throwable error) {
            EdgeAgent.this.protocolError(error);
        }
    }

    private void protocolError(Throwable error) {
        if (error instanceof TooLongFrameException || (error instanceof DecoderException
                && String.valueOf(error.getMessage()).contains("too large"))) {
            log.warn("[{}] an MQTT packet over {} bytes was refused ({}); the connection restarts without the "
                    + "messages queued for it", ErrorCode.OVERSIZED_PAYLOAD, MAX_MQTT_PACKET, error.getMessage());
            metrics.error(ErrorCode.OVERSIZED_PAYLOAD);
            link.discardSessionOnNextConnect();
        } else if (error instanceof DecoderException) {
            log.warn("[{}] an MQTT packet could not be decoded ({}); the connection restarts without the messages "
                    + "queued for it", ErrorCode.MALFORMED_PAYLOAD, error.getMessage());
            metrics.error(ErrorCode.MALFORMED_PAYLOAD);
            link.discardSessionOnNextConnect();
        } else if (error instanceof IOException) {
            log.debug("connection error on {}: {}", config.clientId(), error.toString());
        } else {
            log.warn("MQTT connection error on {}: {}", config.clientId(), error.toString());
        }
    }

    private final class WillListener implements BrokerLink.Listener {
        private final String device;

        WillListener(String device) {
            this.device = device;
        }

        @Override
        public void connected(MqttClient client) {
            // the will of a previous connection may have left OFFLINE: put the live status back
            status.publish(device);
        }

        @Override
        public void unavailable(String reason, long retryInMillis) {
            log.debug("will connection of device {}: {}; retry in {} ms", device, reason, retryInMillis);
        }
    }
}
