package dev.tandem.sim.scenario;

import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.score.JsonLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenarioRunTest {
    static ScenarioReport run(Scenario s, MosquittoBroker broker, double speed, Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ScenarioRun.Options o = new ScenarioRun.Options(broker == null ? null : broker.address(), speed,
                dir.resolve(s.name() + ".truth.jsonl"), null, dir.resolve(s.name() + ".json"), Duration.ofSeconds(120), 1,
                Duration.ofSeconds(5));
        ScenarioReport r = new ScenarioRun(s, o, new PrintStream(buf, true, StandardCharsets.UTF_8)).run();
        System.out.println(buf.toString(StandardCharsets.UTF_8));
        return r;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void lineScenario_atFullSpeed_publishesEveryReading_andWritesItsTruth(@TempDir Path dir) throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            Scenario s = ScenarioLoader.builtIn("line");
            ScenarioReport r = run(s, broker, Double.POSITIVE_INFINITY, dir);
            assertTrue(r.completed());
            assertEquals(3 * 1200, r.readingsExpected());
            assertEquals(r.readingsExpected(), r.readingsPublished(), "nothing lost at full speed on a healthy network");
            assertEquals(0, r.readingsFailed());
            assertEquals(8, r.faults().values().stream().mapToLong(Long::longValue).sum(), "one fault of every kind");
            List<TruthEvent> truth = JsonLines.read(Path.of(r.truthFile()), TruthEvent.class).values();
            assertEquals(r.truthLines(), truth.size());
            assertEquals(3, truth.stream().filter(TruthEvent::isObserved).count());
            assertEquals(1, truth.stream().filter(t -> t.kind().equals("setpoint") && !t.anomalous()).count());
            TruthEvent shift = truth.stream().filter(t -> t.kind().equals("level_shift")).findFirst().orElseThrow();
            assertEquals(s.start().plusSeconds(420), shift.start());
            assertEquals("machine-01", shift.device());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pacedRun_followsTheClock_andPowerCutsSilenceTheirDevices(@TempDir Path dir) throws Exception {
        Scenario s = ScenarioLoader.parse("""
                name: paced
                duration: 40s
                deviceTypes:
                  fast: {rateHz: 10}
                fleet:
                  - {type: fast, count: 2, prefix: m}
                timeline:
                  - at: 10s
                    device: {kind: power_cut, devices: [m-02], duration: 10s}
                """, "paced.yaml");
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            long t0 = System.nanoTime();
            ScenarioReport r = run(s, broker, 10, dir); // 40 s simulated at 10x: about 4 s
            double wall = (System.nanoTime() - t0) / 1e9;
            assertTrue(r.completed());
            assertTrue(wall > 3.5 && wall < 20, "paced at 10x: " + wall + " s");
            assertEquals(800, r.readingsExpected());
            assertEquals(100, r.readingsSilenced(), "10 s of a 10 Hz device powered off");
            assertEquals(700, r.readingsPublished());
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void networkScenario_drivesTheFaultProxy_andTheReportCountsWhatItDid(@TempDir Path dir) throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            ScenarioReport r = run(ScenarioLoader.builtIn("network"), broker, 6, dir); // 2 min at 6x: 20 s
            assertTrue(r.completed());
            assertEquals(4 * 600, r.readingsExpected());
            assertTrue(r.network() != null, "the run went through the fault proxy");
            assertEquals(6, r.network().faultsApplied().values().stream().mapToLong(Long::longValue).sum(), r.network().toString());
            assertEquals(r.network().faultsApplied(), r.network().faultsLifted());
            assertTrue(r.network().chunksDelayed() > 0, "latency, loss and bandwidth delayed chunks");
            assertTrue(r.network().closedByFault() >= 5, "disconnect, partition heal, outage closed connections: " + r.network());
            assertTrue(r.network().refused() >= 1, "the outage refused reconnects: " + r.network());
            assertTrue(r.reconnects() >= 5, "every device reconnected after the outage: " + r.reconnects());
            assertTrue(r.readingsLostOffline() > 0, "readings due while offline are lost (no buffer)");
            long accounted = r.readingsPublished() + r.readingsLostOffline() + r.readingsFailed() + r.readingsSilenced();
            assertTrue(Math.abs(accounted - r.readingsExpected()) <= 8, "every reading accounted for: " + accounted
                    + " of " + r.readingsExpected() + " " + r);
            assertEquals(12, r.networkEvents().size(), "each event on and off: " + r.networkEvents());
        }
    }
}
