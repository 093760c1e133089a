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

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every built-in scenario but the long network one (ScenarioRunTest runs it paced) and the attack (AttackScenarioTest
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
}
