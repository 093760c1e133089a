package dev.tandem.sim.eval.nab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checks {@link NabScorer} against published NAB results: a folder {@code REF} holding
 * {@code REF/standard_scores.csv} (see {@link NabPublished}), optionally {@code REF/profiles.json}
 * (NAB's profile weights, compared with {@link NabProfile}) and, for each reference detector {@code D},
 * its per-row output {@code REF/D/<category>/D_<file>.csv} (columns {@code timestamp},
 * {@code anomaly_score} and one {@code S(t)_<profile>} per profile: each row's score contribution).
 *
 * <p>Per file of the data set and detector: its rows with {@code anomaly_score >= } the published
 * standard threshold are scored and compared with the published {@code Score}, and every row's
 * contribution with {@code S(t)_standard}. For the other profiles, whose thresholds the reference does
 * not carry, the threshold is taken as the lowest anomaly score of a row the reference scores as a
 * false positive in that profile (over all files), and every row's contribution is compared the same way.
 */
public final class NabReferenceCheck {
    /** Largest difference counted as reproduced (the published scores carry 12 significant digits). */
    public static final double TOLERANCE = 1e-9;

    /** One file of one reference detector. */
    public record FileCheck(String detector, String file, int rows, int windows, double threshold, double published,
                            double ours, Map<String, Double> maxRowDiff, String problem) {
        public double diff() {
            return Math.abs(ours - published);
        }

        public boolean ok() {
            return problem == null && diff() <= TOLERANCE && maxRowDiff.values().stream().allMatch(d -> d <= TOLERANCE);
        }
    }

    /** The whole check. */
    public record Report(List<String> profileChecks, List<FileCheck> files, Map<String, Double> inferredThresholds,
                         List<NabPublished.Normalised> table) {
        public boolean ok() {
            return !files.isEmpty() && files.stream().allMatch(FileCheck::ok)
                    && profileChecks.stream().allMatch(s -> s.startsWith("ok"));
        }
    }

    private NabReferenceCheck() {
    }

    public static Report check(NabDataset data, Path reference) {
        Path summary = reference.resolve("standard_scores.csv");
        if (!Files.isRegularFile(summary)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "no " + summary);
        }
        NabPublished published = NabPublished.read(summary);
        List<String> profiles = profiles(reference.resolve("profiles.json"));
        List<FileCheck> checks = new ArrayList<>();
        Map<String, Double> inferred = new LinkedHashMap<>();
        for (String detector : detectors(reference)) {
            Map<NabFile, NabResultsCsv> outputs = new LinkedHashMap<>();
            List<FileCheck> failed = new ArrayList<>();
            for (NabFile f : data.files()) {
                Path out = output(reference, detector, f.key());
                if (!Files.isRegularFile(out)) {
                    continue;
                }
                try {
                    outputs.put(f, NabResultsCsv.read(out));
                } catch (TandemException e) {
                    failed.add(failure(detector, f, e.toString()));
                }
            }
            if (outputs.isEmpty()) {
                continue;
            }
            Map<NabProfile, Double> thresholds = new LinkedHashMap<>();
            for (NabProfile p : NabProfile.ALL) {
                double t = p.equals(NabProfile.STANDARD) ? Double.NaN : inferThreshold(outputs, p);
                thresholds.put(p, t);
                if (!p.equals(NabProfile.STANDARD)) {
                    inferred.put(detector + " " + p.name(), t);
                }
            }
            outputs.forEach((f, csv) -> checks.add(checkFile(detector, f, csv, published, thresholds)));
            checks.addAll(failed);
        }
        return new Report(profiles, checks, inferred, published.normalised(NabProfile.STANDARD, data.files()));
    }

    private static FileCheck failure(String detector, NabFile f, String why) {
        return new FileCheck(detector, f.key(), f.rows(), f.scoredWindows().size(), Double.NaN, Double.NaN, Double.NaN,
                Map.of(), why);
    }

    private static FileCheck checkFile(String detector, NabFile f, NabResultsCsv csv, NabPublished published,
                                       Map<NabProfile, Double> thresholds) {
        var row = published.find(detector, NabProfile.STANDARD.name(), f.key());
        if (row.isEmpty()) {
            return failure(detector, f, "no published standard score in standard_scores.csv");
        }
        if (csv.size() != f.rows()) {
            return failure(detector, f, csv.name() + ": " + csv.size() + " rows, the data file has " + f.rows());
        }
        int ts = csv.column("timestamp"), as = csv.column("anomaly_score");
        double[] scores = new double[f.rows()];
        for (int i = 0; i < f.rows(); i++) {
            if (NabCsv.parseTimestamp(csv.text(i, ts)) != f.series().millis(i)) {
                return failure(detector, f, csv.name() + ":" + csv.line(i) + ": timestamp " + csv.text(i, ts)
                        + " differs from the data file's row");
            }
            scores[i] = csv.number(i, as);
        }
        double ours = Double.NaN;
        Map<String, Double> rowDiff = new LinkedHashMap<>();
        for (NabProfile p : NabProfile.ALL) {
            double threshold = p.equals(NabProfile.STANDARD) ? row.get().threshold() : thresholds.get(p);
            NabScorer.FileScore s = NabScorer.score(f, detections(scores, threshold), p);
            if (p.equals(NabProfile.STANDARD)) {
                ours = s.score();
            }
            String column = "S(t)_" + p.name();
            if (csv.has(column) && Double.isFinite(threshold)) {
                int c = csv.column(column);
                double[] mine = s.contributions();
                double max = 0;
                for (int i = 0; i < mine.length; i++) {
                    max = Math.max(max, Math.abs(mine[i] - csv.number(i, c)));
                }
                rowDiff.put(p.name(), max);
            }
        }
        return new FileCheck(detector, f.key(), f.rows(), f.scoredWindows().size(), row.get().threshold(),
                row.get().score(), ours, rowDiff, null);
    }

    static boolean[] detections(double[] scores, double threshold) {
        boolean[] d = new boolean[scores.length];
        for (int i = 0; i < scores.length; i++) {
            d[i] = scores[i] >= threshold;
        }
        return d;
    }

    /**
     * A profile's threshold as the reference implies it: every scored row outside the windows that the
     * reference charges has a score at or above it, every other such row a score below it. The lowest
     * such value is taken: just above the highest score of an uncharged row (NaN when nothing is charged).
     */
    private static double inferThreshold(Map<NabFile, NabResultsCsv> outputs, NabProfile p) {
        double charged = Double.POSITIVE_INFINITY, uncharged = Double.NEGATIVE_INFINITY;
        String column = "S(t)_" + p.name();
        for (var e : outputs.entrySet()) {
            NabFile f = e.getKey();
            NabResultsCsv csv = e.getValue();
            if (!csv.has(column) || csv.size() != f.rows()) {
                continue;
            }
            boolean[] in = f.labels();
            int c = csv.column(column), as = csv.column("anomaly_score");
            for (int i = f.probationaryRows(); i < f.rows(); i++) {
                if (!in[i]) {
                    if (csv.number(i, c) != 0) {
                        charged = Math.min(charged, csv.number(i, as));
                    } else {
                        uncharged = Math.max(uncharged, csv.number(i, as));
                    }
                }
            }
        }
        if (Double.isInfinite(charged) || uncharged >= charged) {
            return Double.NaN;
        }
        return Double.isInfinite(uncharged) ? charged : Math.nextUp(uncharged);
    }

    private static List<String> detectors(Path reference) {
        try (Stream<Path> s = Files.list(reference)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + reference, e);
        }
    }

    private static Path output(Path reference, String detector, String key) {
        int slash = key.lastIndexOf('/');
        String dir = slash < 0 ? "" : key.substring(0, slash + 1);
        return reference.resolve(detector).resolve(dir + detector + "_" + key.substring(slash + 1));
    }

    /** Each profile of {@code profiles.json} against {@link NabProfile}: "ok ..." or "MISMATCH ...". */
    private static List<String> profiles(Path file) {
        List<String> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            out.add("ok (no " + file + "; built-in weights used)");
            return out;
        }
        JsonNode root;
        try {
            if (Files.size(file) > NabLabels.MAX_FILE_BYTES) {
                throw new TandemException(ErrorCode.OVERSIZED_PAYLOAD, file + ": too large");
            }
            root = Wire.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, file + ": not JSON: " + e.getMessage());
        }
        for (NabProfile p : NabProfile.ALL) {
            if (!root.has(p.name())) {
                out.add("ok " + p.name() + ": not in " + file.getFileName() + " (built-in weights)");
                continue;
            }
            JsonNode m = root.path(p.name()).path("CostMatrix");
            double tp = m.path("tpWeight").asDouble(Double.NaN), fp = m.path("fpWeight").asDouble(Double.NaN),
                    fn = m.path("fnWeight").asDouble(Double.NaN);
            boolean same = tp == p.tpWeight() && fp == p.fpWeight() && fn == p.fnWeight();
            out.add(String.format(Locale.ROOT, "%s %s: tp %s fp %s fn %s (built in: %s %s %s)", same ? "ok" : "MISMATCH",
                    p.name(), tp, fp, fn, p.tpWeight(), p.fpWeight(), p.fnWeight()));
        }
        return out;
    }

    /** The comparison, per file and in total. */
    public static void print(Report r, PrintStream out) {
        out.println("profiles.json against the built-in weights:");
        r.profileChecks().forEach(s -> out.println("  " + s));
        out.printf(Locale.ROOT, "%-10s %-62s %6s %3s %14s %14s %9s %s%n", "detector", "file", "rows", "win",
                "published", "ours", "|diff|", "max row |diff| per profile (S(t) columns)");
        for (FileCheck c : r.files()) {
            if (c.problem() != null) {
                out.printf(Locale.ROOT, "%-10s %-62s FAILED %s%n", c.detector(), c.file(), c.problem());
                continue;
            }
            StringBuilder rows = new StringBuilder();
            c.maxRowDiff().forEach((p, d) -> rows.append(String.format(Locale.ROOT, " %s %.1e",
                    p.replace("reward_", "").replace("_rate", ""), d)));
            out.printf(Locale.ROOT, "%-10s %-62s %6d %3d %14.9f %14.9f %9.1e%s  %s%n", c.detector(), c.file(), c.rows(),
                    c.windows(), c.published(), c.ours(), c.diff(), rows, c.ok() ? "ok" : "MISMATCH");
        }
        long ok = r.files().stream().filter(FileCheck::ok).count();
        double maxDiff = r.files().stream().filter(c -> c.problem() == null).mapToDouble(FileCheck::diff).max().orElse(Double.NaN);
        double maxRow = r.files().stream().flatMap(c -> c.maxRowDiff().values().stream()).mapToDouble(Double::doubleValue)
                .max().orElse(Double.NaN);
        r.inferredThresholds().forEach((k, v) -> out.printf(Locale.ROOT, "threshold of %s (inferred: just above the highest "
                + "score of a row outside the windows the reference does not charge): %.12f%n", k, v));
        out.printf(Locale.ROOT, "total: %d/%d files reproduced within %.0e (largest score |diff| %.1e, largest row "
                + "|diff| %.1e): %s%n", ok, r.files().size(), TOLERANCE, maxDiff, maxRow, r.ok() ? "REPRODUCED" : "NOT REPRODUCED");
        out.println("published detectors normalised on these files (standard profile; 100 (raw - null) / (perfect - null)):");
        for (NabPublished.Normalised n : r.table()) {
            out.printf(Locale.ROOT, "  %-20s %6.1f%s%n", n.detector(), n.score().normalised(),
                    n.files() < n.of() ? String.format(Locale.ROOT, "  (%d/%d files, normalised over those)",
                            n.files(), n.of()) : "");
        }
    }
}
