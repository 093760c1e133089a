package dev.tandem.hub.notify;

import dev.tandem.hub.alarm.AlarmEntry;
import dev.tandem.hub.live.HubEvents;
import dev.tandem.hub.mqtt.HubConnection;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Wire;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Tells integrations when an alarm episode starts ({@code ONSET}) and ends ({@code CLEAR},
 * {@code REBASELINED}): a {@link Notification} as JSON, POSTed to a webhook (Vert.x WebClient) and
 * published on an MQTT topic (QoS 1, through the hub's own connection). It listens to the hub's
 * {@link HubEvents} and only queues there; delivery runs on its own event loop, per channel one
 * notification at a time and in order, with a timeout per attempt, retries with backoff and a bounded
 * queue ({@link NotifySettings}). Each episode's phase is notified once, however often the device's
 * message is redelivered. Failed attempts, notifications given up and drops are counted by reason
 * ({@code tandem.hub.notifications.*}) and shown in {@link #status()}.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    public static final String WEBHOOK = "webhook";
    public static final String MQTT = "mqtt";
    /** Episodes whose notified phase is remembered (older ones are forgotten: their redeliveries are rare). */
    private static final int REMEMBERED = 10_000;

    private final String hubInstance;
    private final Vertx vertx;
    private final WebClient web;
    private final List<Outbox> outboxes = new ArrayList<>();
    private final Map<Long, Alarm.Phase> notified = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Alarm.Phase> eldest) {
            return size() > REMEMBERED;
        }
    };
    private AutoCloseable subscription;

    private Notifier(NotifySettings settings, String hubInstance, HubConnection connection, MeterRegistry registry) {
        this.hubInstance = hubInstance;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
        if (settings.webhook() != null) {
            this.web = WebClient.create(vertx, new WebClientOptions()
                    .setConnectTimeout((int) settings.timeout().toMillis())
                    .setUserAgent("tandem-hub/" + hubInstance));
            String url = settings.webhook().toString();
            long timeoutMs = settings.timeout().toMillis();
            outboxes.add(new Outbox(WEBHOOK, settings.webhookShown(), vertx, settings,
                    body -> post(url, body, timeoutMs), registry));
        } else {
            this.web = null;
        }
        if (settings.topic() != null) {
            String topic = settings.topic();
            outboxes.add(new Outbox(MQTT, topic, vertx, settings, body -> publish(connection, topic, body), registry));
        }
    }

    /** A notifier for the settings' channels, listening to {@code events}; null when no channel is set. */
    public static Notifier start(NotifySettings settings, String hubInstance, HubConnection connection,
                                 MeterRegistry registry, HubEvents events) {
        if (settings == null || !settings.enabled()) {
            return null;
        }
        Notifier n = new Notifier(settings, hubInstance, connection, registry);
        n.subscription = events.subscribe(n::onEvent);
        LOG.info("notifying alarm onsets and clears to {}", n.outboxes.stream().map(o -> o.status().channel() + " "
                + o.status().target()).toList());
        return n;
    }

    private Future<Void> post(String url, byte[] body, long timeoutMs) {
        return web.postAbs(url).timeout(timeoutMs).putHeader("content-type", "application/json")
                .sendBuffer(Buffer.buffer(body))
                .transform(r -> {
                    if (r.failed()) {
                        Throwable c = r.cause();
                        String reason = c instanceof ConnectException ? "connect"
                                : c instanceof java.util.concurrent.TimeoutException
                                || String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("timeout")
                                ? "timeout" : "io";
                        return Future.failedFuture(new Outbox.Failure(reason, c.toString()));
                    }
                    int status = r.result().statusCode();
                    return status / 100 == 2 ? Future.succeededFuture()
                            : Future.failedFuture(new Outbox.Failure("http_status", "HTTP " + status));
                });
    }

    private static Future<Void> publish(HubConnection connection, String topic, byte[] body) {
        Promise<Void> p = Promise.promise();
        boolean handed = connection.publish(topic, body, 1, false, Duration.ZERO, e -> {
            if (e == null) {
                p.tryComplete();
            } else {
                p.tryFail(new Outbox.Failure("broker", e.toString()));
            }
        });
        if (!handed) {
            p.tryFail(new Outbox.Failure("not_connected", "the hub is not connected to the broker (or no slot)"));
        }
        return p.future();
    }

    private void onEvent(HubEvents.Event e) {
        if (e.kind() == HubEvents.Kind.ALARM && e.data() instanceof AlarmEntry entry) {
            offer(entry);
        }
    }

    /** Queues a notification of the entry's latest message, if it starts or ends its episode and was not notified. */
    public void offer(AlarmEntry entry) {
        Alarm.Phase phase = entry.latest().phase();
        if (phase == Alarm.Phase.UPDATE) {
            return;
        }
        synchronized (notified) {
            if (notified.get(entry.id()) == phase) {
                return;
            }
            notified.put(entry.id(), phase);
        }
        byte[] body = Wire.encode(Notification.of(entry, hubInstance));
        for (Outbox o : outboxes) {
            o.offer(body);
        }
    }

    /** What each channel has done so far. */
    public List<ChannelStatus> status() {
        return outboxes.stream().map(Outbox::status).toList();
    }

    /** Stops listening; drops (and counts) what is still queued; closes the event loop (bounded). */
    @Override
    public void close() {
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                LOG.debug("unsubscribing: {}", e.toString());
            }
        }
        outboxes.forEach(Outbox::close);
        if (web != null) {
            web.close();
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("notifier's event loop did not close: {}", e.toString());
        }
    }

    /**
     * What one channel has done (the hub's {@code GET /api/v1/status}).
     *
     * @param target         the webhook's scheme, host and port, or the MQTT topic
     * @param failedAttempts attempts that failed (each retry of a notification counts)
     * @param failed         notifications given up after every attempt failed
     * @param dropped        notifications never attempted (queue full, hub stopping)
     */
    public record ChannelStatus(String channel, String target, long sent, long failedAttempts, long failed,
                                long dropped, int queued, Map<String, Long> failedAttemptsByReason,
                                Map<String, Long> droppedByReason) {
    }
}
