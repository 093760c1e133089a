package dev.tandem.sim.replay;

import dev.tandem.edge.uplink.MqttLogin;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.eval.SkabFile;
import dev.tandem.sim.publish.PublisherConfig;
import dev.tandem.sim.publish.WindowedPublisher;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes recorded files on one MQTT connection, each file as one device: its rows in order, one
 * reading per message ({@code seq} = row, {@code ts} = the row's time) on the device's readings topic,
 * at QoS 1 through a {@link WindowedPublisher} (at most a window unacknowledged: the broker's
 * acknowledgements are the flow control, nothing is dropped). Paced: row {@code t} goes out
 * {@code (ts[t] - ts[0]) / speed} after the start (each file from its own first row); at full speed
 * ({@code speed} infinite) as fast as the broker acknowledges, the devices in turn.
 */
final class ReplayPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayPublisher.class);
    private static final long TICK_MS = 5;

    private final Vertx vertx;
    private final String site;
    private final List<Device> devices = new ArrayList<>();
    private final BrokerAddress broker;
    private final BrokerLogin login;
    private final String clientId;
    private final double speed;
    private final int gateAt;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Promise<Void> completion = Promise.promise();

    // event-loop confined
    private Context context;
    private WindowedPublisher<Device> mqtt;
    private long startNanos;
    private long timer = -1;
    private int turn;
    private boolean pumpScheduled;
    private boolean closed;

    private static final class Device {
        final SkabFile file;
        final String topic;
        int next;
        final AtomicLong acked = new AtomicLong();
        /** Whether rows from the gate on may go (a gated device waits for its model). */
        volatile boolean open;
        /** Wall milliseconds the device's recorded clock was held at the gate (paced runs). */
        double pausedMs;

        Device(SkabFile file, String topic) {
            this.file = file;
            this.topic = topic;
        }

        boolean sentAll() {
            return next >= file.rowCount();
        }

        /** Milliseconds after the start at which row {@code next} is due. */
        double dueMillis(double speed) {
            return (file.timestamp(next) - file.timestamp(0)) / speed + pausedMs;
        }
    }

    ReplayPublisher(Vertx vertx, String site, List<SkabFile> files, BrokerAddress broker, BrokerLogin login,
                    String clientId, double speed, int gateAt) {
        this.vertx = vertx;
        this.site = site;
        this.broker = broker;
        this.login = login;
        this.clientId = login.clientId(clientId);
        this.speed = speed;
        this.gateAt = gateAt;
        for (SkabFile f : files) {
            Device d = new Device(f, Topics.of(site, f.deviceId(), Topics.Kind.READINGS));
            d.open = gateAt < 0;
            devices.add(d);
        }
    }

    String clientId() {
        return clientId;
    }

    /** Connects (BROKER_UNAVAILABLE if it cannot within the publisher's connect timeout) and starts. */
    Future<Void> start() {
        Promise<Void> connected = Promise.promise();
        context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
            MqttClientOptions o = MqttLogin.apply(new MqttClientOptions(), broker, login, clientId)
                    .setCleanSession(true).setMaxInflightQueue(PublisherConfig.DEFAULT_MAX_INFLIGHT).setKeepAliveInterval(30);
            mqtt = new WindowedPublisher<>(vertx, o, MqttQoS.AT_LEAST_ONCE, new WindowedPublisher.Events<>() {
                @Override
                public void acknowledged(Device d) {
                    d.acked.incrementAndGet();
                    published.incrementAndGet();
                    schedulePump();
                }

                @Override
                public void failed(Device d, Throwable e) {
                    failed.incrementAndGet();
                    LOG.debug("replay publish of {} failed: {}", d.file.deviceId(), e.toString());
                    schedulePump();
                }
            });
            mqtt.client().closeHandler(x -> {
                if (!closed) {
                    closed = true;
                    failed.addAndGet(mqtt.abandonInFlight());
                    completion.tryFail(new TandemException(ErrorCode.BROKER_UNAVAILABLE, "replay connection "
                            + clientId + " to " + broker.url() + " lost"));
                }
            });
            mqtt.connect(broker, PublisherConfig.DEFAULT_CONNECT_TIMEOUT).onSuccess(ok -> {
                connected.tryComplete();
                startNanos = System.nanoTime();
                if (!Double.isInfinite(speed)) {
                    timer = vertx.setPeriodic(TICK_MS, t -> pump());
                }
                pump();
            }).onFailure(e -> {
                closed = true;
                TandemException t = new TandemException(ErrorCode.BROKER_UNAVAILABLE, "replay cannot connect to "
                        + broker.url() + " as " + clientId + ": " + e.getMessage(), e);
                connected.tryFail(t);
                completion.tryFail(t);
            });
        });
        return connected.future();
    }

    /** Completes when every row is acknowledged (or failed); fails if the connection is lost. */
    Future<Void> completion() {
        return completion.future();
    }

    private void schedulePump() {
        if (!pumpScheduled) {
            pumpScheduled = true;
            context.runOnContext(v -> {
                pumpScheduled = false;
                pump();
            });
        }
    }

    private void pump() {
        if (closed) {
            return;
        }
        double elapsedMs = (System.nanoTime() - startNanos) / 1e6;
        int idle = 0;
        while (mqtt.hasRoom() && idle < devices.size()) {
            Device d = devices.get(turn);
            turn = (turn + 1) % devices.size();
            if (d.sentAll() || (!d.open && d.next >= gateAt)
                    || (!Double.isInfinite(speed) && d.dueMillis(speed) > elapsedMs)) {
                idle++;
                continue;
            }
            idle = 0;
            int row = d.next++;
            Sample s = new Sample(row, d.file.timestamp(row), d.file.row(row));
            mqtt.publish(d.topic, Buffer.buffer(Wire.encode(ReadingBatch.of(site, d.file.deviceId(), List.of(s)))), d);
        }
        if (mqtt.inFlight() == 0 && devices.stream().allMatch(Device::sentAll)) {
            finish();
        }
    }

    private void finish() {
        if (closed) {
            return;
        }
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        mqtt.disconnect().onComplete(ar -> completion.tryComplete());
    }

    /** Whether {@code device} is one of this connection's. */
    boolean serves(String device) {
        return devices.stream().anyMatch(d -> d.file.deviceId().equals(device));
    }

    /**
     * Lets {@code device}'s rows past the gate go (its model is active); a paced device's recorded
     * clock resumes from where it was held. Unknown devices: ignored.
     */
    void open(String device) {
        context.runOnContext(v -> {
            for (Device d : devices) {
                if (d.file.deviceId().equals(device) && !d.open) {
                    if (!Double.isInfinite(speed) && !d.sentAll()) {
                        double elapsedMs = (System.nanoTime() - startNanos) / 1e6;
                        d.pausedMs += Math.max(0, elapsedMs - d.dueMillis(speed));
                    }
                    d.open = true;
                }
            }
            schedulePump();
        });
    }

    /** The devices still held at the gate. */
    List<String> gated() {
        return devices.stream().filter(d -> !d.open).map(d -> d.file.deviceId()).toList();
    }

    /** Stops publishing and disconnects (bounded: what is in flight counts as failed). */
    Future<Void> stop() {
        Promise<Void> done = Promise.promise();
        if (context == null) {
            completion.tryComplete();
            return Future.succeededFuture();
        }
        context.runOnContext(v -> {
            if (!closed) {
                closed = true;
                if (timer >= 0) {
                    vertx.cancelTimer(timer);
                }
                failed.addAndGet(mqtt.abandonInFlight());
                mqtt.disconnect().onComplete(ar -> completion.tryComplete());
            }
            done.tryComplete();
        });
        return done.future().compose(x -> completion.future().otherwiseEmpty()).timeout(10, java.util.concurrent.TimeUnit.SECONDS)
                .otherwiseEmpty().mapEmpty();
    }

    long published() {
        return published.get();
    }

    long failed() {
        return failed.get();
    }

    long rows() {
        return devices.stream().mapToLong(d -> d.file.rowCount()).sum();
    }

    /** Simulated (recorded) seconds the slowest device has reached. */
    double recordedSeconds() {
        double min = Double.MAX_VALUE;
        for (Device d : devices) {
            int i = Math.max(0, Math.min(d.next, d.file.rowCount()) - 1);
            min = Math.min(min, (d.file.timestamp(i) - d.file.timestamp(0)) / 1000.0);
        }
        return min;
    }

}
