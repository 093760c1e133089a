package dev.tandem.sim.eval.nab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference check on a hand-made reference (never on ../shared). */
class NabReferenceCheckTest {
    @TempDir
    Path dir;

    /**
     * 40 rows (6 probationary), one window rows 20..29; the detector "demo" scores 0.9 on row 3
     * (probationary, ignored) and row 20 (the window's first row: +1), 0.7 on row 10 (before any
     * window: -0.11). Standard score at threshold 0.5: 0.89.
     */
    private Path corpus(double publishedScore, double fpWeight) throws Exception {
        Files.createDirectories(dir.resolve("data/cat"));
        Files.createDirectories(dir.resolve("labels"));
        Files.createDirectories(dir.resolve("reference/demo/cat"));
        StringBuilder data = new StringBuilder("timestamp,value\n");
        StringBuilder out = new StringBuilder("timestamp,value,anomaly_score,S(t)_standard\n");
        for (int i = 0; i < 40; i++) {
            String ts = String.format(Locale.ROOT, "2015-01-01 %02d:%02d:00", i / 12, (i % 12) * 5);
            data.append(ts).append(',').append(i % 5).append('\n');
            double score = i == 3 || i == 20 ? 0.9 : i == 10 ? 0.7 : 0.1;
            double s = i == 10 ? -0.11 : i == 20 ? 1.0 : 0.0;
            out.append(ts).append(',').append(i % 5).append(',').append(score).append(',').append(s).append('\n');
        }
        Files.writeString(dir.resolve("data/cat/x.csv"), data);
        Files.writeString(dir.resolve("reference/demo/cat/demo_x.csv"), out);
        Files.writeString(dir.resolve(NabDataset.LABELS),
                "{\"cat/x.csv\": [[\"2015-01-01 01:40:00.000000\", \"2015-01-01 02:25:00.000000\"]]}");
        Files.writeString(dir.resolve("reference/standard_scores.csv"),
                "Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,Total_Count\n"
                        + "demo,standard,cat/x.csv,0.5," + publishedScore + ",1,23,1,9,34\n"
                        + "other,standard,cat/x.csv,0.3,-1.0,0,24,0,10,34\n");
        Files.writeString(dir.resolve("reference/profiles.json"), "{\"standard\": {\"CostMatrix\": {\"tpWeight\": 1.0, "
                + "\"fnWeight\": 1.0, \"fpWeight\": " + fpWeight + "}}}");
        return dir.resolve("reference");
    }

    @Test
    void aReferenceOurScorerAgreesWithIsReproducedFileByFileAndRowByRow() throws Exception {
        Path ref = corpus(0.89, 0.11);
        NabReferenceCheck.Report r = NabReferenceCheck.check(NabDataset.load(dir), ref);
        assertEquals(1, r.files().size());
        NabReferenceCheck.FileCheck c = r.files().get(0);
        assertEquals(0.89, c.ours(), 1e-12);
        assertEquals(0.0, c.maxRowDiff().get("standard"), 1e-12);
        assertTrue(r.ok(), r.toString());
        // the published table normalised on the file: demo 100 (0.89 + 1) / 2 = 94.5, other 0
        assertEquals("demo", r.table().get(0).detector());
        assertEquals(94.5, r.table().get(0).score().normalised(), 1e-9);
        assertEquals(0.0, r.table().get(1).score().normalised(), 1e-9);
    }

    @Test
    void aPublishedScoreOrWeightWeDoNotReproduceIsReported() throws Exception {
        Path ref = corpus(0.95, 0.11);
        NabReferenceCheck.Report wrongScore = NabReferenceCheck.check(NabDataset.load(dir), ref);
        assertFalse(wrongScore.files().get(0).ok());
        assertFalse(wrongScore.ok());
        ref = corpus(0.89, 0.2);
        NabReferenceCheck.Report wrongWeight = NabReferenceCheck.check(NabDataset.load(dir), ref);
        assertTrue(wrongWeight.files().get(0).ok());
        assertFalse(wrongWeight.ok());
        assertTrue(wrongWeight.profileChecks().get(0).startsWith("MISMATCH standard"), wrongWeight.profileChecks().toString());
    }
}
