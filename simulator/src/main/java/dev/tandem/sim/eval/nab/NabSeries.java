package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.TandemException;

import java.util.List;

/**
 * The rows of one NAB data file, in file order: each row's timestamp text (verbatim), its time
 * (epoch millis, the text read as UTC) and its value (finite).
 *
 * @param source where the rows were read from (for messages)
 * @param lines  the 1-based line of each row in the file
 */
public record NabSeries(String source, List<String> timestamps, long[] millis, double[] values, int[] lines) {
    public NabSeries {
        timestamps = List.copyOf(timestamps);
        if (millis.length != timestamps.size() || values.length != timestamps.size() || lines.length != timestamps.size()) {
            throw TandemException.invalid(source + ": columns of unequal length");
        }
        millis = millis.clone();
        values = values.clone();
        lines = lines.clone();
    }

    public int rows() {
        return values.length;
    }

    @Override
    public long[] millis() {
        return millis.clone();
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    @Override
    public int[] lines() {
        return lines.clone();
    }

    public long millis(int row) {
        return millis[row];
    }

    public double value(int row) {
        return values[row];
    }

    /** The first row whose time is {@code t}, or -1 (NAB's {@code timestamps.index}). */
    public int firstRowAt(long t) {
        int lo = 0, hi = millis.length - 1, found = -1;
        while (lo <= hi) { // times never decrease: binary search for the leftmost match
            int mid = (lo + hi) >>> 1;
            if (millis[mid] < t) {
                lo = mid + 1;
            } else {
                if (millis[mid] == t) {
                    found = mid;
                }
                hi = mid - 1;
            }
        }
        return found;
    }
}
