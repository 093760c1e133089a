package dev.tandem.sim.eval.nab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Published NAB results in the format of NAB's per-detector results summaries
 * ({@code Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,...}; one row per detector, profile and
 * file), and what they give normalised on a set of files. References to print beside a run, not runs.
 */
public final class NabPublished {
    /** One published per-file result. */
    public record Row(String detector, String profile, String file, double threshold, double score, long tp, long tn,
                      long fp, long fn, int line) {
    }

    /**
     * A detector's score on a set of files, normalised over the files it has results for
     * ({@code files < of} when it lacks some).
     */
    public record Normalised(String detector, NabScorer.CorpusScore score, int files, int of) {
    }

    private final String source;
    private final List<Row> rows;

    private NabPublished(String source, List<Row> rows) {
        this.source = source;
        this.rows = List.copyOf(rows);
    }

    public static NabPublished read(Path file) {
        NabResultsCsv t = NabResultsCsv.read(file);
        int det = t.column("Detector"), prof = t.column("Profile"), f = t.column("File"), th = t.column("Threshold"),
                sc = t.column("Score"), tp = t.column("TP"), tn = t.column("TN"), fp = t.column("FP"), fn = t.column("FN");
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < t.size(); r++) {
            rows.add(new Row(t.text(r, det), t.text(r, prof), t.text(r, f), t.number(r, th), t.number(r, sc),
                    (long) t.number(r, tp), (long) t.number(r, tn), (long) t.number(r, fp), (long) t.number(r, fn), t.line(r)));
        }
        return new NabPublished(t.name(), rows);
    }

    public String source() {
        return source;
    }

    public List<Row> rows() {
        return rows;
    }

    /** The published row of a detector, profile and file, if any. */
    public java.util.Optional<Row> find(String detector, String profile, String file) {
        return rows.stream().filter(r -> r.detector().equals(detector) && r.profile().equals(profile)
                && r.file().equals(file)).findFirst();
    }

    /** Every detector's score on {@code files} in {@code profile}, best first. */
    public List<Normalised> normalised(NabProfile profile, Collection<NabFile> files) {
        Map<String, Map<String, Row>> byDetector = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.profile().equals(profile.name())) {
                byDetector.computeIfAbsent(r.detector(), k -> new LinkedHashMap<>()).putIfAbsent(r.file(), r);
            }
        }
        List<Normalised> out = new ArrayList<>();
        byDetector.forEach((detector, byFile) -> {
            double raw = 0;
            int windows = 0, covered = 0;
            for (NabFile file : files) {
                Row r = byFile.get(file.key());
                if (r != null) {
                    raw += r.score();
                    windows += file.scoredWindows().size();
                    covered++;
                }
            }
            if (covered > 0) {
                out.add(new Normalised(detector, new NabScorer.CorpusScore(profile, raw, windows, covered), covered,
                        files.size()));
            }
        });
        out.sort((a, b) -> Double.compare(b.score().normalised(), a.score().normalised()));
        return out;
    }
}
