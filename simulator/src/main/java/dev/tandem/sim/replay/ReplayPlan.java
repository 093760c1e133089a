package dev.tandem.sim.replay;

import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.eval.CsvFormat;
import dev.tandem.sim.eval.SkabCsvLoader;
import dev.tandem.sim.eval.SkabFile;
import dev.tandem.sim.factory.TruthEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * What a replay publishes: every file under a path loaded with the evaluation's loader (the same
 * loader, the same device ids, the same bad-row rules: a bad row skipped and counted with its
 * file:line), its rows in time order, and the ground truth of the rows after commissioning (the rows
 * the evaluation judges): per device the span observed, and one line per run of rows labelled
 * anomalous ({@code kind: anomaly}). A file that cannot be read, or has no more rows than
 * commissioning takes, is left out and listed in {@link #refused()} with its error; when some files
 * are labelled, those without labels are left out too ({@link #unscored()}: nothing in them can be
 * scored; not an error).
 */
public record ReplayPlan(Path root, List<SkabFile> devices, int commissioning, List<String> refused,
                         List<String> unscored) {
    /** The kind of a labelled run in the ground truth. */
    public static final String LABELLED = "anomaly";

    public ReplayPlan {
        devices = List.copyOf(devices);
        refused = List.copyOf(refused);
        unscored = List.copyOf(unscored);
    }

    /** Loads every CSV under {@code path} (or the file itself); INVALID_CONFIG when no file is left. */
    public static ReplayPlan load(Path path, CsvFormat format, int commissioning) {
        List<Path> files = SkabCsvLoader.findCsvFiles(path);
        Path base = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        SkabCsvLoader loader = new SkabCsvLoader(SkabCsvLoader.BadRows.SKIP, format);
        List<SkabFile> loaded = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<String> unscored = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (Path file : files) {
            String id = SkabCsvLoader.deviceIdFor(base, file);
            if (!used.add(id)) {
                refused.add(file + ": its device id " + id + " is another file's");
                continue;
            }
            try {
                SkabFile f = loader.load(file, id);
                if (f.rowCount() <= commissioning) {
                    refused.add(file + ": " + f.rowCount() + " rows, no more than the " + commissioning
                            + " commissioning takes");
                    continue;
                }
                loaded.add(inTimeOrder(f));
            } catch (TandemException e) {
                refused.add("[" + e.code() + "] " + e.getMessage());
            }
        }
        if (loaded.stream().anyMatch(SkabFile::labelled)) {
            for (SkabFile f : List.copyOf(loaded)) {
                if (!f.labelled()) {
                    loaded.remove(f);
                    unscored.add(f.source() + ": no label column, nothing to score");
                }
            }
        }
        if (loaded.isEmpty()) {
            throw new TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG, "nothing to replay under " + path
                    + (refused.isEmpty() ? "" : ": " + String.join("; ", refused)));
        }
        return new ReplayPlan(path, loaded, commissioning, refused, unscored);
    }

    /** The file with its rows sorted by time (stable: rows of one timestamp keep their order). */
    static SkabFile inTimeOrder(SkabFile f) {
        if (f.report().nonIncreasingSteps() == 0) {
            return f;
        }
        long[] ts = f.timestamps();
        int[] order = IntStream.range(0, ts.length).boxed().sorted(Comparator.comparingLong(i -> ts[i]))
                .mapToInt(Integer::intValue).toArray();
        double[][] rows = f.rows();
        boolean[] labels = f.labels();
        boolean[] changes = f.changepoints();
        double[][] r = new double[order.length][];
        long[] t = new long[order.length];
        boolean[] l = labels == null ? null : new boolean[order.length];
        boolean[] c = changes == null ? null : new boolean[order.length];
        for (int k = 0; k < order.length; k++) {
            r[k] = rows[order[k]];
            t[k] = ts[order[k]];
            if (l != null) {
                l[k] = labels[order[k]];
            }
            if (c != null) {
                c[k] = changes[order[k]];
            }
        }
        return new SkabFile(f.deviceId(), f.source(), f.channels(), r, t, l, c, f.report());
    }

    public List<String> deviceIds() {
        return devices.stream().map(SkabFile::deviceId).toList();
    }

    public long rows() {
        return devices.stream().mapToLong(SkabFile::rowCount).sum();
    }

    /** Rows skipped as malformed by the loader, all files. */
    public long skippedRows() {
        return devices.stream().mapToLong(f -> f.report().skippedRows()).sum();
    }

    /** The ground truth of the rows after commissioning, in the format every run writes. */
    public List<TruthEvent> groundTruth() {
        List<TruthEvent> out = new ArrayList<>();
        for (SkabFile f : devices) {
            int n = f.rowCount();
            out.add(TruthEvent.observed(f.deviceId(), at(f, commissioning), at(f, n - 1)));
            if (!f.labelled()) {
                continue;
            }
            int start = -1;
            for (int t = commissioning; t <= n; t++) {
                boolean on = t < n && f.label(t);
                if (on && start < 0) {
                    start = t;
                } else if (!on && start >= 0) {
                    out.add(new TruthEvent(f.deviceId(), TruthEvent.ALL_CHANNELS, LABELLED, null, at(f, start),
                            at(f, t - 1), true));
                    start = -1;
                }
            }
        }
        return out;
    }

    private static Instant at(SkabFile f, int row) {
        return Instant.ofEpochMilli(f.timestamp(row));
    }

    @Override
    public String toString() {
        return devices.size() + " files (" + rows() + " rows, " + skippedRows() + " bad rows skipped) under " + root
                + ": " + Arrays.toString(deviceIds().toArray());
    }
}
