package dev.tandem.sim.eval;

import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.error.TandemException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One SKAB-format CSV file loaded as one device: its channels, its rows (row {@code t} = reading
 * {@code t}, in file order), their timestamps (epoch millis, UTC) and, when the file has an
 * {@code anomaly} column, one label per row ({@code changepoint} likewise). Immutable: arrays are
 * copied on the way in and by the bulk accessors ({@link #rows()}, {@link #timestamps()},
 * {@link #labels()}); use {@link #value}, {@link #row}, {@link #timestamp}, {@link #label} in loops.
 *
 * @param source the file it was read from (informational; may be null for fixtures built in code)
 * @param labels null when the file has no {@code anomaly} column
 * @param changepoints null when the file has no {@code changepoint} column
 * @param timestampTexts each row's timestamp as the file writes it (null for files built in code)
 */
public record SkabFile(String deviceId, Path source, List<String> channels, double[][] rows, long[] timestamps,
                       boolean[] labels, boolean[] changepoints, LoadReport report, List<String> timestampTexts) {

    /** A file built in code: no timestamp texts (they are formatted from the times where needed). */
    public SkabFile(String deviceId, Path source, List<String> channels, double[][] rows, long[] timestamps,
                    boolean[] labels, boolean[] changepoints, LoadReport report) {
        this(deviceId, source, channels, rows, timestamps, labels, changepoints, report, null);
    }

    public SkabFile {
        Checks.id("deviceId", deviceId);
        channels = Checks.nonEmpty("channels", channels);
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(timestamps, "timestamps");
        if (rows.length == 0) {
            throw TandemException.invalid(deviceId + ": a file must hold at least one row");
        }
        if (timestamps.length != rows.length) {
            throw TandemException.invalid(deviceId + ": " + timestamps.length + " timestamps for " + rows.length + " rows");
        }
        double[][] copy = new double[rows.length][];
        for (int t = 0; t < rows.length; t++) {
            if (rows[t] == null || rows[t].length != channels.size()) {
                throw TandemException.invalid(deviceId + ": row " + t + " does not have " + channels.size() + " values");
            }
            copy[t] = Checks.finite(deviceId + " row " + t, rows[t]).clone();
        }
        rows = copy;
        timestamps = timestamps.clone();
        labels = aligned(deviceId, "labels", labels, rows.length);
        changepoints = aligned(deviceId, "changepoints", changepoints, rows.length);
        report = report == null ? LoadReport.CLEAN : report;
        if (timestampTexts != null) {
            timestampTexts = List.copyOf(timestampTexts);
            if (timestampTexts.size() != rows.length) {
                throw TandemException.invalid(deviceId + ": " + timestampTexts.size() + " timestamp texts for " + rows.length
                        + " rows");
            }
        }
    }

    private static boolean[] aligned(String device, String what, boolean[] flags, int n) {
        if (flags == null) {
            return null;
        }
        if (flags.length != n) {
            throw TandemException.invalid(device + ": " + flags.length + " " + what + " for " + n + " rows");
        }
        return flags.clone();
    }

    /** Whether the file has an {@code anomaly} column (only such files are scored). */
    public boolean labelled() {
        return labels != null;
    }

    public int rowCount() {
        return rows.length;
    }

    public int channelCount() {
        return channels.size();
    }

    public double value(int row, int channel) {
        return rows[row][channel];
    }

    /** A copy of one row. */
    public double[] row(int row) {
        return rows[row].clone();
    }

    public long timestamp(int row) {
        return timestamps[row];
    }

    /** The label of one row; throws if the file is unlabelled. */
    public boolean label(int row) {
        if (labels == null) {
            throw TandemException.invalid(deviceId + " has no anomaly labels");
        }
        return labels[row];
    }

    /** Number of rows labelled anomalous (0 when unlabelled). */
    public int anomalousRows() {
        int n = 0;
        if (labels != null) {
            for (boolean b : labels) {
                if (b) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public double[][] rows() {
        double[][] copy = new double[rows.length][];
        for (int t = 0; t < rows.length; t++) {
            copy[t] = rows[t].clone();
        }
        return copy;
    }

    @Override
    public long[] timestamps() {
        return timestamps.clone();
    }

    @Override
    public boolean[] labels() {
        return labels == null ? null : labels.clone();
    }

    @Override
    public boolean[] changepoints() {
        return changepoints == null ? null : changepoints.clone();
    }

    /** The whole file as the project's sample stream: seq = row index, ts = the row's datetime. */
    public List<Sample> toSamples() {
        return samples(0, rows.length);
    }

    /** Rows {@code from <= t < to} as samples (seq = row index in the file, so seq stays aligned with labels). */
    public List<Sample> samples(int from, int to) {
        if (from < 0 || to < from || to > rows.length) {
            throw TandemException.invalid("range [" + from + ", " + to + ") outside " + rows.length + " rows of " + deviceId);
        }
        List<Sample> out = new ArrayList<>(to - from);
        for (int t = from; t < to; t++) {
            out.add(new Sample(t, timestamps[t], rows[t]));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SkabFile f && f.deviceId.equals(deviceId) && Objects.equals(f.source, source)
                && f.channels.equals(channels) && Arrays.deepEquals(f.rows, rows)
                && Arrays.equals(f.timestamps, timestamps) && Arrays.equals(f.labels, labels)
                && Arrays.equals(f.changepoints, changepoints) && f.report.equals(report);
    }

    @Override
    public int hashCode() {
        return deviceId.hashCode() * 31 + Arrays.hashCode(timestamps);
    }

    @Override
    public String toString() {
        return "SkabFile[" + deviceId + ", " + rows.length + " rows x " + channels.size() + " channels, "
                + (labelled() ? anomalousRows() + " anomalous" : "unlabelled") + ", " + report.gaps() + " gaps, "
                + report.skippedRows() + " skipped]";
    }
}
