package dev.tandem.hub.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One notification channel's bounded queue, delivered one at a time in order on a Vert.x event loop:
 * each attempt is bounded by the settings' timeout, a failed one is retried after a doubling backoff,
 * and a notification that failed every attempt is counted as failed and passed over. Nothing here
 * blocks: {@link #offer} only queues. Counted in {@code tandem.hub.notifications.*{channel}}.
 */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    /** Why an attempt failed; its {@link #reason} is the counters' {@code reason} tag. */
    static final class Failure extends RuntimeException {
        final String reason;

        Failure(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    private final String channel;
    private final String target;
    private final Vertx vertx;
    private final NotifySettings settings;
    private final Function<byte[], Future<Void>> sink;
    private final MeterRegistry registry;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean closed;
    private final Counter sent;
    private final AtomicLong sentCount = new AtomicLong();
    private final Map<String, AtomicLong> attemptFailures = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> failed = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();

    /**
     * @param sink one attempt: a future that succeeds once delivered or fails with a {@link Failure}
     *             (called on the event loop; must not block)
     */
    Outbox(String channel, String target, Vertx vertx, NotifySettings settings, Function<byte[], Future<Void>> sink,
           MeterRegistry registry) {
        this.channel = channel;
        this.target = target;
        this.vertx = vertx;
        this.settings = settings;
        this.sink = sink;
        this.registry = registry;
        this.sent = Counter.builder("tandem.hub.notifications.sent").tag("channel", channel)
                .description("alarm notifications delivered").register(registry);
        Gauge.builder("tandem.hub.notifications.queued", this, o -> o.queued()).tag("channel", channel)
                .description("alarm notifications waiting to be delivered").register(registry);
        // the usual reasons exist from the start, so that a scrape shows them at 0
        for (String reason : new String[]{"timeout", "connect", "http_status"}) {
            if (!channel.equals(Notifier.MQTT)) {
                count(attemptFailures, "tandem.hub.notifications.attempt.failures", reason, 0);
            }
        }
        count(failed, "tandem.hub.notifications.failed", "retries_exhausted", 0);
        count(dropped, "tandem.hub.notifications.dropped", "queue_full", 0);
    }

    /** Queues a notification (dropped and counted when the queue is full or the hub stopping). */
    void offer(byte[] body) {
        boolean start;
        synchronized (this) {
            if (closed) {
                drop("closed");
                return;
            }
            if (queue.size() >= settings.queue()) {
                drop("queue_full");
                return;
            }
            queue.addLast(body);
            start = !busy;
            busy = true;
        }
        if (start) {
            vertx.runOnContext(v -> next());
        }
    }

    private void drop(String reason) {
        count(dropped, "tandem.hub.notifications.dropped", reason, 1);
        LOG.warn("[NOTIFY] {} notification dropped ({}) for {}", channel, reason, target);
    }

    private void next() {
        byte[] body;
        synchronized (this) {
            body = closed ? null : queue.pollFirst();
            if (body == null) {
                busy = false;
                return;
            }
        }
        attempt(body, 1);
    }

    private void attempt(byte[] body, int n) {
        Promise<Void> done = Promise.promise();
        long timer = vertx.setTimer(settings.timeout().toMillis(),
                t -> done.tryFail(new Failure("timeout", "no answer within " + settings.timeout().toMillis() + " ms")));
        Future<Void> attempt;
        try {
            attempt = sink.apply(body);
        } catch (RuntimeException e) {
            attempt = Future.failedFuture(e);
        }
        attempt.onComplete(r -> {
            if (r.succeeded()) {
                done.tryComplete();
            } else {
                done.tryFail(r.cause());
            }
        });
        done.future().onComplete(r -> {
            vertx.cancelTimer(timer);
            if (r.succeeded()) {
                sent.increment();
                sentCount.incrementAndGet();
                next();
                return;
            }
            String reason = r.cause() instanceof Failure f ? f.reason : "io";
            count(attemptFailures, "tandem.hub.notifications.attempt.failures", reason, 1);
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            if (n <= settings.retries()) {
                LOG.debug("{} notification attempt {} to {} failed ({}): {}", channel, n, target, reason,
                        r.cause().getMessage());
                vertx.setTimer(settings.backoffAfter(n).toMillis(), t -> attempt(body, n + 1));
            } else {
                count(failed, "tandem.hub.notifications.failed", "retries_exhausted", 1);
                LOG.warn("[NOTIFY] {} notification to {} failed after {} attempts, last: {} ({})", channel, target, n,
                        reason, r.cause().getMessage());
                next();
            }
        });
    }

    /** The meter first, then the status: whoever sees the status count also finds it in {@code /metrics}. */
    private void count(Map<String, AtomicLong> into, String meter, String reason, long n) {
        Counter.builder(meter).tag("channel", channel).tag("reason", reason).register(registry).increment(n);
        into.computeIfAbsent(reason, r -> new AtomicLong()).addAndGet(n);
    }

    synchronized int queued() {
        return queue.size();
    }

    /** Stops: what is still queued is dropped and counted ({@code closed}). */
    void close() {
        int left;
        synchronized (this) {
            closed = true;
            left = queue.size();
            queue.clear();
        }
        for (int i = 0; i < left; i++) {
            count(dropped, "tandem.hub.notifications.dropped", "closed", 1);
        }
    }

    Notifier.ChannelStatus status() {
        return new Notifier.ChannelStatus(channel, target, sentCount.get(), sum(attemptFailures), sum(failed), sum(dropped),
                queued(), nonZero(attemptFailures), nonZero(dropped));
    }

    private static long sum(Map<String, AtomicLong> m) {
        return m.values().stream().mapToLong(AtomicLong::get).sum();
    }

    private static Map<String, Long> nonZero(Map<String, AtomicLong> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (v.get() > 0) {
                out.put(k, v.get());
            }
        });
        return out;
    }
}
