package dev.tandem.sim.replay;

import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.eval.CsvFormat;
import dev.tandem.sim.eval.SkabCsvLoader;
import dev.tandem.sim.eval.SkabFile;
import dev.tandem.sim.eval.nab.NabWindow;
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
                         List<String> unscored, java.util.Map<String, Integer> perDevice,
                         java.util.Map<String, List<NabWindow>> nabWindows) {
    /** The kind of a labelled run in the ground truth. */
    public static final String LABELLED = "anomaly";

    public ReplayPlan {
        devices = List.copyOf(devices);
        refused = List.copyOf(refused);
        unscored = List.copyOf(unscored);
        perDevice = perDevice == null ? java.util.Map.of() : java.util.Map.copyOf(perDevice);
        nabWindows = nabWindows == null ? java.util.Map.of() : java.util.Map.copyOf(nabWindows);
    }

    /** The commissioning rows of one device (NAB's probationary rule differs per file: {@link #commissioning()} is then 0). */
    public int commissioning(String deviceId) {
        return perDevice.getOrDefault(deviceId, commissioning);
    }

    /**
     * NAB files under {@code path} with their windows from {@code labelsFile} (NAB's
     * {@code combined_windows.json}; a file's entry is the one whose key ends its path), read by the
     * evaluation's NAB loader; one channel, {@code value}. {@code commissioning} 0: NAB's probationary
     * rule per file (15 % of its rows, at most 750), as the evaluation; else that many rows.
     */
    public static ReplayPlan loadNab(Path path, Path labelsFile, int commissioning) {
        if (!Files.isRegularFile(labelsFile)) {
            throw new TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG, "no labels file " + labelsFile);
        }
        if (!Files.exists(path)) {
            throw new TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG, "no file or folder " + path);
        }
        var labels = dev.tandem.sim.eval.nab.NabLabels.read(labelsFile);
        List<SkabFile> loaded = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        java.util.Map<String, Integer> perDevice = new java.util.LinkedHashMap<>();
        java.util.Map<String, List<NabWindow>> windows = new java.util.LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        for (Path csv : SkabCsvLoader.findCsvFiles(path)) {
            String full = csv.toAbsolutePath().normalize().toString().replace(csv.getFileSystem().getSeparator(), "/");
            var entry = labels.files().values().stream().filter(l -> full.endsWith("/" + l.key())).findFirst();
            if (entry.isEmpty()) {
                refused.add(csv + ": " + labelsFile + " has no entry for it");
                continue;
            }
            String key = entry.get().key();
            try {
                Path dataRoot = Path.of(full.substring(0, full.length() - key.length()));
                String id = SkabCsvLoader.deviceIdFor(dataRoot, csv);
                if (!used.add(id)) {
                    refused.add(csv + ": its device id " + id + " is another file's");
                    continue;
                }
                var series = dev.tandem.sim.eval.nab.NabCsv.read(csv, csv.toString());
                var file = new dev.tandem.sim.eval.nab.NabFile(key, id, series,
                        dev.tandem.sim.eval.nab.NabDataset.windows(series, entry.get(), labels.source()));
                int rows = commissioning == 0 ? file.probationaryRows() : commissioning;
                if (file.rows() <= rows || rows < 1) {
                    refused.add(csv + ": " + file.rows() + " rows, no more than the " + rows + " commissioning takes");
                    continue;
                }
                double[][] values = new double[file.rows()][];
                for (int i = 0; i < values.length; i++) {
                    values[i] = new double[]{series.value(i)};
                }
                SkabFile f = new SkabFile(id, csv, List.of(dev.tandem.sim.eval.nab.NabEvaluation.CHANNEL), values,
                        series.millis(), file.labels(), null, null);
                loaded.add(f); // NAB's rows are in time order (NabCsv refuses a file whose time goes back)
                perDevice.put(id, rows);
                windows.put(id, file.windows());
            } catch (TandemException e) {
                refused.add("[" + e.code() + "] " + e.getMessage());
            }
        }
        if (loaded.isEmpty()) {
            throw new TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG, "nothing to replay under " + path
                    + (refused.isEmpty() ? "" : ": " + String.join("; ", refused)));
        }
        return new ReplayPlan(path, loaded, commissioning, refused, List.of(), perDevice, windows);
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
        return new ReplayPlan(path, loaded, commissioning, refused, unscored, null, null);
    }

    /** Several plans as one (their devices side by side, each with its own commissioning); INVALID_CONFIG on a device id twice. */
    public static ReplayPlan merge(List<ReplayPlan> plans) {
        if (plans.size() == 1) {
            return plans.get(0);
        }
        List<SkabFile> devices = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<String> unscored = new ArrayList<>();
        java.util.Map<String, Integer> perDevice = new java.util.LinkedHashMap<>();
        java.util.Map<String, List<NabWindow>> windows = new java.util.LinkedHashMap<>();
        for (ReplayPlan p : plans) {
            for (SkabFile f : p.devices()) {
                if (perDevice.containsKey(f.deviceId())) {
                    throw new TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG, "device " + f.deviceId()
                            + " is in two replay sources (" + p.root() + ")");
                }
                devices.add(f);
                perDevice.put(f.deviceId(), p.commissioning(f.deviceId()));
            }
            refused.addAll(p.refused());
            unscored.addAll(p.unscored());
            windows.putAll(p.nabWindows());
        }
        return new ReplayPlan(plans.get(0).root(), devices, 0, refused, unscored, perDevice, windows);
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

    /**
     * The ground truth of the rows after commissioning, in the format every run writes, each line with
     * its rows ({@code firstRow}, {@code lastRow}: the published {@code seq}). A NAB file's lines are its
     * labelled windows whole, as NAB scores them (a window's first rows may be commissioning rows; a
     * window wholly inside them is not written: NAB does not score it).
     */
    public List<TruthEvent> groundTruth() {
        List<TruthEvent> out = new ArrayList<>();
        for (SkabFile f : devices) {
            int n = f.rowCount();
            int commissioning = commissioning(f.deviceId());
            out.add(TruthEvent.observed(f.deviceId(), at(f, commissioning), at(f, n - 1)).withRows(commissioning, n - 1));
            List<NabWindow> nab = nabWindows.get(f.deviceId());
            if (nab != null) {
                for (NabWindow w : nab) {
                    if (w.last() >= commissioning) {
                        out.add(new TruthEvent(f.deviceId(), TruthEvent.ALL_CHANNELS, LABELLED, null, at(f, w.first()),
                                at(f, w.last()), true).withRows(w.first(), w.last()));
                    }
                }
                continue;
            }
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
                            at(f, t - 1), true).withRows(start, t - 1));
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
