package dev.tandem.sim.publish;

import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.GroundTruth;
import dev.tandem.sim.factory.LabeledSample;
import dev.tandem.sim.factory.MachineSimulator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a factory line's readings as its sensors would: one {@link ReadingBatch} holding one
 * sample per MQTT message, on {@code tandem/v1/{site}/{device}/readings}, through a vertx-mqtt
 * client (MQTT 3.1.1).
 *
 * <p>Paced at {@link PublisherConfig#ratePerDevice()} samples/s per device (devices staggered over
 * the period), or as fast as the in-flight window allows. The window is the client's
 * {@code maxInflightQueue}: vertx-mqtt fails a publish past it instead of blocking, so the publisher
 * keeps count and publishes the next sample when an acknowledgement frees a slot. A device whose
 * samples fall behind (slow broker) catches up later: samples are generated when they are sent,
 * nothing piles up in memory.
 *
 * <p>A sample counts as published once the broker acknowledged it (PUBACK at QoS 1, PUBCOMP at
 * QoS 2; written to the socket at QoS 0); only then is it recorded in the line's
 * {@link GroundTruth}. All MQTT work runs on one event-loop context; the counters may be read from
 * any thread.
 *
 * <p>Errors: a broker that cannot be reached or drops the connection is logged once as
 * {@code [BROKER_UNAVAILABLE] ...}, counted in {@code tandem.sim.errors{code}}, and fails
 * {@link #start()} or {@link #completion()}; samples in flight then count as failed. There is no
 * automatic reconnect.
 */
public final class SensorPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(SensorPublisher.class);
    /** Longest pause between two pacing ticks. */
    private static final long MAX_TICK_MS = 20;

    private final Vertx vertx;
    private final FactoryLine line;
    private final PublisherConfig config;
    private final MqttQoS qos;
    private final List<Device> devices = new ArrayList<>();
    private final Map<String, Device> byId = new HashMap<>();

    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Counter publishedCounter;
    private final Counter failedCounter;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final MeterRegistry registry;

    private final Promise<Void> completion = Promise.promise();
    private Context context;

    // event-loop confined state
    private MqttClient client;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final Set<Integer> earlyAcks = new HashSet<>();
    private int inFlight;
    private long startNanos;
    private long timerId = -1;
    private int nextDevice;
    private boolean pumpScheduled;
    private long drainDeadline = -1;
    private boolean started;
    private boolean stopping;
    private boolean closed;
    private Promise<Void> drained;

    private record Pending(Device device, LabeledSample sample) {
    }

    private static final class Device {
        final MachineSimulator machine;
        final String topic;
        final int index;
        final AtomicLong published = new AtomicLong();
        long sent;

        Device(MachineSimulator machine, String topic, int index) {
            this.machine = machine;
            this.topic = topic;
            this.index = index;
        }
    }

    public SensorPublisher(Vertx vertx, FactoryLine line, PublisherConfig config) {
        this(vertx, line, config, new SimpleMeterRegistry());
    }

    public SensorPublisher(Vertx vertx, FactoryLine line, PublisherConfig config, MeterRegistry registry) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.line = Objects.requireNonNull(line, "line");
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.qos = MqttQoS.valueOf(config.qos());
        int i = 0;
        for (String id : line.deviceIds()) {
            Device d = new Device(line.machine(id), Topics.of(config.site(), id, Topics.Kind.READINGS), i++);
            devices.add(d);
            byId.put(id, d);
        }
        this.publishedCounter = Counter.builder("tandem.sim.published").tag("site", config.site()).register(registry);
        this.failedCounter = Counter.builder("tandem.sim.failed").tag("site", config.site()).register(registry);
    }

    public PublisherConfig config() {
        return config;
    }

    public FactoryLine line() {
        return line;
    }

    /** The line's ground truth, where every published sample is recorded. */
    public GroundTruth groundTruth() {
        return line.groundTruth();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Connects and starts publishing. Fails with {@link ErrorCode#BROKER_UNAVAILABLE} if the broker
     * cannot be reached within the connect timeout.
     */
    public synchronized Future<Void> start() {
        if (context != null) {
            return Future.failedFuture(new IllegalStateException("publisher already started"));
        }
        context = vertx.getOrCreateContext();
        Promise<Void> connected = Promise.promise();
        context.runOnContext(v -> connect(connected));
        return connected.future();
    }

    /**
     * Completes when every device has published {@code samplesPerDevice} samples and all are
     * acknowledged (or, when publishing until stopped, once stopped); fails if the connection is lost.
     */
    public Future<Void> completion() {
        return completion.future();
    }

    /**
     * Stops publishing, waits (up to the drain timeout) for the acknowledgements of what is in
     * flight, then disconnects. Safe to call more than once, before or after completion.
     */
    public synchronized Future<Void> stop() {
        if (context == null) {
            completion.tryComplete();
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> shutdown().onComplete(done));
        return done.future();
    }

    /** Samples acknowledged by the broker (written, at QoS 0), all devices. */
    public long published() {
        return published.get();
    }

    /** Samples acknowledged by the broker for one device. */
    public long published(String device) {
        Device d = byId.get(device);
        if (d == null) {
            throw new TandemException(ErrorCode.UNKNOWN_DEVICE, "no device '" + device + "' on this publisher");
        }
        return d.published.get();
    }

    /** Samples whose publish failed (refused, or in flight when the connection was lost). */
    public long failed() {
        return failed.get();
    }

    // ------------------------------------------------------------------ event loop

    private void connect(Promise<Void> connected) {
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(config.clientId())
                .setCleanSession(true)
                .setMaxInflightQueue(config.maxInflight())
                .setKeepAliveInterval(30);
        options.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        client = MqttClient.create(vertx, options);
        client.publishCompletionHandler(this::onAck);
        client.closeHandler(v -> onClosed());
        client.exceptionHandler(e -> LOG.debug("publisher connection: {}", e.toString()));
        long timeout = vertx.setTimer(config.connectTimeout().toMillis() + 1000,
                t -> connected.tryFail(brokerUnavailable("no CONNACK from " + config.broker().url()
                        + " within " + config.connectTimeout().toMillis() + " ms")));
        client.connect(config.broker().port(), config.broker().host())
                .onSuccess(ack -> {
                    vertx.cancelTimer(timeout);
                    if (stopping) { // stopped while connecting
                        connected.tryComplete();
                        disconnect();
                    } else if (connected.tryComplete()) {
                        started = true;
                        startNanos = System.nanoTime();
                        LOG.info("publishing {} devices of site {} to {} at {} (QoS {})", devices.size(), config.site(),
                                config.broker().url(), config.asFastAsPossible() ? "full speed"
                                        : config.ratePerDevice() + " samples/s per device", config.qos());
                        if (!config.asFastAsPossible()) {
                            long tick = Math.max(1, Math.min(MAX_TICK_MS, Math.round(1000 / (config.ratePerDevice() * devices.size()))));
                            timerId = vertx.setPeriodic(tick, t -> pump());
                        }
                        pump();
                    }
                })
                .onFailure(e -> {
                    vertx.cancelTimer(timeout);
                    connected.tryFail(brokerUnavailable("cannot connect to " + config.broker().url() + ": " + e.getMessage()));
                    closed = true;
                    completion.tryFail(new TandemException(ErrorCode.BROKER_UNAVAILABLE, "never connected"));
                });
    }

    /** Pumps once after the current event (acks come in bursts; QoS 0 writes may complete inline). */
    private void schedulePump() {
        if (!pumpScheduled) {
            pumpScheduled = true;
            context.runOnContext(v -> {
                pumpScheduled = false;
                pump();
            });
        }
    }

    /** Publishes whatever is due, device by device in turn, while the window has room. */
    private void pump() {
        if (!started || stopping || closed) {
            return;
        }
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        int idle = 0;
        while (inFlight < config.maxInflight() && idle < devices.size()) {
            Device d = devices.get(nextDevice);
            nextDevice = (nextDevice + 1) % devices.size();
            if (d.sent < due(d, elapsed)) {
                publish(d);
                idle = 0;
            } else {
                idle++;
            }
        }
        checkDone();
    }

    /** How many samples of a device should have been sent by now. */
    private long due(Device d, double elapsedSeconds) {
        long limit = config.samplesPerDevice() == 0 ? Long.MAX_VALUE : config.samplesPerDevice();
        if (config.asFastAsPossible()) {
            return limit;
        }
        double offset = (double) d.index / devices.size(); // devices staggered over one period
        double slots = elapsedSeconds * config.ratePerDevice() - offset;
        return slots < 0 ? 0 : Math.min(limit, (long) Math.floor(slots) + 1);
    }

    private void publish(Device d) {
        LabeledSample sample = d.machine.next();
        d.sent++;
        Buffer payload = Buffer.buffer(Wire.encode(ReadingBatch.of(config.site(), d.machine.deviceId(), List.of(sample.sample()))));
        inFlight++;
        client.publish(d.topic, payload, qos, false, false)
                .onSuccess(packetId -> {
                    if (qos == MqttQoS.AT_MOST_ONCE) {
                        acknowledged(new Pending(d, sample));
                    } else if (earlyAcks.remove(packetId)) {
                        acknowledged(new Pending(d, sample));
                    } else {
                        pending.put(packetId, new Pending(d, sample));
                    }
                })
                .onFailure(e -> {
                    inFlight--;
                    failed.incrementAndGet();
                    failedCounter.increment();
                    LOG.debug("publish of {} seq {} failed: {}", d.machine.deviceId(), sample.seq(), e.toString());
                    checkDone();
                });
    }

    private void onAck(int packetId) {
        Pending p = pending.remove(packetId);
        if (p == null) {
            earlyAcks.add(packetId); // acknowledgement overtook the write completion
            return;
        }
        acknowledged(p);
    }

    private void acknowledged(Pending p) {
        inFlight--;
        line.groundTruth().record(p.device().machine.deviceId(), p.sample());
        p.device().published.incrementAndGet();
        published.incrementAndGet();
        publishedCounter.increment();
        if (stopping) {
            checkDrained();
        } else if (config.asFastAsPossible()) {
            schedulePump();
        } else {
            checkDone();
        }
    }

    private void checkDone() {
        if (config.samplesPerDevice() == 0 || inFlight > 0 || stopping || closed) {
            return;
        }
        for (Device d : devices) {
            if (d.sent < config.samplesPerDevice()) {
                return;
            }
        }
        LOG.info("published {} samples per device for {} devices ({} failed)", config.samplesPerDevice(),
                devices.size(), failed.get());
        shutdown();
    }

    private Future<Void> shutdown() {
        if (drained != null) {
            return drained.future();
        }
        drained = Promise.promise();
        stopping = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
        if (closed || client == null) {
            completion.tryComplete();
            drained.tryComplete();
            return drained.future();
        }
        drainDeadline = vertx.setTimer(Math.max(1, config.drainTimeout().toMillis()), t -> {
            if (inFlight > 0) {
                LOG.warn("stopping with {} samples still unacknowledged after {} ms", inFlight, config.drainTimeout().toMillis());
            }
            disconnect();
        });
        checkDrained();
        return drained.future();
    }

    private void checkDrained() {
        if (inFlight <= 0) {
            if (drainDeadline >= 0) {
                vertx.cancelTimer(drainDeadline);
            }
            disconnect();
        }
    }

    private void disconnect() {
        if (closed) {
            return;
        }
        closed = true;
        countLostInFlight();
        Future<Void> f = client.isConnected() ? client.disconnect() : Future.succeededFuture();
        f.onComplete(ar -> {
            completion.tryComplete();
            drained.tryComplete();
        });
    }

    private void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
        int lost = countLostInFlight();
        TandemException e = brokerUnavailable("connection to " + config.broker().url() + " lost; "
                + lost + " samples in flight count as failed");
        completion.tryFail(e);
        if (drained != null) {
            drained.tryComplete();
        }
    }

    private int countLostInFlight() {
        int lost = Math.max(0, inFlight);
        if (lost > 0) {
            failed.addAndGet(lost);
            failedCounter.increment(lost);
        }
        inFlight = 0;
        pending.clear();
        return lost;
    }

    private TandemException brokerUnavailable(String message) {
        TandemException e = new TandemException(ErrorCode.BROKER_UNAVAILABLE, message);
        LOG.error("{}", e.toString());
        errors.computeIfAbsent(ErrorCode.BROKER_UNAVAILABLE, c -> Counter.builder("tandem.sim.errors")
                .tag("code", c.name()).tag("site", config.site()).register(registry)).increment();
        return e;
    }
}
