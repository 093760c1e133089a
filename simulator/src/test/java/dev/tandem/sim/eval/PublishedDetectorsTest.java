package dev.tandem.sim.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PublishedDetectorsTest {
    /** {@code files} labelled files holding {@code rows} rows in all, {@code anomalous} of them anomalous. */
    private static List<SkabFile> files(int files, int rows, int anomalous) {
        List<SkabFile> out = new ArrayList<>();
        int rowsLeft = rows, anomalousLeft = anomalous;
        for (int f = 0; f < files; f++) {
            int n = f == files - 1 ? rowsLeft : rows / files;
            int a = f == files - 1 ? anomalousLeft : anomalous / files;
            rowsLeft -= n;
            anomalousLeft -= a;
            double[][] data = new double[n][];
            long[] ts = new long[n];
            boolean[] labels = new boolean[n];
            for (int t = 0; t < n; t++) {
                data[t] = new double[]{t};
                ts[t] = t * 1000L;
                labels[t] = t >= n - a;
            }
            out.add(new SkabFile("f" + f, null, List.of("c"), data, ts, labels, null, null));
        }
        return out;
    }

    @Test
    void forDataset_whenTheFilesAreThePublishedSubset_givesItsTable_whereverTheyLie() {
        PublishedDetectors.Table t = PublishedDetectors.VALVE1;
        assertEquals(t.results(), PublishedDetectors.forDataset(files(t.files(), (int) t.rows(), (int) t.anomalousRows())));
    }

    @Test
    void forDataset_whenTheFilesDiffer_givesNoTable() {
        PublishedDetectors.Table t = PublishedDetectors.VALVE1;
        assertTrue(PublishedDetectors.forDataset(files(t.files() + 10, (int) t.rows() + 5000, 2000)).isEmpty(), "more files");
        assertTrue(PublishedDetectors.forDataset(files(t.files(), (int) t.rows(), (int) t.anomalousRows() - 1)).isEmpty(),
                "other labels");
    }
}
