package dev.tandem.sim.eval;

import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SkabProtocolTest {

    /** A file of n rows (1 channel, 1 s apart), anomaly on [from, to). */
    private static SkabFile file(String id, int n, int from, int to) {
        double[][] rows = new double[n][];
        long[] ts = new long[n];
        boolean[] labels = new boolean[n];
        for (int t = 0; t < n; t++) {
            rows[t] = new double[] {t};
            ts[t] = 1_000_000L + 1000L * t;
            labels[t] = t >= from && t < to;
        }
        return new SkabFile(id, null, List.of("x"), rows, ts, labels, null, null);
    }

    private static SkabFile unlabelled(String id, int n) {
        SkabFile f = file(id, n, 0, 0);
        return new SkabFile(id, null, f.channels(), f.rows(), f.timestamps(), null, null, null);
    }

    private static boolean[] alarms(int n, int from, int to) {
        boolean[] a = new boolean[n];
        Arrays.fill(a, from, to, true);
        return a;
    }

    @Test
    void score_ignoresTheFirst400RowsEvenWhenLabelledOrAlarmed() {
        SkabFile f = file("d", 500, 350, 460);          // 60 anomalous test rows: 400..459
        boolean[] decisions = alarms(500, 0, 450);      // alarms everywhere in commissioning, then 400..449

        Confusion c = SkabProtocol.score(f, decisions);

        assertEquals(new Confusion(50, 0, 40, 10), c);
    }

    @Test
    void score_dataset_microAveragesLabelledFilesAndSkipsUnlabelled() {
        SkabFile a = file("a", 500, 450, 500);
        SkabFile b = file("b", 600, 400, 500);
        SkabDataset d = new SkabDataset(Path.of("x"), List.of(a, unlabelled("free", 1000), b));

        SkabProtocol.Score s = SkabProtocol.score(d, Map.of(
                "a", alarms(500, 440, 500),             // tp 50, fp 10, tn 40
                "b", alarms(600, 450, 550)));           // tp 50, fp 50, fn 50, tn 50

        assertEquals(new Confusion(50, 10, 40, 0), s.perFile().get("a"));
        assertEquals(new Confusion(50, 50, 50, 50), s.perFile().get("b"));
        assertEquals(new Confusion(100, 60, 90, 50), s.micro());
        assertEquals(100 / (100 + 110 / 2.0), s.micro().f1(), 1e-12);
        assertEquals(List.of("free"), s.skipped());
        assertEquals(List.of("a", "b"), List.copyOf(s.perFile().keySet()));
    }

    @Test
    void flagEverything_givesFarOneAndF1FromTheShareOfPositives() {
        // 1000 test rows, 537 anomalous, spread over two files
        SkabDataset d = new SkabDataset(Path.of("x"), List.of(file("a", 900, 400, 700), file("b", 900, 663, 900)));

        SkabProtocol.Score s = SkabProtocol.flagEverything(d);

        assertEquals(new Confusion(537, 463, 0, 0), s.micro());
        assertEquals(0.698, s.micro().f1(), 0.001);
        assertEquals(1.0, s.micro().far());
    }

    @Test
    void shortFile_hasNoTestRows() {
        SkabFile f = file("short", 300, 100, 200);

        assertEquals(Confusion.EMPTY, SkabProtocol.score(f, alarms(300, 0, 300)));
        assertEquals(300, SkabProtocol.commissioning(f).size());
        assertEquals(0, SkabProtocol.test(f).size());
    }

    @Test
    void commissioningAndTestSamples_splitAt400WithSeqEqualToRowIndex() {
        SkabFile f = file("d", 450, 0, 0);

        assertEquals(399, SkabProtocol.commissioning(f).get(399).seq());
        assertEquals(400, SkabProtocol.test(f).get(0).seq());
        assertEquals(50, SkabProtocol.test(f).size());
    }

    @Test
    void episodes_areTheTestPartsAnomalousRuns() {
        SkabFile f = file("d", 600, 380, 420);

        assertEquals(List.of(new Episode("d", "valve1", 400, 419)), SkabProtocol.episodes(f, "valve1"));
    }

    @Test
    void score_missingOrMisalignedDecisions_isAnError() {
        SkabFile f = file("a", 500, 450, 500);
        SkabDataset d = new SkabDataset(Path.of("x"), List.of(f));

        assertThrows(TandemException.class, () -> SkabProtocol.score(d, Map.of()));
        assertThrows(TandemException.class, () -> SkabProtocol.score(f, new boolean[499]));
        assertThrows(TandemException.class, () -> SkabProtocol.score(unlabelled("u", 500), new boolean[500]));
    }
}
