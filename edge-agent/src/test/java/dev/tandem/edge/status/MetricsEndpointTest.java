package dev.tandem.edge.status;

import dev.tandem.edge.EdgeMetrics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Alarm;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsEndpointTest {
    @Test
    void metrics_areTheAgentsCountersInPrometheusText_onLoopback() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            EdgeMetrics m = new EdgeMetrics(registry, "agent-7");
            m.reading();
            m.reading();
            m.anomalousWindow(Alarm.Source.EDGE_TIMEOUT);
            m.episode(Alarm.Phase.ONSET);
            m.error(ErrorCode.MALFORMED_PAYLOAD);
            MetricsEndpoint endpoint = MetricsEndpoint.start(vertx, registry, 0);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint.url()))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertTrue(r.body().contains("tandem_edge_readings_total{agent=\"agent-7\"} 2.0"), r.body());
            assertTrue(r.body().contains("tandem_edge_windows_anomalous_total{agent=\"agent-7\",source=\"EDGE_TIMEOUT\"} 1.0"));
            assertTrue(r.body().contains("tandem_edge_alarms_total{agent=\"agent-7\",phase=\"ONSET\"} 1.0"));
            assertTrue(r.body().contains("tandem_edge_errors_total{agent=\"agent-7\",code=\"MALFORMED_PAYLOAD\"} 1.0"));
            HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + endpoint.port() + "/")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
