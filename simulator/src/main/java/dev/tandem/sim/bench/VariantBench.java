package dev.tandem.sim.bench;

import dev.tandem.hub.fit.ClassVariants;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import dev.tandem.shared.window.SlidingWindow;
import dev.tandem.sim.eval.CascadeEvaluation;
import dev.tandem.sim.eval.CascadeEvaluation.Mode;
import dev.tandem.sim.eval.Confusion;
import dev.tandem.sim.eval.EvalStream;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tiny model's variants per device class side by side, in one run on the same streams: each class
 * is evaluated through the one path ({@link CascadeEvaluation}: the hub's fit, which ships the class's
 * variant, the edge's detector, the hub's verdicts), and for each the artifact's size, the scoring cost
 * per window (the edge's {@link TinyScorer}, rounds interleaved between the variants), the F1 and FAR
 * of every mode, and the agreement of its edge decisions with the teacher (the large model deciding
 * every window, in the first class's run).
 */
public final class VariantBench {
    private static final int ROUNDS = 5;
    /** Where the timed scores go, so that the JIT cannot drop the scoring. */
    private static volatile double sink;

    /** One class's figures. */
    public record Row(String deviceClass, ClassVariants.Variant variant, String format, double artifactBytes,
                      double parameters, double nanosPerWindow, Map<Mode, Confusion> quality, double teacherAgreement) {
    }

    public record Report(List<Row> rows, FitSettings settings, int devices, long windows, long millis) {
        /** Figures of {@code row} against the first row (the reference, usually full precision). */
        public Map<String, Double> against(Row row) {
            Row ref = rows.get(0);
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("sizeRatio", row.artifactBytes() / ref.artifactBytes());
            out.put("costRatio", row.nanosPerWindow() / ref.nanosPerWindow());
            for (Mode m : Mode.values()) {
                out.put(m.key() + "F1Delta", row.quality().get(m).f1() - ref.quality().get(m).f1());
            }
            return out;
        }
    }

    private VariantBench() {
    }

    public static Report run(List<EvalStream> streams, FitSettings settings, CascadeEvaluation.Options options,
                             List<String> classes, CascadeEvaluation.Progress progress) {
        long t0 = System.nanoTime();
        List<CascadeEvaluation.Result> results = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            String tag = "[" + classes.get(c) + "] ";
            results.add(CascadeEvaluation.run(streams, settings, options.withDeviceClass(classes.get(c)),
                    (d, n, id, phase) -> progress.update(d, n, tag + id, phase)));
        }
        double[] nanos = new double[classes.size()];
        long windows = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int c = 0; c < classes.size(); c++) {
                long[] timed = time(results.get(c));
                if (round > 0) { // the first round warms up
                    nanos[c] += timed[0];
                    windows = timed[1];
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        List<CascadeEvaluation.DeviceResult> teacher = results.get(0).devices();
        for (int c = 0; c < classes.size(); c++) {
            CascadeEvaluation.Result r = results.get(c);
            double bytes = 0, params = 0;
            long agree = 0, total = 0;
            for (int i = 0; i < r.devices().size(); i++) {
                CascadeEvaluation.DeviceResult d = r.devices().get(i);
                bytes += TinyModelCodec.encode(d.tiny()).length;
                params += d.tiny().parameterCount();
                boolean[] edge = d.modes().get(Mode.EDGE).decisions();
                boolean[] cloud = teacher.get(i).modes().get(Mode.CLOUD).decisions();
                for (int t = 0; t < edge.length; t++) {
                    agree += edge[t] == cloud[t] ? 1 : 0;
                    total++;
                }
            }
            int n = r.devices().size();
            Map<Mode, Confusion> quality = new EnumMap<>(Mode.class);
            for (Mode m : Mode.values()) {
                quality.put(m, r.modes().get(m).confusion());
            }
            TinyModel first = r.devices().get(0).tiny();
            rows.add(new Row(classes.get(c), settings.variants().variantOf(classes.get(c)), first.format(), bytes / n,
                    params / n, nanos[c] / Math.max(1, (long) (ROUNDS - 1) * windows), quality,
                    total == 0 ? Double.NaN : (double) agree / total));
        }
        return new Report(List.copyOf(rows), settings, streams.size(), windows, (System.nanoTime() - t0) / 1_000_000);
    }

    /** {nanoseconds, windows} to score every test window of every device with a fresh scorer. */
    private static long[] time(CascadeEvaluation.Result r) {
        long nanos = 0, windows = 0;
        double sum = 0;
        for (CascadeEvaluation.DeviceResult d : r.devices()) {
            TinyModel m = d.tiny();
            TinyScorer scorer = m.scorer();
            SlidingWindow window = new SlidingWindow(m.windowSize(), m.channels());
            List<Sample> com = d.stream().commissioning();
            for (Sample s : com.subList(Math.max(0, com.size() - m.windowSize()), com.size())) {
                window.add(s);
            }
            long t = System.nanoTime();
            for (Sample s : d.stream().test()) {
                window.add(s);
                sum += scorer.score(window);
            }
            nanos += System.nanoTime() - t;
            windows += d.stream().test().size();
        }
        sink = sum;
        return new long[]{nanos, windows};
    }

    public static void print(Report report, PrintStream out) {
        out.printf(Locale.ROOT, "tiny-model variants per device class (%d devices, %d windows each round, %.1f s)%n",
                report.devices(), report.windows(), report.millis() / 1000.0);
        out.printf(Locale.ROOT, "%-10s %-11s %-22s %9s %7s %10s %14s %14s %14s %9s%n", "class", "var", "format",
                "artifact", "params", "ns/window", "edge F1/FAR", "cloud F1/FAR", "collab F1/FAR", "teacher");
        for (Row r : report.rows()) {
            out.printf(Locale.ROOT, "%-10s %-11s %-22s %8.0fB %7.0f %10.0f %14s %14s %14s %8.1f%%%n", r.deviceClass(),
                    r.variant().name().toLowerCase(Locale.ROOT), r.format(), r.artifactBytes(), r.parameters(),
                    r.nanosPerWindow(), cell(r.quality().get(Mode.EDGE)), cell(r.quality().get(Mode.CLOUD)),
                    cell(r.quality().get(Mode.COLLABORATIVE)), 100 * r.teacherAgreement());
        }
        Row ref = report.rows().get(0);
        for (Row r : report.rows().subList(1, report.rows().size())) {
            Map<String, Double> a = report.against(r);
            out.printf(Locale.ROOT, "%s against %s: artifact x%.3f, cost x%.3f, F1 edge %+.4f, cloud %+.4f, "
                            + "collaborative %+.4f%n", r.deviceClass(), ref.deviceClass(), a.get("sizeRatio"),
                    a.get("costRatio"), a.get("edgeF1Delta"), a.get("cloudF1Delta"), a.get("collaborativeF1Delta"));
        }
        out.println("teacher: share of windows where the variant's edge decision equals the large model's (cloud mode "
                + "of the first class); cloud figures move a little between runs (TensorFlow training).");
    }

    private static String cell(Confusion c) {
        return String.format(Locale.ROOT, "%.3f/%.1f%%", c.f1(), 100 * c.far());
    }

    public static void writeJson(Report report, Path file) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Row r : report.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("deviceClass", r.deviceClass());
            m.put("variant", r.variant().name().toLowerCase(Locale.ROOT));
            m.put("format", r.format());
            m.put("artifactBytes", r.artifactBytes());
            m.put("parameters", r.parameters());
            m.put("nanosPerWindow", r.nanosPerWindow());
            Map<String, Object> q = new LinkedHashMap<>();
            r.quality().forEach((mode, c) -> q.put(mode.key(), Map.of("f1", c.f1(), "far", c.far())));
            m.put("quality", q);
            m.put("teacherAgreement", r.teacherAgreement());
            m.put("againstFirst", report.against(r));
            rows.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("devices", report.devices());
        root.put("windows", report.windows());
        root.put("millis", report.millis());
        root.put("variants", report.settings().variants().toString());
        root.put("rows", rows);
        Files.write(file, Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }
}
