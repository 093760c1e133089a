package dev.tandem.edge.status;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.util.concurrent.TimeUnit;

/**
 * The agent's meters as Prometheus text on {@code http://127.0.0.1:PORT/metrics} ({@code ./tandem edge
 * --metrics PORT}). Loopback only, so no token: a scraper on the device (or a tunnel to it) reads it.
 */
public final class MetricsEndpoint implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;

    private MetricsEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Serves {@code registry} on {@value #HOST}:{@code port} (0: a free port); waits at most 10 s. */
    public static MetricsEndpoint start(Vertx vertx, PrometheusMeterRegistry registry, int port) {
        if (port < 0 || port > 65535) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--metrics must be a port 0..65535, got " + port);
        }
        try {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setMaxInitialLineLength(4096)
                            .setMaxHeaderSize(8192))
                    .requestHandler(req -> {
                        if (req.method() == HttpMethod.GET && "/metrics".equals(req.path())) {
                            req.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(registry.scrape());
                        } else {
                            req.response().setStatusCode(404).putHeader("Content-Type", "text/plain")
                                    .end("only GET /metrics here\n");
                        }
                    })
                    .listen(port, HOST).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return new MetricsEndpoint(server);
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot serve metrics on " + HOST + ":" + port + ": "
                    + cause.getMessage(), cause);
        }
    }

    public int port() {
        return server.actualPort();
    }

    public String url() {
        return "http://" + HOST + ":" + port() + "/metrics";
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the Vert.x instance closes it anyway
        }
    }
}
