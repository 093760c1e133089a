package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.eval.SkabCsvLoader;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A NAB corpus folder: {@code DIR/data/**.csv} (one device per file, see {@link NabCsv}) and
 * {@code DIR/labels/combined_windows.json} (see {@link NabLabels}); nothing else under DIR is read.
 * Files are in the loader's natural path order.
 *
 * <p>A file that cannot be used (bad row, missing from the labels, a window bound that is no row's
 * timestamp) is left out and listed in {@link #problems()} naming file and line; the others load. A
 * labels entry naming an absent file is a problem too. No data folder, no labels file, no CSV or a
 * labels file that does not parse fails the whole load ({@link TandemException}): nothing could be scored.
 */
public record NabDataset(Path root, List<NabFile> files, List<NabProblem> problems) {
    public static final String DATA = "data";
    public static final String LABELS = "labels/combined_windows.json";

    public NabDataset {
        files = List.copyOf(files);
        problems = List.copyOf(problems);
    }

    public static NabDataset load(Path root) {
        Path data = root.resolve(DATA);
        Path labelsFile = root.resolve(LABELS);
        if (!Files.isDirectory(data)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "no data folder " + data + " (expected DIR/data/**.csv)");
        }
        if (!Files.isRegularFile(labelsFile)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "no labels file " + labelsFile);
        }
        NabLabels labels = NabLabels.read(labelsFile, LABELS);
        List<Path> csvs = SkabCsvLoader.findCsvFiles(data);
        List<NabFile> files = new ArrayList<>();
        List<NabProblem> problems = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (Path csv : csvs) {
            String key = data.relativize(csv).toString().replace(csv.getFileSystem().getSeparator(), "/");
            keys.add(key);
            String shown = root.relativize(csv).toString();
            try {
                NabLabels.Labelled l = labels.files().get(key);
                if (l == null) {
                    throw new TandemException(ErrorCode.UNKNOWN_DEVICE, LABELS + " has no entry '" + key + "'");
                }
                NabSeries series = NabCsv.read(csv, shown);
                files.add(new NabFile(key, uniqueId(SkabCsvLoader.deviceIdFor(data, csv), ids), series,
                        windows(series, l, labels.source())));
            } catch (TandemException e) {
                problems.add(NabProblem.of(shown, e));
            } catch (UncheckedIOException e) {
                problems.add(new NabProblem(shown, ErrorCode.INVALID_CONFIG, e.getMessage() + ": " + e.getCause().getMessage()));
            }
        }
        for (NabLabels.Labelled l : labels.files().values()) {
            if (!keys.contains(l.key())) {
                problems.add(new NabProblem(l.key(), ErrorCode.UNKNOWN_DEVICE, labels.source() + ":" + l.line()
                        + ": labels '" + l.key() + "', which is not under " + DATA + "/"));
            }
        }
        return new NabDataset(root, files, problems);
    }

    /** The labelled windows as rows: each bound is the first row with its timestamp. */
    public static List<NabWindow> windows(NabSeries series, NabLabels.Labelled labelled, String labelsSource) {
        List<NabWindow> out = new ArrayList<>();
        for (NabLabels.Entry e : labelled.windows()) {
            int first = series.firstRowAt(e.startMillis());
            int last = series.firstRowAt(e.endMillis());
            if (first < 0 || last < 0) {
                throw new TandemException(ErrorCode.INVALID_FIELD, labelsSource + ":" + e.line() + ": window "
                        + (first < 0 ? "start " + e.start() : "end " + e.end()) + " is no row's timestamp in "
                        + series.source());
            }
            out.add(new NabWindow(first, last, e.start(), e.end()));
        }
        return out;
    }

    private static String uniqueId(String id, Set<String> used) {
        String candidate = id;
        for (int n = 2; !used.add(candidate); n++) {
            candidate = id.substring(0, Math.min(id.length(), 58)) + "-" + n;
        }
        return candidate;
    }

    /**
     * The files whose key starts with one of {@code prefixes} ({@code realTraffic/}, or a file's key),
     * with the problems of those keys only; all when {@code prefixes} is empty.
     */
    public NabDataset only(List<String> prefixes) {
        if (prefixes.isEmpty()) {
            return this;
        }
        java.util.function.Predicate<String> in = k -> prefixes.stream().anyMatch(p -> k.startsWith(p.endsWith(".csv") ? p : p.endsWith("/") ? p : p + "/"));
        List<NabFile> kept = files.stream().filter(f -> in.test(f.key())).toList();
        if (kept.isEmpty()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "no NAB file under " + root.resolve(DATA) + " matches " + prefixes);
        }
        return new NabDataset(root, kept, problems.stream().filter(p -> in.test(p.file().replace('\\', '/')
                .replaceFirst("^" + DATA + "/", ""))).toList());
    }

    /** The files by key. */
    public Map<String, NabFile> byKey() {
        Map<String, NabFile> m = new LinkedHashMap<>();
        files.forEach(f -> m.put(f.key(), f));
        return m;
    }
}
