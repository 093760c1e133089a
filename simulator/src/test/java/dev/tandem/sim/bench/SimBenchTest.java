package dev.tandem.sim.bench;

import dev.tandem.sim.cli.TandemCliProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench sim} measures (no speed is asserted): a row per broker and fleet, nothing lost at QoS 1. */
class SimBenchTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void benchSim_printsARowPerBrokerAndFleet_andLosesNothing(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("sim.json");
        var r = TandemCliProbe.split("bench", "sim", "--fleet", "50x5", "--broker", "embedded,mosquitto", "--seconds", "2",
                "--warmup", "0", "--connections", "2", "--report", report.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("target msg/s"), r.out());
        // stdout: the table and the JSON only; where it is, fleet by fleet, on stderr
        assertTrue(r.out().strip().endsWith("]"), r.out());
        assertTrue(r.out().lines().noneMatch(l -> l.startsWith("bench sim:")), r.out());
        assertTrue(r.err().contains("bench sim: 50 devices x 5 Hz on embedded"), r.err());
        assertTrue(r.err().contains("bench sim: 50 devices x 5 Hz on mosquitto"), r.err());
        List<SimBench.Result> rows = List.of(dev.tandem.shared.wire.Wire.mapper().readValue(report.toFile(),
                SimBench.Result[].class));
        assertEquals(List.of("embedded", "mosquitto"), rows.stream().map(SimBench.Result::broker).toList());
        for (SimBench.Result row : rows) {
            assertEquals(250, row.targetPerSecond(), 1e-9);
            assertTrue(row.published() > 0, "published: " + row);
            assertEquals(0, row.lost(), "QoS 1 end to end: " + row);
            assertEquals(row.published(), row.received());
            assertEquals(2, row.connections());
        }
    }

    @Test
    void benchSim_refusesABadFleet() {
        var r = TandemCliProbe.run("bench", "sim", "--fleet", "20000x1");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("DEVICESxHZ"), r.out());
    }
}
