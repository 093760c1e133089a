package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Sample;

import java.util.ArrayList;
import java.util.List;

/**
 * One NAB data file with its labels: one stream of one device, single channel.
 *
 * @param key      the file's path relative to the data folder, with {@code /} ({@code category/file.csv}),
 *                 as the labels file names it
 * @param deviceId the device id the evaluation gives the stream
 * @param series   the rows
 * @param windows  the labelled anomaly windows, in time order, not overlapping
 */
public record NabFile(String key, String deviceId, NabSeries series, List<NabWindow> windows) {
    /** NAB's probationary share of each file. */
    public static final double PROBATIONARY_SHARE = 0.15;
    /** NAB's cap on probationary rows (0.15 x 5000). */
    public static final int MAX_PROBATIONARY_ROWS = 750;

    public NabFile {
        windows = List.copyOf(windows);
        for (int i = 0; i < windows.size(); i++) {
            NabWindow w = windows.get(i);
            if (w.last() >= series.rows() || (i > 0 && w.first() <= windows.get(i - 1).last())) {
                throw TandemException.invalid(key + ": window " + w.start() + " .. " + w.end()
                        + " is outside the rows or overlaps the previous one");
            }
        }
    }

    /** NAB's probationary length of a file of {@code rows} rows: {@code min(floor(0.15 rows), 750)}. */
    public static int probationaryRows(int rows) {
        return (int) Math.min(Math.floor(PROBATIONARY_SHARE * rows), MAX_PROBATIONARY_ROWS);
    }

    public int rows() {
        return series.rows();
    }

    /** The first rows, not scored: the device's commissioning data. */
    public int probationaryRows() {
        return probationaryRows(rows());
    }

    /** The windows that have a scored row (a window wholly inside the probationary period is not scored). */
    public List<NabWindow> scoredWindows() {
        int p = probationaryRows();
        return windows.stream().filter(w -> w.last() >= p).toList();
    }

    /** Per row: inside a labelled window. */
    public boolean[] labels() {
        boolean[] in = new boolean[rows()];
        for (NabWindow w : windows) {
            java.util.Arrays.fill(in, w.first(), w.last() + 1, true);
        }
        return in;
    }

    /** Rows {@code from <= i < to} as single-channel samples, seq = row index, ts = the row's time. */
    public List<Sample> samples(int from, int to) {
        if (from < 0 || to < from || to > rows()) {
            throw TandemException.invalid(key + ": rows " + from + ".." + to + " outside 0.." + rows());
        }
        List<Sample> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(new Sample(i, series.millis(i), new double[]{series.value(i)}));
        }
        return out;
    }
}
