package dev.tandem.sim.eval;

import java.util.List;

/**
 * What SKAB's published detectors score on the valve1 subset under the same protocol (re-scored
 * from the benchmark's published predictions; see the dataset's README). Printed beside the three
 * modes; they are references, not runs.
 */
public final class PublishedDetectors {
    /** One published result. */
    public record Row(String detector, double f1, double far, double mar) {
    }

    public static final List<Row> VALVE1 = List.of(
            new Row("Conv-AE", 0.755, 0.144, 0.318),
            new Row("MSET", 0.779, 0.385, 0.150),
            new Row("T2+Q (PCA)", 0.760, 0.239, 0.261),
            new Row("LSTM-AE", 0.697, 0.254, 0.348),
            new Row("T2", 0.646, 0.199, 0.440),
            new Row("Isolation Forest", 0.206, 0.011, 0.884),
            new Row("flag everything", 0.698, 1.0, 0.0));

    private PublishedDetectors() {
    }
}
