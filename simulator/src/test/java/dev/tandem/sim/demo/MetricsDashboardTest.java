package dev.tandem.sim.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.edge.EdgeMetrics;
import dev.tandem.hub.HubMetrics;
import dev.tandem.shared.wire.Wire;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Grafana dashboard in docs/ queries only series the hub and the edge really export. */
class MetricsDashboardTest {
    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "tandem-dashboard.json");

    @Test
    void everySeriesTheDashboardQueries_isInTheHubsOrTheEdgesPrometheusText() throws Exception {
        HubMetrics hub = new HubMetrics();
        hub.verdictSent(System.nanoTime() - 1_000_000);
        PrometheusMeterRegistry edgeRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new EdgeMetrics(edgeRegistry, "agent-1").reading();
        Set<String> exported = new TreeSet<>();
        for (String text : new String[]{hub.scrape(), edgeRegistry.scrape()}) {
            text.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .forEach(l -> exported.add(l.split("[{ ]", 2)[0] + (l.contains("quantile=") ? "{quantile}" : "")));
        }

        JsonNode dashboard = Wire.mapper().readTree(Files.readAllBytes(DASHBOARD));
        Set<String> queried = new TreeSet<>();
        Pattern series = Pattern.compile("(tandem_[a-z_]+)(\\{quantile)?");
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = series.matcher(target.get("expr").asText());
                while (m.find()) {
                    queried.add(m.group(1) + (m.group(2) == null ? "" : "{quantile}"));
                }
            }
        }
        assertTrue(queried.size() >= 15, "the dashboard queries " + queried);
        for (String name : queried) {
            assertTrue(exported.contains(name), name + " is not exported; exported: " + exported);
        }
    }
}
