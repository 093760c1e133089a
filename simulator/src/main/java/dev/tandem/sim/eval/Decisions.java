package dev.tandem.sim.eval;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.eval.CascadeEvaluation.Mode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code eval --decisions DIR}: per scored input file, one CSV with exactly one line per input row, in
 * input order, with the three modes' calibrated scores (1.0 = the mode's threshold), alarms held and
 * onsets, so that others can score Tandem with their own tools.
 *
 * <p>{@code *_score}: edge: the tiny model's score of the window ending at the row; cloud: the score
 * of the verdict behind the row's decision (the row's own, else the latest before it, which covers
 * it); collaborative: the verdict's where the hub answered the row, else the edge's. Empty on
 * commissioning rows. {@code *_alarm}: 1 while the mode holds an alarm episode after the row;
 * {@code *_onset}: 1 on the row where one was raised. Commissioning rows: 0.
 */
public final class Decisions {
    public static final String HEADER = "timestamp,label,edge_score,edge_alarm,edge_onset,cloud_score,cloud_alarm,"
            + "cloud_onset,collaborative_score,collaborative_alarm,collaborative_onset";

    /**
     * One input file as it was read.
     *
     * @param relative   where its CSV goes under the decisions folder
     * @param timestamps each input row's timestamp text, verbatim
     * @param labels     each input row's label, or null where the input has none
     * @param testStart  the first scored row (the rows before it commissioned the device)
     */
    public record Input(Path relative, List<String> timestamps, boolean[] labels, int testStart) {
        public Input {
            timestamps = List.copyOf(timestamps);
            if (relative == null || relative.isAbsolute() || relative.normalize().startsWith("..")) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "a decisions file stays inside its folder: " + relative);
            }
            if (labels != null && labels.length != timestamps.size()) {
                throw TandemException.invalid(relative + ": " + labels.length + " labels for " + timestamps.size() + " rows");
            }
            if (testStart < 0 || testStart > timestamps.size()) {
                throw TandemException.invalid(relative + ": test start " + testStart + " outside 0.." + timestamps.size());
            }
        }
    }

    private Decisions() {
    }

    /** Writes {@code dir/in.relative()} for one evaluated device; returns the file. */
    public static Path write(Path dir, Input in, CascadeEvaluation.DeviceResult device) throws IOException {
        int n = in.timestamps().size();
        int tests = n - in.testStart();
        double[] edge = device.tinyScores();
        if (edge.length != tests) {
            throw new IllegalStateException(in.relative() + ": " + edge.length + " scored rows for " + tests + " test rows");
        }
        CascadeEvaluation.ModeRun e = device.modes().get(Mode.EDGE);
        CascadeEvaluation.ModeRun c = device.modes().get(Mode.CLOUD);
        CascadeEvaluation.ModeRun x = device.modes().get(Mode.COLLABORATIVE);
        Path file = dir.resolve(in.relative());
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.write('\n');
            double cloudLatest = Double.NaN;
            for (int row = 0; row < n; row++) {
                StringBuilder b = new StringBuilder(96);
                b.append(csv(in.timestamps().get(row))).append(',');
                if (in.labels() != null) {
                    b.append(in.labels()[row] ? '1' : '0');
                }
                int t = row - in.testStart();
                if (t < 0) {
                    b.append(",,0,0,,0,0,,0,0");
                } else {
                    if (!Double.isNaN(c.largeScores()[t])) {
                        cloudLatest = c.largeScores()[t];
                    }
                    double collaborative = Double.isNaN(x.largeScores()[t]) ? edge[t] : x.largeScores()[t];
                    b.append(',').append(num(edge[t])).append(',').append(flag(e.held()[t])).append(',')
                            .append(flag(e.onsets()[t]));
                    b.append(',').append(num(cloudLatest)).append(',').append(flag(c.held()[t])).append(',')
                            .append(flag(c.onsets()[t]));
                    b.append(',').append(num(collaborative)).append(',').append(flag(x.held()[t])).append(',')
                            .append(flag(x.onsets()[t]));
                }
                w.write(b.toString());
                w.write('\n');
            }
        }
        return file;
    }

    private static char flag(boolean b) {
        return b ? '1' : '0';
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "";
    }

    /** A CSV field: quoted when it holds a comma, a quote or a line break. */
    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
