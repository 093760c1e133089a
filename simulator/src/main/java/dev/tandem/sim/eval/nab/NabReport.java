package dev.tandem.sim.eval.nab;

import dev.tandem.sim.eval.CascadeEvaluation.Mode;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The NAB evaluation's table (modes x profiles, the published detectors beside them, per file) and its JSON. */
public final class NabReport {
    /** The target for the collaborative mode, standard profile, on the development files. */
    public static final double TARGET_STANDARD = 78.0;

    private NabReport() {
    }

    public static void print(NabEvaluation.Result r, NabPublished published, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "%-16s %9s %9s %9s %8s %9s %9s %10s %9s %8s%n", "mode", "standard", "low_FP", "low_FN",
                "onsets", "FP onsets", "windows", "alarm rows", "escalated", "uplink");
        for (Mode m : Mode.values()) {
            Map<NabProfile, NabScorer.CorpusScore> t = r.totals().get(m);
            NabEvaluation.ModeStats s = r.stats().get(m);
            int fp = 0, detected = 0, windows = 0;
            for (NabEvaluation.FileResult f : r.files()) {
                NabScorer.FileScore fs = f.scores().get(m).get(NabProfile.STANDARD);
                fp += fs.fp();
                detected += fs.detectedWindows();
                windows += fs.windows();
            }
            out.printf(Locale.ROOT, "%-16s %9s %9s %9s %8d %9d %9s %10d %9s %8s%n", m.key(),
                    f1(t.get(NabProfile.STANDARD).normalised()), f1(t.get(NabProfile.REWARD_LOW_FP).normalised()),
                    f1(t.get(NabProfile.REWARD_LOW_FN).normalised()), s.onsets(), fp, detected + "/" + windows,
                    s.alarmRows(), pct(s.escalationRate()), pct(s.uplinkShare()));
        }
        NabScorer.CorpusScore any = r.totals().get(Mode.EDGE).get(NabProfile.STANDARD);
        out.printf(Locale.ROOT, "normalised 100 (raw - null) / (perfect - null) over %d files, %d scored windows; "
                + "detections = alarm onsets (FP onsets: outside every window; windows: detected/scored), no labels used%n", any.files(), any.windows());
        if (published != null) {
            out.println("published detectors, same files, standard profile (thresholds optimised on the labels):");
            for (NabPublished.Normalised n : published.normalised(NabProfile.STANDARD,
                    r.files().stream().map(NabEvaluation.FileResult::file).toList())) {
                out.printf(Locale.ROOT, "  %-20s %6s%s%n", n.detector(), f1(n.score().normalised()),
                        n.files() < n.of() ? String.format(Locale.ROOT, "  (%d/%d files, normalised over those)",
                                n.files(), n.of()) : "");
            }
        }
        double collab = r.totals().get(Mode.COLLABORATIVE).get(NabProfile.STANDARD).normalised();
        out.printf(Locale.ROOT, "target: collaborative standard >= %.0f: %s (%s)%n", TARGET_STANDARD, f1(collab),
                collab >= TARGET_STANDARD ? "met" : "missed by " + f1(TARGET_STANDARD - collab));
        out.println("per file (raw standard score; windows detected/scored; onsets):");
        out.printf(Locale.ROOT, "  %-58s %4s %22s %22s %22s%n", "file", "win", "edge", "cloud", "collaborative");
        for (NabEvaluation.FileResult f : r.files()) {
            out.printf(Locale.ROOT, "  %-58s %4d", f.file().key(), f.file().scoredWindows().size());
            for (Mode m : Mode.values()) {
                NabScorer.FileScore s = f.scores().get(m).get(NabProfile.STANDARD);
                out.printf(Locale.ROOT, " %22s", String.format(Locale.ROOT, "%7.3f %d/%d %4d", s.score(),
                        s.detectedWindows(), s.windows(), s.tp() + s.fp()));
            }
            out.println();
        }
        out.printf(Locale.ROOT, "%d files in %.1f s%n", r.files().size(), r.millis() / 1000.0);
    }

    public static Map<String, Object> json(String source, NabEvaluation.Result r, NabPublished published) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("dataset", "nab");
        root.put("source", source);
        root.put("files", r.files().size());
        root.put("detections", "alarm onsets");
        Map<String, Object> modes = new LinkedHashMap<>();
        for (Mode m : Mode.values()) {
            Map<String, Object> x = new LinkedHashMap<>();
            r.totals().get(m).forEach((p, c) -> {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("normalised", finite(c.normalised()));
                s.put("raw", c.raw());
                s.put("null", c.nullScore());
                s.put("perfect", c.perfectScore());
                s.put("windows", c.windows());
                x.put(p.name(), s);
            });
            NabEvaluation.ModeStats s = r.stats().get(m);
            x.put("onsets", s.onsets());
            x.put("alarmRows", s.alarmRows());
            x.put("windows", s.windows());
            x.put("escalations", s.escalations());
            x.put("escalationRate", finite(s.escalationRate()));
            x.put("verdicts", s.verdicts());
            x.put("uplinkBytes", s.uplinkBytes());
            x.put("rawUplinkBytes", s.rawUplinkBytes());
            x.put("uplinkShare", finite(s.uplinkShare()));
            modes.put(m.key(), x);
        }
        root.put("modes", modes);
        if (published != null) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (NabPublished.Normalised n : published.normalised(NabProfile.STANDARD,
                    r.files().stream().map(NabEvaluation.FileResult::file).toList())) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("detector", n.detector());
                m.put("standard", finite(n.score().normalised()));
                m.put("files", n.files());
                rows.add(m);
            }
            root.put("published", rows);
        }
        List<Map<String, Object>> files = new ArrayList<>();
        for (NabEvaluation.FileResult f : r.files()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", f.file().key());
            m.put("rows", f.file().rows());
            m.put("probationaryRows", f.file().probationaryRows());
            m.put("windows", f.file().scoredWindows().size());
            Map<String, Object> per = new LinkedHashMap<>();
            for (Mode mode : Mode.values()) {
                Map<String, Object> x = new LinkedHashMap<>();
                f.scores().get(mode).forEach((p, s) -> x.put(p.name(), s.score()));
                NabScorer.FileScore s = f.scores().get(mode).get(NabProfile.STANDARD);
                x.put("detectedWindows", s.detectedWindows());
                x.put("onsets", s.tp() + s.fp());
                per.put(mode.key(), x);
            }
            m.put("modes", per);
            files.add(m);
        }
        root.put("perFile", files);
        root.put("problems", r.problems().stream().map(NabProblem::toString).toList());
        root.put("millis", r.millis());
        return root;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static String f1(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "-";
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : "-";
    }
}
