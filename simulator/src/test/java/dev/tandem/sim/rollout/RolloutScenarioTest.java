package dev.tandem.sim.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.fleet.LocalFleetOptions;
import dev.tandem.sim.scenario.Scenario;
import dev.tandem.sim.scenario.ScenarioLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in rollout scenarios, end to end with what they start (a broker, the real hub, one production
 * edge agent per device): each report is read back from its JSON file and checked.
 */
class RolloutScenarioTest {
    private static JsonNode run(Scenario s, LocalFleetOptions.BrokerKind broker, Path dir, StringBuilder printed)
            throws Exception {
        Path report = dir.resolve("report.json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RolloutScenarioReport r;
        try (PrintStream out = new PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8)) {
            r = new RolloutScenario(s, new RolloutScenario.Options(50, broker, dir.resolve("truth.jsonl"),
                    dir.resolve("alarms.jsonl"), report, Duration.ofMinutes(4), Duration.ofSeconds(5)), out).run();
        }
        printed.append(bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(r.succeeded(), printed::toString);
        JsonNode json = Wire.mapper().readTree(Files.readAllBytes(report));
        assertTrue(json.get("succeeded").asBoolean(), json::toPrettyString);
        assertTrue(Files.size(dir.resolve("truth.jsonl")) > 0);
        return json;
    }

    /**
     * Two broken models (one alarming on everything, one never alarming, the latter while a fault runs), each
     * rolled out to four real agents: the first wave fails (in SHADOW or by the watchdog), the rollout stops,
     * rolls back by itself, and every device ends on its commissioned model.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void badModel_failsItsFirstWave_rollsBack_andLeavesNoDeviceOnIt(@TempDir Path dir) throws Exception {
        StringBuilder printed = new StringBuilder();
        JsonNode r = run(ScenarioLoader.builtIn("bad-model"), LocalFleetOptions.BrokerKind.EMBEDDED, dir, printed);
        assertEquals(4, r.get("agents").asInt());
        assertEquals(2, r.get("rollouts").size());
        for (JsonNode run : r.get("rollouts")) {
            JsonNode o = run.get("outcome");
            assertEquals("ROLLED_BACK", o.get("state").asText(), o::toPrettyString);
            JsonNode first = o.get("waves").get(0);
            assertEquals("STOPPED", first.get("outcome").asText(), "the first wave fails: " + o.toPrettyString());
            assertEquals(1, first.get("devices").asInt());
            assertEquals("NOT_STARTED", o.get("waves").get(1).get("outcome").asText());
            assertTrue(first.get("durationMs").asLong() > 0);
            assertNotNull(o.get("rollbackMs"), o::toPrettyString);
            assertTrue(Set.of("SHADOW_WORSE", "WATCHDOG_TRIPPED").containsAll(Wire.mapper().convertValue(o.get("codes"),
                    Map.class).keySet()) && o.get("codes").size() > 0, o::toPrettyString);
            assertEquals(1, o.get("actions").get("ROLLED_BACK").asInt(), o::toPrettyString);
            assertEquals(3, o.get("actions").get("CANCELED").asInt(), o::toPrettyString);
            assertEquals(0, run.get("leftOnCandidate").asInt());
        }
        assertEquals(Map.of("commissioned", 4), Wire.mapper().convertValue(r.get("modelsByOrigin"), Map.class),
                "no device left on a broken model");
        JsonNode w = r.get("windows");
        assertEquals(w.get("scored").asLong(), w.get("byModel").asLong(), "no window lost or scored twice across a swap");
        assertEquals(0, w.get("devicesMismatched").asInt());
        assertTrue(w.get("scored").asLong() > 0);
    }

    /** A re-fitted model through four waves to 20 real agents on mosquitto: every wave promoted, every device on it. */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void rollout_goesThroughFourWaves_andEveryDeviceRunsItsNewModel(@TempDir Path dir) throws Exception {
        StringBuilder printed = new StringBuilder();
        JsonNode r = run(ScenarioLoader.builtIn("rollout", 20), LocalFleetOptions.BrokerKind.MOSQUITTO, dir, printed);
        assertEquals(20, r.get("agents").asInt());
        JsonNode o = r.get("rollouts").get(0).get("outcome");
        assertEquals("FINISHED", o.get("state").asText(), o::toPrettyString);
        List<String> outcomes = o.get("waves").findValues("outcome").stream().map(JsonNode::asText).toList();
        assertEquals(List.of("PROMOTED", "PROMOTED", "PROMOTED", "FINISHED"), outcomes, o::toPrettyString);
        assertEquals(List.of(1, 2, 5, 20), o.get("waves").findValues("reach").stream().map(JsonNode::asInt).toList());
        for (JsonNode wave : o.get("waves")) {
            assertTrue(wave.get("durationMs").asLong() > 0, wave::toPrettyString);
            assertEquals(wave.get("devices").asInt(), wave.get("actions").get("ACTIVE").asInt(), wave::toPrettyString);
        }
        assertTrue(o.path("rollbackMs").isMissingNode(), "no rollback");
        assertEquals(20, o.get("actions").get("ACTIVE").asInt());
        assertEquals(0, r.get("rollouts").get(0).get("notOnCandidate").asInt());
        assertEquals(Map.of("rollout-0", 20), Wire.mapper().convertValue(r.get("modelsByOrigin"), Map.class));
        JsonNode w = r.get("windows");
        assertEquals(20, w.get("devicesSwapped").asInt(), "every device swapped models");
        assertEquals(w.get("scored").asLong(), w.get("byModel").asLong(), "no window lost or scored twice across a swap");
        assertEquals(0, w.get("devicesMismatched").asInt());
        assertTrue(printed.toString().contains("wave 4/4"), printed::toString);
    }
}
