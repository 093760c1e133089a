package dev.tandem.hub.api;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.alarm.AlarmEntry;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.live.DeviceTrails;
import dev.tandem.hub.live.HubEvents;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the console reads live:
 * <ul>
 *   <li>{@code GET /api/v1/devices/{id}/readings[?limit=N]}: the device's recent readings as the hub saw them
 *       (its commissioning set and its escalations), and the verdicts ({@link ApiJson.Readings}; 404 {@code UNKNOWN_DEVICE}).</li>
 *   <li>{@code GET /api/v1/events}: server-sent events, {@code device} (an {@link ApiJson.Device}),
 *       {@code alarm} (an {@link ApiJson.AlarmItem}: an episode's message or an acknowledgement) and
 *       {@code verdict} (a {@link DeviceTrails.Judged}), and a {@code ping} ({@link ApiJson.Ping}) every
 *       {@value #PING_MS} ms. Each stream has a queue of {@value #QUEUE} events: a client that reads slower
 *       than the hub publishes loses the newest events beyond it, counted in its pings and in
 *       {@code tandem.hub.api.events.dropped}. At most {@value #MAX_STREAMS} streams (more: 503 {@code OVERLOADED});
 *       a stream whose token is revoked is ended at its next ping.</li>
 * </ul>
 */
final class LiveRoutes {
    static final int QUEUE = 512;
    static final int MAX_STREAMS = 32;
    static final long PING_MS = 10_000;
    static final int DEFAULT_READINGS = 600;
    static final int MAX_READINGS = DeviceTrails.MAX_SAMPLES;

    private final CloudHub hub;
    private final FleetRoutes fleet;
    private final OperatorAuthenticator operators;
    private final Vertx vertx;
    private final AtomicInteger streams = new AtomicInteger();
    private final Counter dropped;

    LiveRoutes(CloudHub hub, FleetRoutes fleet, OperatorAuthenticator operators, Vertx vertx) {
        this.hub = hub;
        this.fleet = fleet;
        this.operators = operators;
        this.vertx = vertx;
        this.dropped = Counter.builder("tandem.hub.api.events.dropped")
                .description("live events not sent: the client's queue was full").register(hub.metrics().registry());
        hub.metrics().registry().gauge("tandem.hub.api.events.streams", streams, AtomicInteger::get);
    }

    void mount(Router router) {
        router.get("/api/v1/devices/:id/readings").handler(this::readings);
        router.get("/api/v1/events").handler(this::events);
    }

    private void readings(RoutingContext ctx) {
        DeviceId id = fleet.resolve(ctx.pathParam("id"), "id");
        int limit = DEFAULT_READINGS;
        String limitParam = ctx.request().getParam("limit");
        if (limitParam != null) {
            try {
                limit = Integer.parseInt(limitParam);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_READINGS) {
                throw ApiException.badRequest("limit", "limit must be an integer in 1.." + MAX_READINGS + ", got '"
                        + HubApi.clip(limitParam) + "'");
            }
        }
        Optional<DeviceTrails.Trail> trail = hub.trails().of(id, limit);
        List<ApiJson.Reading> samples = new ArrayList<>();
        int channels = 0;
        if (trail.isPresent()) {
            for (Sample s : trail.get().samples()) {
                samples.add(new ApiJson.Reading(s.seq(), s.ts(), s.values()));
                channels = s.channels();
            }
        }
        HubApi.json(ctx, new ApiJson.Readings(id.site() + ":" + id.device(), channels, samples,
                trail.map(DeviceTrails.Trail::judged).orElse(List.of()),
                trail.map(DeviceTrails.Trail::commissionedThroughSeq).orElse(-1L)));
    }

    private void events(RoutingContext ctx) {
        if (streams.incrementAndGet() > MAX_STREAMS) {
            streams.decrementAndGet();
            throw new ApiException(503, ErrorCode.OVERLOADED, "this hub serves " + MAX_STREAMS
                    + " event streams already; try again later", null);
        }
        new Stream(ctx).start();
    }

    /** One client's event stream: a bounded queue filled by the hub's threads, written on the event loop. */
    private final class Stream {
        private final RoutingContext ctx;
        private final HttpServerResponse response;
        private final Context context;
        private final String token;
        private final BlockingQueue<HubEvents.Event> queue = new ArrayBlockingQueue<>(QUEUE);
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final AtomicLong lost = new AtomicLong();
        private AutoCloseable subscription;
        private long pingTimer;
        private boolean closed;

        Stream(RoutingContext ctx) {
            this.ctx = ctx;
            this.response = ctx.response();
            this.context = vertx.getOrCreateContext();
            String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
            this.token = header.substring(7).trim(); // authenticated already: "Bearer TOKEN"
        }

        void start() {
            response.setChunked(true)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            response.closeHandler(v -> close());
            response.exceptionHandler(e -> close());
            response.write(": tandem hub events\nretry: 2000\n\n");
            subscription = hub.events().subscribe(this::offer);
            pingTimer = vertx.setPeriodic(PING_MS, t -> ping());
        }

        /** On a hub thread: queue it or count it lost; never blocks. */
        private void offer(HubEvents.Event e) {
            if (!queue.offer(e)) {
                lost.incrementAndGet();
                dropped.increment();
                return;
            }
            if (scheduled.compareAndSet(false, true)) {
                context.runOnContext(v -> flush());
            }
        }

        private void flush() {
            scheduled.set(false);
            if (closed) {
                return;
            }
            HubEvents.Event e;
            while (!response.writeQueueFull() && (e = queue.poll()) != null) {
                Object body = body(e);
                if (body != null) {
                    send(e.kind().wireName(), body);
                }
            }
            if (!queue.isEmpty()) {
                response.drainHandler(v -> flush());
            }
        }

        private Object body(HubEvents.Event e) {
            return switch (e.kind()) {
                case DEVICE -> hub.fleet().view((DeviceId) e.data()).map(fleet::device).orElse(null);
                case ALARM -> ApiJson.AlarmItem.of((AlarmEntry) e.data());
                case VERDICT -> e.data();
            };
        }

        private void send(String event, Object body) {
            byte[] json = Wire.encode(body);
            Buffer b = Buffer.buffer(json.length + event.length() + 16);
            b.appendString("event: ").appendString(event).appendString("\ndata: ");
            b.appendBytes(json).appendString("\n\n");
            response.write(b);
        }

        private void ping() {
            if (closed) {
                return;
            }
            if (operators.authenticate(token).isEmpty()) {
                response.write(Buffer.buffer("event: revoked\ndata: {}\n\n", StandardCharsets.UTF_8.name()));
                response.end();
                close();
                return;
            }
            send("ping", new ApiJson.Ping(lost.get(), queue.size()));
        }

        private void close() {
            if (closed) {
                return;
            }
            closed = true;
            vertx.cancelTimer(pingTimer);
            try {
                if (subscription != null) {
                    subscription.close();
                }
            } catch (Exception ignored) {
                // removing a subscriber cannot fail
            }
            queue.clear();
            streams.decrementAndGet();
        }
    }
}
