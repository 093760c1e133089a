package dev.tandem.sim.cli;

import dev.tandem.sim.eval.Decisions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code eval --decisions}: one line per input row, in order, with every mode's columns, and the SKAB file's own times. */
class EvalDecisionsTest {
    @Test
    void simDecisions_oneLinePerRow_commissioningEmpty_scoresAndFlagsAfter(@TempDir Path dir) throws Exception {
        TandemCliProbe.Result r = TandemCliProbe.run("eval", "--dataset", "sim", "--devices", "1", "--samples", "600",
                "--decisions", dir.toString());
        assertEquals(0, r.exit(), r.out());
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.toList();
        }
        assertEquals(1, files.size(), files.toString());
        List<String> lines = Files.readAllLines(files.get(0), StandardCharsets.UTF_8);
        assertEquals(Decisions.HEADER, lines.get(0));
        int commissioning = 0, scored = 0, onsets = 0;
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            assertEquals(11, f.length, l);
            assertTrue(f[1].equals("0") || f[1].equals("1"), l);
            if (f[2].isEmpty()) {
                commissioning++;
                assertEquals(0, scored, "commissioning rows come first: " + l);
                assertEquals("0", f[3]);
            } else {
                scored++;
                Double.parseDouble(f[2]);
                Double.parseDouble(f[8]);
                onsets += f[10].equals("1") ? 1 : 0;
                assertTrue(!f[10].equals("1") || f[9].equals("1"), "an onset holds its alarm: " + l);
            }
        }
        assertEquals(600, scored);
        assertTrue(commissioning > 0);
        assertTrue(onsets > 0, "the simulator's faults raised collaborative onsets");
    }

    @Test
    void skabDecisions_keepTheFilesPathAndItsTimestampsVerbatim(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("valve"));
        StringBuilder csv = new StringBuilder("datetime;a;b;anomaly;changepoint\n");
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < 700; i++) {
            double shift = i >= 600 && i < 650 ? 6 : 0;
            csv.append(String.format(java.util.Locale.ROOT, "2020-03-09 10:%02d:%02d;%.4f;%.4f;%d;0%n", (i / 60) % 60, i % 60,
                    rnd.nextGaussian() + shift, rnd.nextGaussian(), shift > 0 ? 1 : 0));
        }
        Files.writeString(data.resolve("valve").resolve("1.csv"), csv);
        Path out = dir.resolve("out");
        TandemCliProbe.Result r = TandemCliProbe.run("eval", "--dataset", "skab", "--path", data.toString(),
                "--decisions", out.toString());
        assertEquals(0, r.exit(), r.out());
        List<String> lines = Files.readAllLines(out.resolve("valve").resolve("1.csv"));
        assertEquals(701, lines.size());
        assertTrue(lines.get(1).startsWith("2020-03-09 10:00:00,0,,0,0,,0,0,,0,0"), lines.get(1));
        assertTrue(lines.get(601).startsWith("2020-03-09 10:10:00,1,"), lines.get(601));
    }
}
