package dev.tandem.sim.publish;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.GroundTruth;
import dev.tandem.sim.factory.LabeledSample;
import dev.tandem.sim.publish.DeviceSchedule.Device;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import dev.tandem.edge.uplink.MqttLogin;
import io.vertx.mqtt.MqttClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a factory line's readings as its sensors would: one {@link ReadingBatch} holding one
 * sample per MQTT message, on {@code tandem/v1/{site}/{device}/readings}, through a vertx-mqtt
 * client (MQTT 3.1.1).
 *
 * <p>Paced at {@link PublisherConfig#ratePerDevice()} samples/s per device (devices staggered over
 * the period, see {@link DeviceSchedule}), or as fast as the in-flight window allows. The window is
 * the client's {@code maxInflightQueue}, kept by a {@link WindowedPublisher}: the publisher
 * publishes the next sample when an acknowledgement frees a slot. A device whose
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
    /** A device's readings name their channels on the first batch of an epoch and on every this-many-th after. */
    static final int NAME_EVERY = 100;

    private final Vertx vertx;
    private final FactoryLine line;
    private final PublisherConfig config;
    private final MqttQoS qos;
    private final DeviceSchedule devices;

    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong silenced = new AtomicLong();
    private final Counter publishedCounter;
    private final Counter failedCounter;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final MeterRegistry registry;

    private final Promise<Void> completion = Promise.promise();
    /** This run's sensor epoch (a new one at each start, and one more at each scripted restart). */
    private final long baseEpoch = java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 48) << 8;
    private Context context;

    // event-loop confined state
    private WindowedPublisher<Pending> mqtt;
    private long startNanos;
    private long timerId = -1;
    private boolean pumpScheduled;
    private long drainDeadline = -1;
    private boolean started;
    private boolean stopping;
    private boolean closed;
    private Promise<Void> drained;

    /** A sample in flight, with the machine index it was generated at (its seq, unless a restart reset it). */
    private record Pending(Device device, LabeledSample sample, long index) {
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
        this.devices = new DeviceSchedule(line, config);
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
        Device d = devices.device(device);
        if (d == null) {
            throw new TandemException(ErrorCode.UNKNOWN_DEVICE, "no device '" + device + "' on this publisher");
        }
        return d.published.get();
    }

    /** Samples due while their device was silent (a scripted power cut or maintenance): generated, never sent. */
    public long silenced() {
        return silenced.get();
    }

    /** Samples whose publish failed (refused, or in flight when the connection was lost). */
    public long failed() {
        return failed.get();
    }

    // ------------------------------------------------------------------ event loop

    private void connect(Promise<Void> connected) {
        MqttClientOptions options = MqttLogin.apply(new MqttClientOptions(), config.broker(), config.login(),
                        config.clientId())
                .setCleanSession(true)
                .setMaxInflightQueue(config.maxInflight())
                .setKeepAliveInterval(30);
        options.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        mqtt = new WindowedPublisher<>(vertx, options, qos, new WindowedPublisher.Events<>() {
            @Override
            public void acknowledged(Pending p) {
                SensorPublisher.this.acknowledged(p);
            }

            @Override
            public void failed(Pending p, Throwable e) {
                countFailed(1);
                LOG.debug("publish of {} seq {} failed: {}", p.device().machine.deviceId(), p.sample().seq(), e.toString());
                checkDone();
            }
        });
        mqtt.client().closeHandler(v -> onClosed());
        mqtt.client().exceptionHandler(e -> LOG.debug("publisher connection: {}", e.toString()));
        mqtt.connect(config.broker(), config.connectTimeout().plusSeconds(1))
                .onSuccess(ack -> {
                    if (stopping) { // stopped while connecting
                        connected.tryComplete();
                        disconnect();
                    } else if (!connected.future().isComplete()) {
                        startPublishing(); // first: start()'s future completes with the clock set and the schedule running
                        connected.tryComplete();
                    }
                })
                .onFailure(e -> {
                    connected.tryFail(brokerUnavailable(e instanceof TimeoutException
                            ? "no CONNACK from " + config.broker().url() + " within " + config.connectTimeout().toMillis() + " ms"
                            : "cannot connect to " + config.broker().url() + ": " + e.getMessage()));
                    closed = true;
                    completion.tryFail(new TandemException(ErrorCode.BROKER_UNAVAILABLE, "never connected"));
                });
    }

    private void startPublishing() {
        started = true;
        startNanos = System.nanoTime();
        if (config.wallClock()) {
            line.stampWallClock(java.time.Instant.now(), config.ratePerDevice());
        }
        LOG.info("publishing {} devices of site {} to {} at {} (QoS {})", devices.size(), config.site(),
                config.broker().url(), config.asFastAsPossible() ? "full speed"
                        : config.ratePerDevice() + " samples/s per device", config.qos());
        if (!config.asFastAsPossible()) {
            timerId = vertx.setPeriodic(devices.tickMillis(), t -> pump());
        }
        pump();
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
        while (mqtt.hasRoom()) {
            Device d = devices.nextDue(elapsed);
            if (d == null) {
                break;
            }
            publish(d);
        }
        checkDone();
    }

    private void publish(Device d) {
        long index = d.machine.nextSeq();
        boolean silent = d.machine.silentAt(index);
        LabeledSample sample = d.machine.next();
        d.sent++;
        if (silent) { // powered off or in maintenance: the sample is due but never leaves the device
            silenced.incrementAndGet();
            return;
        }
        long epoch = baseEpoch + d.machine.restartsAt(index);
        // the channels' names ride on the first batch of an epoch and every NAME_EVERY-th after it (the edge
        // keeps the last it saw), not on every reading
        boolean name = epoch != d.namedEpoch || d.sent % NAME_EVERY == 1;
        d.namedEpoch = epoch;
        Buffer payload = Buffer.buffer(Wire.encode(ReadingBatch.of(config.site(), d.machine.deviceId(), epoch,
                List.of(sample.sample()), name ? d.machine.profile().channelNames() : null)));
        mqtt.publish(d.topic, payload, new Pending(d, sample, index));
    }

    private void acknowledged(Pending p) {
        line.groundTruth().record(p.device().machine.deviceId(), p.index(), p.sample());
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
        if (mqtt.inFlight() > 0 || stopping || closed || !devices.allSent()) {
            return;
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
        if (closed || mqtt == null) {
            completion.tryComplete();
            drained.tryComplete();
            return drained.future();
        }
        drainDeadline = vertx.setTimer(Math.max(1, config.drainTimeout().toMillis()), t -> {
            if (mqtt.inFlight() > 0) {
                LOG.warn("stopping with {} samples still unacknowledged after {} ms", mqtt.inFlight(), config.drainTimeout().toMillis());
            }
            disconnect();
        });
        checkDrained();
        return drained.future();
    }

    private void checkDrained() {
        if (mqtt.inFlight() <= 0) {
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
        mqtt.disconnect().onComplete(ar -> {
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
        int lost = mqtt.abandonInFlight();
        if (lost > 0) {
            countFailed(lost);
        }
        return lost;
    }

    private void countFailed(int n) {
        failed.addAndGet(n);
        failedCounter.increment(n);
    }

    private TandemException brokerUnavailable(String message) {
        TandemException e = new TandemException(ErrorCode.BROKER_UNAVAILABLE, message);
        LOG.error("{}", e.toString());
        errors.computeIfAbsent(ErrorCode.BROKER_UNAVAILABLE, c -> Counter.builder("tandem.sim.errors")
                .tag("code", c.name()).tag("site", config.site()).register(registry)).increment();
        return e;
    }
}
