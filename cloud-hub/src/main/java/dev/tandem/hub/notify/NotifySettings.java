package dev.tandem.hub.notify;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * Where and how the hub tells integrations of alarm episodes starting and ending ({@code ONSET},
 * {@code CLEAR}, {@code REBASELINED}). Invalid values are refused with {@link ErrorCode#INVALID_CONFIG}.
 *
 * @param webhook  an {@code http://} or {@code https://} URL every notification is POSTed to as JSON (null: none)
 * @param topic    an MQTT topic every notification is published to, QoS 1, not retained (null: none); on a broker
 *                 with ACLs the hub may publish notifications only on {@code tandem/v1/SITE/notifications}
 * @param retries  further attempts after a failed one (0..10; default {@value #DEFAULT_RETRIES})
 * @param timeout  how long one attempt may take (100 ms..60 s; default 5 s)
 * @param backoff  the wait before the first retry, doubled before each next one up to 30 s (10 ms..60 s; default 500 ms)
 * @param queue    notifications held per channel while one is being delivered (1..100000; default
 *                 {@value #DEFAULT_QUEUE}); past it new ones are dropped and counted
 */
public record NotifySettings(URI webhook, String topic, int retries, Duration timeout, Duration backoff, int queue) {
    public static final int DEFAULT_RETRIES = 3;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(500);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    public static final int DEFAULT_QUEUE = 1000;

    public NotifySettings {
        if (webhook != null) {
            String scheme = webhook.getScheme() == null ? "" : webhook.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || webhook.getHost() == null) {
                throw invalid("the webhook must be an http:// or https:// URL with a host, got '" + webhook + "'");
            }
        }
        if (topic != null && (topic.isEmpty() || topic.length() > 512 || topic.contains("+") || topic.contains("#")
                || topic.startsWith("$") || topic.indexOf('\0') >= 0)) {
            throw invalid("the notification topic must be a plain MQTT topic (no wildcards, not $...), got '" + topic + "'");
        }
        if (retries < 0 || retries > 10) {
            throw invalid("retries must be 0..10, got " + retries);
        }
        if (timeout == null || timeout.compareTo(Duration.ofMillis(100)) < 0 || timeout.compareTo(Duration.ofSeconds(60)) > 0) {
            throw invalid("the timeout must be 100 ms..60 s, got " + timeout);
        }
        if (backoff == null || backoff.compareTo(Duration.ofMillis(10)) < 0 || backoff.compareTo(Duration.ofSeconds(60)) > 0) {
            throw invalid("the backoff must be 10 ms..60 s, got " + backoff);
        }
        if (queue < 1 || queue > 100_000) {
            throw invalid("the queue must hold 1..100000 notifications, got " + queue);
        }
    }

    /** No notifications. */
    public static NotifySettings none() {
        return new NotifySettings(null, null, DEFAULT_RETRIES, DEFAULT_TIMEOUT, DEFAULT_BACKOFF, DEFAULT_QUEUE);
    }

    public NotifySettings withWebhook(URI url) {
        return new NotifySettings(url, topic, retries, timeout, backoff, queue);
    }

    public NotifySettings withTopic(String mqttTopic) {
        return new NotifySettings(webhook, mqttTopic, retries, timeout, backoff, queue);
    }

    public NotifySettings withRetries(int n, Duration firstBackoff) {
        return new NotifySettings(webhook, topic, n, timeout, firstBackoff, queue);
    }

    public NotifySettings withTimeout(Duration attemptTimeout) {
        return new NotifySettings(webhook, topic, retries, attemptTimeout, backoff, queue);
    }

    public NotifySettings withQueue(int capacity) {
        return new NotifySettings(webhook, topic, retries, timeout, backoff, capacity);
    }

    public boolean enabled() {
        return webhook != null || topic != null;
    }

    /** The wait before attempt {@code attempt + 1} (attempt 1 failed: {@link #backoff()}), doubled, at most 30 s. */
    public Duration backoffAfter(int attempt) {
        long ms = backoff.toMillis() << Math.min(20, Math.max(0, attempt - 1));
        return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
    }

    /** The webhook as it may be shown (scheme, host and port: its path and query may hold a secret). */
    public String webhookShown() {
        return webhook == null ? null : webhook.getScheme() + "://" + webhook.getHost()
                + (webhook.getPort() < 0 ? "" : ":" + webhook.getPort()) + "/...";
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, "notifications: " + message);
    }
}
