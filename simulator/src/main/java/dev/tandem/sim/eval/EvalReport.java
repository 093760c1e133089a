package dev.tandem.sim.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
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

/**
 * The evaluation's report: a table of the three modes (and, for SKAB, the published detectors
 * beside them), per-kind detection delays when the data has episodes, and the same as JSON:
 * {@code {"modes": {"edge": {...}, "cloud": {...}, "collaborative": {...}}, ...}}.
 */
public final class EvalReport {
    private EvalReport() {
    }

    /** The JSON tree of a result. {@code published} may be empty. */
    public static Map<String, Object> json(String dataset, String source, Long seed, CascadeEvaluation.Result result,
                                           List<PublishedDetectors.Row> published) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("dataset", dataset);
        root.put("source", source);
        if (seed != null) {
            root.put("seed", seed);
        }
        root.put("devices", result.devices().size());
        root.put("testWindows", result.modes().get(CascadeEvaluation.Mode.EDGE).windows());
        Map<String, Object> modes = new LinkedHashMap<>();
        for (CascadeEvaluation.ModeTotals t : result.modes().values()) {
            modes.put(t.mode().key(), mode(t));
        }
        root.put("modes", modes);
        if (!published.isEmpty()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (PublishedDetectors.Row r : published) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("detector", r.detector());
                m.put("f1", r.f1());
                m.put("far", r.far());
                m.put("mar", finite(r.mar()));
                rows.add(m);
            }
            root.put("published", rows);
        }
        Map<String, Object> models = new LinkedHashMap<>();
        CascadeEvaluation.DeviceResult any = result.devices().get(0);
        models.put("tinyParameters", any.tiny().parameterCount());
        models.put("tinyWindow", any.tiny().windowSize());
        models.put("tinyArtifactBytes", dev.tandem.shared.tiny.TinyModelCodec.encode(any.tiny()).length);
        models.put("largeParameters", any.largeParameters());
        models.put("largeContext", any.largeContext());
        models.put("tinyFit", result.settings().tiny().toString());
        models.put("large", result.settings().large().toString());
        root.put("models", models);
        List<Map<String, Object>> devices = new ArrayList<>();
        for (CascadeEvaluation.DeviceResult d : result.devices()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", d.stream().deviceId());
            m.put("band", List.of(d.tiny().policy().lower(), d.tiny().policy().threshold(), d.tiny().policy().upper()));
            Map<String, Object> per = new LinkedHashMap<>();
            d.modes().forEach((mode, r) -> {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("f1", finite(r.confusion().f1()));
                x.put("far", finite(r.confusion().far()));
                x.put("escalationRate", r.windows() == 0 ? null : (double) r.escalations() / r.windows());
                x.put("uplinkBytes", r.uplinkBytes());
                x.put("onsets", r.episodes().onsets());
                x.put("clears", r.episodes().clears());
                x.put("heldRows", r.episodes().heldRows());
                x.put("heldF1", finite(r.episodes().held().f1()));
                x.put("heldFar", finite(r.episodes().held().far()));
                per.put(mode.key(), x);
            });
            m.put("modes", per);
            m.put("rawUplinkBytes", d.rawUplinkBytes());
            devices.add(m);
        }
        root.put("perDevice", devices);
        root.put("millis", result.millis());
        return root;
    }

    private static Map<String, Object> mode(CascadeEvaluation.ModeTotals t) {
        Confusion c = t.confusion();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("f1", finite(c.f1()));
        m.put("far", finite(c.far()));
        m.put("mar", finite(c.mar()));
        m.put("precision", finite(c.precision()));
        m.put("recall", finite(c.recall()));
        m.put("tp", c.tp());
        m.put("fp", c.fp());
        m.put("tn", c.tn());
        m.put("fn", c.fn());
        m.put("windows", t.windows());
        m.put("escalations", t.escalations());
        m.put("escalationRate", finite(t.escalationRate()));
        m.put("verdicts", t.verdicts());
        m.put("uplinkBytes", t.uplinkBytes());
        m.put("rawUplinkBytes", t.rawUplinkBytes());
        m.put("uplinkShare", finite(t.uplinkShare()));
        Episodes e = t.episodes();
        Map<String, Object> ep = new LinkedHashMap<>();
        ep.put("onsets", e.onsets());
        ep.put("trueOnsets", e.trueOnsets());
        ep.put("falseOnsets", e.falseOnsets());
        ep.put("clears", e.clears());
        ep.put("rebaselines", e.rebaselines());
        ep.put("heldRows", e.heldRows());
        ep.put("heldSeconds", e.heldMillis() / 1000.0);
        ep.put("heldF1", finite(e.held().f1()));
        ep.put("heldFar", finite(e.held().far()));
        ep.put("heldMar", finite(e.held().mar()));
        ep.put("heldPrecision", finite(e.held().precision()));
        ep.put("heldRecall", finite(e.held().recall()));
        m.put("episodes", ep);
        if (!t.delays().isEmpty()) {
            Map<String, Object> delays = new LinkedHashMap<>();
            t.delays().forEach((kind, k) -> {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("episodes", k.episodes());
                x.put("detected", k.detected());
                x.put("detectionRate", finite(k.detectionRate()));
                x.put("meanDelayRows", finite(k.meanDelayRows()));
                x.put("medianDelayRows", finite(k.medianDelayRows()));
                x.put("maxDelayRows", finite(k.maxDelayRows()));
                x.put("meanDelayMillis", finite(k.meanDelayMillis()));
                x.put("medianDelayMillis", finite(k.medianDelayMillis()));
                delays.put(kind, x);
            });
            m.put("detectionDelay", delays);
        }
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    public static void write(Map<String, Object> json, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, toJson(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static String toJson(Map<String, Object> json) {
        try {
            return Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints the table of the modes, the published detectors beside them, and the delays. */
    public static void print(CascadeEvaluation.Result result, List<PublishedDetectors.Row> published, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "%-22s %6s %7s %7s %7s %7s %9s %12s %12s %7s%n", "mode", "F1", "FAR", "MAR",
                "prec", "recall", "escalated", "uplink B", "raw B", "uplink");
        for (CascadeEvaluation.ModeTotals t : result.modes().values()) {
            Confusion c = t.confusion();
            out.printf(Locale.ROOT, "%-22s %6s %7s %7s %7s %7s %9s %12d %12d %7s%n", t.mode().key(), f3(c.f1()),
                    pct(c.far()), pct(c.mar()), f3(c.precision()), f3(c.recall()), pct(t.escalationRate()),
                    t.uplinkBytes(), t.rawUplinkBytes(), pct(t.uplinkShare()));
        }
        out.println("alarm episodes (the edge's EpisodeTracker; 'held' scores the rows while an episode holds):");
        out.printf(Locale.ROOT, "%-22s %7s %7s %7s %7s %7s %9s %10s %8s %8s%n", "mode", "onsets", "in anom",
                "outside", "clears", "rebase", "held rows", "held s", "held F1", "held FAR");
        for (CascadeEvaluation.ModeTotals t : result.modes().values()) {
            Episodes e = t.episodes();
            out.printf(Locale.ROOT, "%-22s %7d %7d %7d %7d %7d %9d %10.0f %8s %8s%n", t.mode().key(), e.onsets(),
                    e.trueOnsets(), e.falseOnsets(), e.clears(), e.rebaselines(), e.heldRows(), e.heldMillis() / 1000.0,
                    f3(e.held().f1()), pct(e.held().far()));
        }
        if (!published.isEmpty()) {
            out.println("published detectors, same subset and protocol:");
            for (PublishedDetectors.Row r : published) {
                out.printf(Locale.ROOT, "  %-20s %6s %7s %7s%n", r.detector(), f3(r.f1()), pct(r.far()), pct(r.mar()));
            }
        }
        boolean delays = result.modes().values().stream().anyMatch(t -> !t.delays().isEmpty());
        if (delays) {
            out.println("detection delay per anomaly kind (rows from onset to first alarm; detected/episodes):");
            out.printf(Locale.ROOT, "  %-14s", "kind");
            for (CascadeEvaluation.Mode m : result.modes().keySet()) {
                out.printf(Locale.ROOT, " %24s", m.key());
            }
            out.println();
            for (String kind : result.modes().get(CascadeEvaluation.Mode.EDGE).delays().keySet()) {
                out.printf(Locale.ROOT, "  %-14s", kind);
                for (CascadeEvaluation.ModeTotals t : result.modes().values()) {
                    DetectionDelay.KindSummary k = t.delays().get(kind);
                    out.printf(Locale.ROOT, " %24s", k == null ? "-" : String.format(Locale.ROOT, "mean %s med %s (%d/%d)",
                            f1(k.meanDelayRows()), f1(k.medianDelayRows()), k.detected(), k.episodes()));
                }
                out.println();
            }
        }
        CascadeEvaluation.DeviceResult any = result.devices().get(0);
        out.printf(Locale.ROOT, "models: tiny %d parameters (window %d, %d-byte artifact), large %d parameters "
                        + "(context %d); %d devices in %.1f s%n", any.tiny().parameterCount(), any.tiny().windowSize(),
                dev.tandem.shared.tiny.TinyModelCodec.encode(any.tiny()).length, any.largeParameters(),
                any.largeContext(), result.devices().size(), result.millis() / 1000.0);
    }

    /**
     * The leave-one-out part of a report: per file the candidate chosen on the others, then each mode's
     * totals under the protocol beside the plain run (the given settings on every file).
     */
    public static void printLeaveOneOut(LeaveOneOut.Result r, PrintStream out) {
        out.println("leave-one-experiment-out: each file scored with the settings that did best on the other files");
        out.printf(Locale.ROOT, "  %-34s %-44s %9s %9s %7s %7s%n", "file", "chosen on the others", "others F1",
                "others FAR", "F1", "FAR");
        for (int i = 0; i < r.choices().size(); i++) {
            LeaveOneOut.Choice c = r.choices().get(i);
            Confusion own = r.loo().devices().get(i).modes().get(CascadeEvaluation.Mode.COLLABORATIVE).confusion();
            out.printf(Locale.ROOT, "  %-34s %-44s %9s %9s %7s %7s%n", c.device(), c.chosen().name(), f3(c.othersF1()),
                    pct(c.othersFar()), f3(own.f1()), pct(own.far()));
        }
        out.printf(Locale.ROOT, "  %-22s %16s %16s%n", "mode", "loo F1 / FAR", "plain F1 / FAR");
        for (CascadeEvaluation.Mode m : CascadeEvaluation.Mode.values()) {
            Confusion l = r.loo().modes().get(m).confusion(), p = r.plain().modes().get(m).confusion();
            out.printf(Locale.ROOT, "  %-22s %16s %16s%n", m.key(), f3(l.f1()) + " / " + pct(l.far()),
                    f3(p.f1()) + " / " + pct(p.far()));
        }
    }

    /** The leave-one-out part of the JSON report. */
    public static Map<String, Object> leaveOneOutJson(LeaveOneOut.Result r) {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Map<String, Object>> files = new ArrayList<>();
        for (int i = 0; i < r.choices().size(); i++) {
            LeaveOneOut.Choice c = r.choices().get(i);
            Confusion own = r.loo().devices().get(i).modes().get(CascadeEvaluation.Mode.COLLABORATIVE).confusion();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", c.device());
            m.put("chosen", c.chosen().name());
            m.put("othersF1", finite(c.othersF1()));
            m.put("othersFar", finite(c.othersFar()));
            m.put("f1", finite(own.f1()));
            m.put("far", finite(own.far()));
            files.add(m);
        }
        root.put("files", files);
        Map<String, Object> plain = new LinkedHashMap<>();
        for (CascadeEvaluation.ModeTotals t : r.plain().modes().values()) {
            plain.put(t.mode().key(), mode(t));
        }
        root.put("plain", plain);
        Map<String, Object> candidates = new LinkedHashMap<>();
        r.candidates().forEach((name, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("f1", finite(c.f1()));
            m.put("far", finite(c.far()));
            candidates.put(name, m);
        });
        root.put("candidatesOnAllFiles", candidates);
        return root;
    }

    private static String f3(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "-";
    }

    private static String f1(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "-";
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : "-";
    }
}
