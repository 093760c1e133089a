package dev.tandem.sim.scenario;

import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.score.JsonLines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replay scenario replays its checked-in files (below). Every built-in scenario but the long network one (ScenarioRunTest runs it paced) and the attack (AttackScenarioTest
 * runs it against a secured fleet) runs at full speed on
 * Mosquitto, and its report adds up: every reading published, silenced or lost offline, its truth
 * written and readable, what it needs from other parts listed.
 */
class BuiltInScenariosTest {
    private static MosquittoBroker broker;

    @BeforeAll
    static void start() {
        broker = MosquittoBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"line", "drift", "power-cuts"}) // bad-model and rollout: RolloutScenarioTest
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void builtInScenario_runs_andItsReportAddsUp(String name, @TempDir Path dir) throws Exception {
        Scenario s = ScenarioLoader.builtIn(name);
        boolean network = s.timeline().stream().anyMatch(e -> e.spec().network() != null);
        // network events act in wall time: those scenarios run paced (100x), the others at full speed
        ScenarioReport r = ScenarioRunTest.run(s, broker, network ? 100 : Double.POSITIVE_INFINITY, dir);
        assertTrue(r.completed(), name);
        assertEquals(s.devices().size(), r.devices());
        long accounted = r.readingsPublished() + r.readingsSilenced() + r.readingsLostOffline() + r.readingsFailed();
        assertTrue(Math.abs(accounted - r.readingsExpected()) <= r.devices(), name + ": " + accounted + " of " + r.readingsExpected());
        assertTrue(r.readingsPublished() > 0.8 * r.readingsExpected(), name + ": most readings published " + r);
        if (network) {
            long events = s.timeline().stream().filter(e -> e.spec().network() != null).count();
            assertEquals(2 * events, r.networkEvents().size(), name + ": every network event on and off " + r.networkEvents());
        }
        List<TruthEvent> truth = JsonLines.read(Path.of(r.truthFile()), TruthEvent.class).values();
        assertEquals(r.truthLines(), truth.size());
        long faultDevices = r.faults().values().stream().mapToLong(Long::longValue).sum();
        assertTrue(truth.stream().filter(TruthEvent::anomalous).count() >= faultDevices, name);
        assertEquals(s.needs(), r.unchecked());
        if (!name.equals("line")) {
            assertFalse(r.unchecked().isEmpty(), name + " says what its checks need");
        }
        if (r.events().keySet().stream().anyMatch(k -> k.equals("power_cut") || k.equals("restart"))) {
            assertTrue(r.readingsSilenced() > 0, name + ": powered-off devices sent nothing");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void replayScenario_replaysItsCheckedInFiles_andItsReportAndTruthAddUp(@TempDir Path dir) throws Exception {
        Scenario s = ScenarioLoader.builtIn("replay");
        assertTrue(s.isReplay());
        Path truthFile = dir.resolve("replay.truth.jsonl");
        Path reportFile = dir.resolve("replay.json");
        ScenarioReport r = ScenarioReplay.run(s, broker.address(), null, null, truthFile, null, reportFile,
                Duration.ofSeconds(50), Duration.ofSeconds(5), System.out);
        assertTrue(r.succeeded(), r.toString());
        assertEquals("max", r.speed(), "the file's speed");
        assertEquals(2, r.devices());
        assertEquals(1800, r.readingsExpected());
        assertEquals(1800, r.readingsPublished());
        assertEquals(Map.of("anomaly", 3L), r.faults(), "the labelled windows of both files");
        var written = Wire.mapper().readTree(reportFile.toFile());
        assertEquals("replay", written.get("name").asText());
        assertEquals(1800, written.get("readingsPublished").asLong());
        assertTrue(written.get("completed").asBoolean());
        List<TruthEvent> truth = JsonLines.read(truthFile, TruthEvent.class).values();
        assertEquals(5, truth.size());
        TruthEvent observed = truth.stream().filter(t -> t.isObserved() && t.device().equals("traffic_speed_a")).findFirst().orElseThrow();
        assertEquals(135, observed.firstRow(), "NAB's probationary rows: 15 % of 900");
        assertEquals(899, observed.lastRow());
        assertEquals(List.of(490, 740), truth.stream().filter(t -> t.anomalous() && t.device().equals("traffic_speed_b"))
                .map(TruthEvent::firstRow).toList());
        assertEquals(s.needs(), r.unchecked());
    }

    /** Where each built-in scenario runs in CI (a short run, its report checked). */
    private static final Map<String, String> RUN_BY = Map.of("line", "BuiltInScenariosTest, ScenarioRunTest",
            "drift", "BuiltInScenariosTest", "bad-model", "BuiltInScenariosTest", "power-cuts", "BuiltInScenariosTest",
            "rollout", "BuiltInScenariosTest", "network", "ScenarioRunTest (paced, through the fault proxy)",
            "attack", "AttackScenarioTest (a secured fleet)", "replay", "BuiltInScenariosTest");

    @Test
    void everyIndexedScenario_loads_andIsRunByATest() {
        List<String> names = List.of(ScenarioLoader.builtInNames().split(", "));
        assertTrue(names.size() >= 8, names.toString());
        for (String name : names) {
            ScenarioLoader.builtIn(name);
            assertTrue(RUN_BY.containsKey(name), "scenario " + name + " is in scenarios/index.txt but no test runs it");
        }
    }

    @Test
    void replayScenario_badEntries_nameTheLineAndField() {
        String base = "name: r\nfleet:\n  - replay: {path: d, format: nab, labels: l.json}\n";
        var mixed = assertThrows(TandemException.class, () -> ScenarioLoader.parse("duration: 10m\n" + base
                + "  - {type: pump, count: 1}\n", "r.yaml"));
        assertTrue(mixed.getMessage().contains("r.yaml:5: fleet[1]: a replay scenario's fleet is replay entries only"), mixed.getMessage());
        var noLabels = assertThrows(TandemException.class, () -> ScenarioLoader.parse(
                "name: r\nfleet:\n  - replay: {path: d, format: nab}\n", "r.yaml"));
        assertTrue(noLabels.getMessage().contains("format nab needs labels"), noLabels.getMessage());
        var timeline = assertThrows(TandemException.class, () -> ScenarioLoader.parse(base + "timeline:\n  - at: 1s\n"
                + "    fault: {kind: spike, devices: ['*'], channels: [value]}\n", "r.yaml"));
        assertTrue(timeline.getMessage().contains("r.yaml:5: timeline: a replay scenario has no timeline"), timeline.getMessage());
        var typed = assertThrows(TandemException.class, () -> ScenarioLoader.parse(
                "name: r\nfleet:\n  - {type: pump, count: 1, replay: {path: d, format: skab}}\n", "r.yaml"));
        assertTrue(typed.getMessage().contains("no type, count or prefix"), typed.getMessage());
        var escape = assertThrows(TandemException.class, () -> ScenarioLoader.parse(
                "name: r\nfleet:\n  - replay: {path: ../secrets, format: skab}\n", "r.yaml"));
        assertTrue(escape.getMessage().contains("without '..'"), escape.getMessage());
        var noDuration = assertThrows(TandemException.class, () -> ScenarioLoader.parse(
                "name: r\nfleet:\n  - {type: pump, count: 1}\n", "r.yaml"));
        assertTrue(noDuration.getMessage().contains("duration is required"), noDuration.getMessage());
    }
}
