package dev.tandem.sim.score;

import dev.tandem.edge.uplink.MqttLogin;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.wire.Wire;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records the alarms seen on a broker ({@code tandem/v1/+/+/alarms}, QoS 1) in memory, and on
 * {@link #writeTo} as JSON lines that {@code ./tandem score} reads. A payload that is not an alarm is
 * dropped and counted by its code. Waits ({@link #await}) are bounded.
 */
public final class AlarmRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlarmRecorder.class);
    /** Most alarms kept in memory; later ones are counted, not kept. */
    public static final int MAX_KEPT = 1_000_000;

    private final MqttClient client;
    private final List<Alarm> alarms = new ArrayList<>();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong overflow = new AtomicLong();

    private AlarmRecorder(MqttClient client) {
        this.client = client;
    }

    /** Connects to {@code broker} anonymously and subscribes to every site's alarms; BROKER_UNAVAILABLE if it cannot within 10 s. */
    public static AlarmRecorder start(Vertx vertx, BrokerAddress broker) {
        return start(vertx, broker, BrokerLogin.none(), null);
    }

    /**
     * Connects as {@code login} (the site's monitor on a secured broker; client id = its
     * username) and subscribes to the alarms of {@code site} (every site when null).
     */
    public static AlarmRecorder start(Vertx vertx, BrokerAddress broker, BrokerLogin login, String site) {
        return start(vertx, broker, login, site, null);
    }

    /**
     * Like {@link #start(Vertx, BrokerAddress, BrokerLogin, String)}, and when {@code modelStates} is
     * not null also hands it every model state the site's agents report ({@code model/state}: a
     * replay waits on them), on the same connection (one session per identity).
     */
    public static AlarmRecorder start(Vertx vertx, BrokerAddress broker, BrokerLogin login, String site,
                                      java.util.function.Consumer<ModelState> modelStates) {
        String topic = site == null ? Topics.allDevices(Topics.Kind.ALARMS) : Topics.allDevices(site, Topics.Kind.ALARMS);
        String states = site == null ? Topics.allDevices(Topics.Kind.MODEL_STATE) : Topics.allDevices(site, Topics.Kind.MODEL_STATE);
        MqttClient client = MqttClient.create(vertx, MqttLogin.apply(new MqttClientOptions(), broker, login,
                        login.clientId("tandem-alarm-recorder-" + UUID.randomUUID().toString().substring(0, 8)))
                .setCleanSession(true).setMaxMessageSize(Wire.MAX_PAYLOAD_BYTES));
        AlarmRecorder r = new AlarmRecorder(client);
        client.publishHandler(m -> {
            if (modelStates != null && m.topicName().endsWith("/" + Topics.Kind.MODEL_STATE.suffix())) {
                try {
                    modelStates.accept(Wire.decode(m.payload().getBytes(), ModelState.class));
                } catch (TandemException e) {
                    r.rejected.incrementAndGet();
                }
            } else {
                r.accept(m.payload().getBytes());
            }
        });
        try {
            Promise<Void> subscribed = Promise.promise();
            client.subscribeCompletionHandler(ack -> {
                if (ack.grantedQoSLevels().stream().anyMatch(q -> q < 0 || q > 2)) {
                    subscribed.tryFail("the broker refused the subscription to " + topic);
                } else {
                    subscribed.tryComplete();
                }
            });
            client.connect(broker.port(), broker.host())
                    .compose(ack -> modelStates == null ? client.subscribe(topic, MqttQoS.AT_LEAST_ONCE.value())
                            : client.subscribe(java.util.Map.of(topic, MqttQoS.AT_LEAST_ONCE.value(),
                            states, MqttQoS.AT_LEAST_ONCE.value())))
                    .compose(id -> subscribed.future())
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "alarm recorder cannot subscribe on " + broker.url() + ": " + e, e);
        }
        return r;
    }

    private void accept(byte[] payload) {
        Alarm a;
        try {
            a = Wire.decode(payload, Alarm.class);
        } catch (TandemException e) {
            rejected.incrementAndGet();
            LOG.debug("alarm recorder: {}", e.toString());
            return;
        }
        synchronized (this) {
            if (alarms.size() >= MAX_KEPT) {
                overflow.incrementAndGet();
                return;
            }
            alarms.add(a);
            notifyAll();
        }
    }

    public synchronized List<Alarm> alarms() {
        return List.copyOf(alarms);
    }

    public synchronized int count() {
        return alarms.size();
    }

    /** Payloads on an alarm topic that were not alarms. */
    public long rejected() {
        return rejected.get();
    }

    /** The first alarm of {@code device} (any device when null), waiting at most {@code timeout}. */
    public Optional<Alarm> await(String device, Duration timeout) throws InterruptedException {
        return await(a -> device == null || a.device().equals(device), timeout);
    }

    /** The first alarm that {@code matches}, waiting at most {@code timeout}. */
    public synchronized Optional<Alarm> await(java.util.function.Predicate<Alarm> matches, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Alarm a : alarms) {
                if (matches.test(a)) {
                    return Optional.of(a);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Writes what was recorded as JSON lines. */
    public void writeTo(Path file) {
        JsonLines.write(file, alarms());
    }

    /** Forgets the alarms seen so far. */
    public synchronized void clear() {
        alarms.clear();
    }

    @Override
    public void close() {
        if (client.isConnected()) {
            Future<Void> f = client.disconnect();
            try {
                f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("alarm recorder disconnect: {}", e.toString());
            }
        }
    }
}
