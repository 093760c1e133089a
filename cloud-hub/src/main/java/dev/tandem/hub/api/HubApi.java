package dev.tandem.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubMetrics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.shared.wire.Wire;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The hub's REST API and its Prometheus {@code /metrics}, on one HTTP server (Vert.x Web). The one
 * interface the CLI's fleet commands and the console use.
 *
 * <ul>
 *   <li>{@code GET /api/v1/fleet}, {@code /devices/{id}}, {@code /devices/{id}/models}, {@code /alarms},
 *       {@code /status}; {@code POST /api/v1/alarms/{id}/ack} (admin); see {@link FleetRoutes}; the OpenAPI 3
 *       document at {@code GET /api/v1/openapi.yaml}.</li>
 *   <li>Every {@code /api/v1} request needs {@code Authorization: Bearer TOKEN} of an operator of the site
 *       (401 {@code UNAUTHENTICATED}); a read-only operator's writes are refused (403 {@code FORBIDDEN}).</li>
 *   <li>{@code GET /api/v1/devices/{id}/readings} and the live events {@code GET /api/v1/events} (server-sent
 *       events); see {@link LiveRoutes}.</li>
 *   <li>{@code GET /}: the operator's console (static, from the classpath; see {@link ConsoleRoutes}).</li>
 *   <li>{@code GET /metrics}: Prometheus text; from a loopback address without a token, from anywhere else
 *       with one.</li>
 *   <li>Refusals are JSON {@code {"code", "message", "field"}} with a stable {@link ErrorCode}; request
 *       line, headers and bodies are bounded ({@link ApiConfig}).</li>
 * </ul>
 * Handlers only read the hub's in-memory state (no blocking on the event loop).
 */
