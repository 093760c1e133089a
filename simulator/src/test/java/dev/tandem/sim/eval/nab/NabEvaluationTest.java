package dev.tandem.sim.eval.nab;

import dev.tandem.hub.fit.FitSettings;
import dev.tandem.sim.cli.TandemCli;
import dev.tandem.sim.eval.CascadeEvaluation;
import dev.tandem.sim.eval.CascadeEvaluation.Mode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tandem on a small synthetic NAB-format corpus written here (never ../shared): a noisy cycle with a
 * large level shift inside its labelled window, one without anomalies, and one too short to commission.
 */
class NabEvaluationTest {
    @TempDir
    static Path dir;
    private static NabEvaluation.Result result;

    private static void write(String key, int rows, int shiftFrom, int shiftTo, long seed) throws Exception {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder("timestamp,value\n");
        long t0 = 1_420_070_400_000L;
        for (int i = 0; i < rows; i++) {
            double v = 10 + Math.sin(2 * Math.PI * i / 50) + 0.2 * r.nextGaussian() + (i >= shiftFrom && i < shiftTo ? 6 : 0);
            // irregular steps of 4 to 6 minutes
            t0 += (4 + r.nextInt(3)) * 60_000L;
            b.append(java.time.Instant.ofEpochMilli(t0).toString().replace('T', ' ').replace("Z", "")).append(',')
                    .append(String.format(Locale.ROOT, "%.4f", v)).append('\n');
        }
        Path f = dir.resolve("data").resolve(key);
        Files.createDirectories(f.getParent());
        Files.writeString(f, b);
    }

    private static String stamp(Path file, int row) throws Exception {
        return Files.readAllLines(file).get(row + 1).split(",")[0] + ".000000";
    }

    @BeforeAll
    static void evaluate() throws Exception {
        write("synthetic/shift.csv", 1200, 800, 900, 1);
        write("synthetic/quiet.csv", 1200, -1, -1, 2);
        write("synthetic/short.csv", 60, -1, -1, 3);
        Path shift = dir.resolve("data/synthetic/shift.csv");
        Files.createDirectories(dir.resolve("labels"));
        Files.writeString(dir.resolve(NabDataset.LABELS), "{\"synthetic/shift.csv\": [[\"" + stamp(shift, 800) + "\", \""
                + stamp(shift, 860) + "\"]], \"synthetic/quiet.csv\": [], \"synthetic/short.csv\": []}");
        result = NabEvaluation.run(NabDataset.load(dir), FitSettings.defaults(), CascadeEvaluation.Progress.NONE);
    }

    @Test
    void everyModeDetectsTheShiftEarlyByItsOnset() {
        NabEvaluation.FileResult shift = result.files().stream().filter(f -> f.file().key().equals("synthetic/shift.csv"))
                .findFirst().orElseThrow();
        assertEquals(180, shift.file().probationaryRows());
        for (Mode m : Mode.values()) {
            NabScorer.FileScore s = shift.scores().get(m).get(NabProfile.STANDARD);
            assertEquals(1, s.detectedWindows(), m.key());
            // the window's value sits on its first row: a detection within its first rows is worth about 1
            assertTrue(s.contributions()[800] > 0.9, m.key() + " " + s.contributions()[800]);
            // detections are onsets: one per alarm raised, none in the probationary rows
            boolean[] on = shift.onsets().get(m);
            int count = 0;
            for (int i = 0; i < on.length; i++) {
                count += on[i] ? 1 : 0;
                assertTrue(!on[i] || i >= 180, "onset in the probationary period at " + i);
            }
            assertEquals(count, s.tp() + s.fp(), m.key());
        }
    }

    @Test
    void aFileTooShortToCommissionIsAProblemAndTheOthersAreScored() {
        assertEquals(2, result.files().size());
        assertEquals(1, result.problems().size(), result.problems().toString());
        assertTrue(result.problems().get(0).toString().contains("synthetic/short.csv"), result.problems().toString());
        assertTrue(result.problems().get(0).toString().contains("9 probationary rows"), result.problems().toString());
        for (Mode m : Mode.values()) {
            NabScorer.CorpusScore c = result.totals().get(m).get(NabProfile.STANDARD);
            assertEquals(1, c.windows());
            double raw = result.files().stream().mapToDouble(f -> f.scores().get(m).get(NabProfile.STANDARD).score()).sum();
            assertEquals(100 * (raw + 1) / 2, c.normalised(), 1e-9, m.key());
        }
        assertEquals(0, result.stats().get(Mode.EDGE).escalations());
        assertEquals(result.stats().get(Mode.CLOUD).windows(), result.stats().get(Mode.CLOUD).escalations());
    }

    @Test
    void theEvalCommandPrintsTheTableAndExitsWith2WhenAFileFailed() {
        PrintStream out = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
            code = TandemCli.execute("eval", "--dataset", "nab", "--path", dir.toString(), "--report",
                    dir.resolve("report.json").toString());
        } finally {
            System.setOut(out);
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, text);
        assertTrue(text.contains("collaborative") && text.contains("standard") && text.contains("low_FN"), text);
        assertTrue(Files.exists(dir.resolve("report.json")));
        assertEquals(2, TandemCli.execute("eval", "--dataset", "skab", "--path", dir.toString(), "--check-reference", "x"));
    }
}
