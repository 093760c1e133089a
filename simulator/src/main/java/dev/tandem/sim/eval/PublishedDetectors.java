package dev.tandem.sim.eval;

import java.util.List;

/**
 * What SKAB's published detectors score under the same protocol (re-scored from the benchmark's
 * published predictions; see the dataset's README), for the subsets they were measured on. Printed
 * beside the three modes; they are references, not runs.
 *
 * <p>A table applies to a dataset by what the dataset holds, not by where it lies: the same number
 * of labelled files, rows and anomalous rows as the subset the figures were measured on.
 */
public final class PublishedDetectors {
    /** One published result. */
    public record Row(String detector, double f1, double far, double mar) {
    }

    /**
     * Published results and the labelled data they were measured on.
     *
     * @param subset        the subset's name in SKAB (e.g. {@code valve1})
     * @param files         labelled files of the subset
     * @param rows          rows of those files, in all
     * @param anomalousRows rows labelled anomalous, in all
     */
    public record Table(String subset, int files, long rows, long anomalousRows, List<Row> results) {
        public Table {
            results = List.copyOf(results);
        }

        /** Whether {@code labelled} is this table's subset (same files, rows and anomalous rows). */
        public boolean measuredOn(List<SkabFile> labelled) {
            return labelled.size() == files
                    && labelled.stream().mapToLong(SkabFile::rowCount).sum() == rows
                    && labelled.stream().mapToLong(SkabFile::anomalousRows).sum() == anomalousRows;
        }
    }

    /** SKAB's valve1 subset: 16 experiments. */
    public static final Table VALVE1 = new Table("valve1", 16, 18_160, 6_309, List.of(
            new Row("Conv-AE", 0.755, 0.144, 0.318),
            new Row("MSET", 0.779, 0.385, 0.150),
            new Row("T2+Q (PCA)", 0.760, 0.239, 0.261),
            new Row("LSTM-AE", 0.697, 0.254, 0.348),
            new Row("T2", 0.646, 0.199, 0.440),
            new Row("Isolation Forest", 0.206, 0.011, 0.884),
            new Row("flag everything", 0.698, 1.0, 0.0)));

    /**
     * All 26 labelled files of the development subset (valve1, valve2 and 6 of "other"): the data
     * README gives F1 and FAR only, so MAR is NaN.
     */
    public static final Table ALL26 = new Table("valve1 + valve2 + other (26 files)", 26, 28_480, 9_915, List.of(
            new Row("Conv-AE", 0.776, 0.142, Double.NaN),
            new Row("MSET", 0.783, 0.392, Double.NaN),
            new Row("T2+Q (PCA)", 0.761, 0.272, Double.NaN),
            new Row("LSTM-AE", 0.727, 0.300, Double.NaN),
            new Row("T2", 0.653, 0.198, Double.NaN),
            new Row("Vanilla LSTM", 0.493, 0.116, Double.NaN),
            new Row("Isolation Forest", 0.234, 0.014, Double.NaN),
            new Row("flag everything", 0.695, 1.0, Double.NaN)));

    /** Every table there is. */
    public static final List<Table> TABLES = List.of(VALVE1, ALL26);

    private PublishedDetectors() {
    }

    /** The published results for these labelled files, or none when they are no published subset. */
    public static List<Row> forDataset(List<SkabFile> labelled) {
        return table(labelled).map(Table::results).orElse(List.of());
    }

    /** The published table measured on these labelled files, if any. */
    public static java.util.Optional<Table> table(List<SkabFile> labelled) {
        return TABLES.stream().filter(t -> t.measuredOn(labelled)).findFirst();
    }
}