public final class HubApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HubApi.class);
    static final String OPERATOR = "tandem.operator";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";

    private final Vertx vertx;
    private final HttpServer server;
    private final ApiConfig config;

    private HubApi(Vertx vertx, HttpServer server, ApiConfig config) {
        this.vertx = vertx;
        this.server = server;
        this.config = config;
    }

    /**
     * Starts the API of {@code hub}, bound to {@code config.host():config.port()}; waits at most 10 s.
     * {@link ErrorCode#INVALID_CONFIG} if the port cannot be bound.
     */
    public static HubApi start(CloudHub hub, ApiConfig config) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        try {
            Router router = router(vertx, hub, config);
            HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                            .setMaxInitialLineLength(ApiConfig.MAX_REQUEST_LINE)
                            .setMaxHeaderSize(ApiConfig.MAX_HEADER_BYTES)
                            .setMaxFormAttributeSize(config.maxBodyBytes()))
                    .requestHandler(router)
                    .listen(config.port(), config.host())
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            HubApi api = new HubApi(vertx, server, config);
            LOG.info("REST API on {}", api.url());
            return api;
        } catch (Exception e) {
            vertx.close();
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot serve the REST API on " + config.host() + ":"
                    + config.port() + ": " + cause.getMessage(), cause);
        }
    }

    private static Router router(Vertx vertx, CloudHub hub, ApiConfig config) {
        HubMetrics metrics = hub.metrics();
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            metrics.apiRequest();
            ctx.next();
        });
        router.get("/metrics").handler(ctx -> metrics(ctx, metrics, config.operators()));
        router.route("/api/v1/*").handler(ctx -> authenticate(ctx, config.operators()));
        router.route("/api/v1/*").handler(HubApi::authorize);
        router.route("/api/v1/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        FleetRoutes fleet = new FleetRoutes(hub);
        fleet.mount(router);
        new RolloutRoutes(hub).mount(router);
        new LiveRoutes(hub, fleet, config.operators(), vertx).mount(router);
        new LabelRoutes(hub, fleet, vertx).mount(router);
        new ModelRoutes(hub, vertx).mount(router);
        new RetrainRoutes(hub, fleet, vertx).mount(router);
        new ConsoleRoutes().mount(router);
        byte[] openApi = openApiDocument();
        router.get("/api/v1/openapi.yaml").handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml").end(Buffer.buffer(openApi)));
        router.route().failureHandler(ctx -> fail(ctx, metrics));
        router.errorHandler(404, ctx -> refuse(ctx, metrics, ApiException.notFound(ErrorCode.NOT_FOUND,
                "no such resource: " + clip(ctx.request().path()))));
        router.errorHandler(405, ctx -> refuse(ctx, metrics, new ApiException(405, ErrorCode.BAD_REQUEST,
                ctx.request().method() + " is not allowed on " + clip(ctx.request().path()), "method")));
        return router;
    }

    /** The OpenAPI 3 description of this API ({@code openapi.yaml} beside this class). */
    static byte[] openApiDocument() {
        try (java.io.InputStream in = HubApi.class.getResourceAsStream("openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the hub's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code Authorization: Bearer TOKEN} of a known operator, or 401. */
    private static void authenticate(RoutingContext ctx, OperatorAuthenticator operators) {
        Optional<OperatorToken> op = operator(ctx, operators);
        if (op.isEmpty()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"tandem\"");
            String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
            throw new ApiException(401, ErrorCode.UNAUTHENTICATED, header == null
                    ? "an operator token is required: Authorization: Bearer TOKEN (./tandem provision writes one)"
                    : "the operator token is not one of this site's", null);
        }
        ctx.put(OPERATOR, op.get());
        ctx.next();
    }

    /** Writes (anything but GET and HEAD) need an admin operator, or 403. */
    private static void authorize(RoutingContext ctx) {
        HttpMethod m = ctx.request().method();
        OperatorToken op = ctx.get(OPERATOR);
        if (!m.equals(HttpMethod.GET) && !m.equals(HttpMethod.HEAD) && !op.role().mayWrite()) {
            throw new ApiException(403, ErrorCode.FORBIDDEN, "operator " + op.name() + " is " + op.role().label()
                    + ": " + m + " needs an admin token", null);
        }
        ctx.next();
    }

    private static Optional<OperatorToken> operator(RoutingContext ctx, OperatorAuthenticator operators) {
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() > OperatorToken.MAX_TOKEN_CHARS + 16
                || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return operators.authenticate(header.substring(7).trim());
    }

    /** Prometheus text: from loopback without a token, otherwise with one. */
    private static void metrics(RoutingContext ctx, HubMetrics metrics, OperatorAuthenticator operators) {
        if (!isLoopback(ctx) && operator(ctx, operators).isEmpty()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"tandem\"");
            throw new ApiException(401, ErrorCode.UNAUTHENTICATED,
                    "/metrics needs an operator token from a non-loopback address", null);
        }
        String text = metrics.scrape();
        if (text == null) {
            throw ApiException.notFound(ErrorCode.NOT_FOUND, "this hub's metrics are not in a Prometheus registry");
        }
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(text);
    }

    private static boolean isLoopback(RoutingContext ctx) {
        if (ctx.request().remoteAddress() == null || ctx.request().remoteAddress().hostAddress() == null) {
            return false;
        }
        try {
            // a literal address: no name lookup
            return InetAddress.getByName(ctx.request().remoteAddress().hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void fail(RoutingContext ctx, HubMetrics metrics) {
        Throwable f = ctx.failure();
        if (f instanceof ApiException e) {
            refuse(ctx, metrics, e);
        } else if (ctx.statusCode() == 413) {
            refuse(ctx, metrics, new ApiException(413, ErrorCode.OVERSIZED_PAYLOAD, "the request body is larger than "
                    + "the limit", "body"));
        } else if (f == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            refuse(ctx, metrics, new ApiException(ctx.statusCode(), ErrorCode.BAD_REQUEST, "bad request", null));
        } else {
            metrics.failed("REST API " + ctx.request().method() + " " + clip(ctx.request().path()),
                    f instanceof RuntimeException r ? r : new IllegalStateException(String.valueOf(f), f));
            refuse(ctx, metrics, new ApiException(500, ErrorCode.INTERNAL_ERROR, "internal error (logged by the hub)",
                    null));
        }
    }

    static void refuse(RoutingContext ctx, HubMetrics metrics, ApiException e) {
        metrics.apiRefused(e.code());
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .end(Buffer.buffer(Wire.encode(e.body())));
    }

    static void json(RoutingContext ctx, Object body) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(Buffer.buffer(Wire.encode(body)));
    }

    /** The request's JSON body (an empty body: null); 400 {@code BAD_REQUEST} on {@code body} if it is not an object. */
    static JsonNode body(RoutingContext ctx) {
        Buffer b = ctx.body() == null ? null : ctx.body().buffer();
        if (b == null || b.length() == 0) {
            return null;
        }
        try {
            JsonNode n = Wire.mapper().readTree(b.getBytes());
            if (n == null || !n.isObject()) {
                throw ApiException.badRequest("body", "the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw ApiException.badRequest("body", "the body is not JSON");
        }
    }

    static String clip(String s) {
        return s == null ? "" : s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    /** The port bound (the free one chosen when the configuration asked for 0). */
    public int port() {
        return server.actualPort();
    }

    /** {@code http://host:port} (IPv6 hosts bracketed). */
    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port();
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing the REST API: {}", e.toString());
        }
    }
}
