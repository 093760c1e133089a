package dev.tandem.sim.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.cli.TandemCliProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench outbox}: its table and JSON on stdout, its phases on stderr (no speed is asserted). */
class OutboxBenchCliTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void benchOutbox_printsTheTableAndTheJsonOnStdout_andEachPhaseOnStderr() throws Exception {
        var r = TandemCliProbe.split("bench", "outbox", "--messages", "2000", "--always-messages", "20", "--replay", "2000");
        assertEquals(0, r.exit(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("run "), r.out());
        assertEquals(4, lines.stream().filter(l -> l.matches("^(run|append|replay).*")).count(), r.out());
        String json = r.out().substring(r.out().indexOf('{'));
        JsonNode report = Wire.mapper().readTree(json);
        assertTrue(report.has("appendBatchPerSecond"), json);
        for (int phase = 1; phase <= 3; phase++) {
            assertTrue(r.err().contains("outbox phase " + phase + "/3"), r.err());
        }
    }
}
