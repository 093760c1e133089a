package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.TandemException;

/**
 * One labelled anomaly window of a NAB file: rows {@code first..last} (0-based, both inclusive),
 * with the label's timestamp text. A bound is the first row carrying the label's timestamp (NAB's
 * {@code timestamps.index}), so repeated timestamps resolve to their first row.
 */
public record NabWindow(int first, int last, String start, String end) {
    public NabWindow {
        if (first < 0 || last < first) {
            throw TandemException.invalid("window rows must satisfy 0 <= first <= last, got " + first + ".." + last);
        }
    }

    /** Rows in the window: {@code last - first + 1}. */
    public int width() {
        return last - first + 1;
    }

    public boolean contains(int row) {
        return row >= first && row <= last;
    }
}
