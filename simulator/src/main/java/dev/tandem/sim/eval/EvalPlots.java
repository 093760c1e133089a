package dev.tandem.sim.eval;

import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.wire.Sample;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One PNG per device (JFreeChart, rendered headless): the signals (standardized by the
 * commissioning mean and standard deviation), the tiny model's score with its threshold and
 * escalation band (escalated windows of the collaborative mode marked), the large model's score
 * (cloud mode: every window) with its threshold, and the labels with each mode's decisions.
 * The x axis is the sample's seq (the commissioning part is included for the signals).
 */
public final class EvalPlots {
    private static final double FLOOR = 1e-3;
    private static final double CEILING = 1e4;

    private EvalPlots() {
    }

    /** Writes {@code <device>.png} for every device into {@code dir}; returns the files. */
    public static List<Path> write(CascadeEvaluation.Result result, Path dir) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(dir);
            List<Path> out = new ArrayList<>();
            for (CascadeEvaluation.DeviceResult d : result.devices()) {
                Path file = dir.resolve(d.stream().deviceId() + ".png");
                ChartUtils.saveChartAsPNG(file.toFile(), chart(d), 1600, 1100);
                out.add(file);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plots to " + dir, e);
        }
    }

    static JFreeChart chart(CascadeEvaluation.DeviceResult d) {
        EvalStream s = d.stream();
        NumberAxis seqAxis = new NumberAxis("sample (seq)");
        seqAxis.setAutoRangeIncludesZero(false);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(seqAxis);
        plot.setGap(8);
        plot.add(signals(s), 3);
        plot.add(tinyScores(d), 2);
        plot.add(largeScores(d), 2);
        plot.add(decisions(d), 2);
        CascadeEvaluation.ModeRun collab = d.modes().get(CascadeEvaluation.Mode.COLLABORATIVE);
        String title = String.format(java.util.Locale.ROOT, "%s: F1 edge %.3f / cloud %.3f / collaborative %.3f, escalated %.1f%%",
                s.deviceId(), d.modes().get(CascadeEvaluation.Mode.EDGE).confusion().f1(),
                d.modes().get(CascadeEvaluation.Mode.CLOUD).confusion().f1(), collab.confusion().f1(),
                collab.windows() == 0 ? 0 : 100.0 * collab.escalations() / collab.windows());
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static XYPlot signals(EvalStream s) {
        double[][] rows = s.commissioningRows();
        int channels = s.channels();
        double[] mean = new double[channels];
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            double sum = 0, ss = 0;
            for (double[] r : rows) {
                sum += r[c];
            }
            mean[c] = sum / rows.length;
            for (double[] r : rows) {
                ss += (r[c] - mean[c]) * (r[c] - mean[c]);
            }
            std[c] = Math.max(Math.sqrt(ss / rows.length), 1e-9 * Math.max(1, Math.abs(mean[c])));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        for (int c = 0; c < channels; c++) {
            XYSeries series = new XYSeries(c < s.channelNames().size() ? s.channelNames().get(c) : "ch" + c, false, true);
            for (Sample x : s.commissioning()) {
                series.add(x.seq(), clip((x.value(c) - mean[c]) / std[c]), false);
            }
            for (Sample x : s.test()) {
                series.add(x.seq(), clip((x.value(c) - mean[c]) / std[c]), false);
            }
            data.addSeries(series);
        }
        NumberAxis axis = new NumberAxis("signal (z vs commissioning)");
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int c = 0; c < channels; c++) {
            r.setSeriesStroke(c, new BasicStroke(0.8f));
        }
        XYPlot p = new XYPlot(data, null, axis, r);
        ValueMarker test = new ValueMarker(s.firstTestSeq(), Color.DARK_GRAY, new BasicStroke(1.5f));
        test.setLabel("test starts");
        test.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        test.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        p.addDomainMarker(test);
        return p;
    }

    private static double clip(double z) {
        return Math.max(-30, Math.min(30, z));
    }

    private static double clipScore(double v) {
        return Math.max(FLOOR, Math.min(CEILING, v));
    }

    private static XYPlot tinyScores(CascadeEvaluation.DeviceResult d) {
        EvalStream s = d.stream();
        CascadeEvaluation.ModeRun collab = d.modes().get(CascadeEvaluation.Mode.COLLABORATIVE);
        XYSeries score = new XYSeries("tiny score (edge runtime)", false, true);
        XYSeries esc = new XYSeries("escalated (collaborative)", false, true);
        for (int i = 0; i < s.test().size(); i++) {
            long seq = s.test().get(i).seq();
            score.add(seq, clipScore(d.tinyScores()[i]), false);
            if (collab.escalated()[i]) {
                esc.add(seq, clipScore(d.tinyScores()[i]), false);
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(score);
        data.addSeries(esc);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesLinesVisible(0, true);
        r.setSeriesShapesVisible(0, false);
        r.setSeriesPaint(0, new Color(0x1f77b4));
        r.setSeriesLinesVisible(1, false);
        r.setSeriesShapesVisible(1, true);
        r.setSeriesShape(1, new Ellipse2D.Double(-2, -2, 4, 4));
        r.setSeriesPaint(1, new Color(0xff7f0e));
        LogAxis axis = new LogAxis("tiny score");
        axis.setSmallestValue(FLOOR);
        XYPlot p = new XYPlot(data, null, axis, r);
        EscalationPolicy policy = d.tiny().policy();
        p.addRangeMarker(marker(policy.threshold(), Color.RED, "threshold"));
        p.addRangeMarker(marker(policy.lower(), Color.ORANGE, "band"));
        p.addRangeMarker(marker(policy.upper(), Color.ORANGE, ""));
        return p;
    }

    private static XYPlot largeScores(CascadeEvaluation.DeviceResult d) {
        EvalStream s = d.stream();
        double[] large = d.modes().get(CascadeEvaluation.Mode.CLOUD).largeScores();
        XYSeries score = new XYSeries("large score (hub, every window)", false, true);
        for (int i = 0; i < s.test().size(); i++) {
            if (Double.isFinite(large[i])) {
                score.add(s.test().get(i).seq(), clipScore(large[i]), false);
            }
        }
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setSeriesPaint(0, new Color(0x2ca02c));
        LogAxis axis = new LogAxis("large score");
        axis.setSmallestValue(FLOOR);
        XYPlot p = new XYPlot(new XYSeriesCollection(score), null, axis, r);
        p.addRangeMarker(marker(1.0, Color.RED, "threshold"));
        return p;
    }

    private static XYPlot decisions(CascadeEvaluation.DeviceResult d) {
        EvalStream s = d.stream();
        boolean[] labels = s.testLabels();
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(step("label", s, labels, 3));
        data.addSeries(step("edge", s, d.modes().get(CascadeEvaluation.Mode.EDGE).decisions(), 2));
        data.addSeries(step("cloud", s, d.modes().get(CascadeEvaluation.Mode.CLOUD).decisions(), 1));
        data.addSeries(step("collaborative", s, d.modes().get(CascadeEvaluation.Mode.COLLABORATIVE).decisions(), 0));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setSeriesPaint(0, Color.BLACK);
        r.setSeriesPaint(1, new Color(0x1f77b4));
        r.setSeriesPaint(2, new Color(0x2ca02c));
        r.setSeriesPaint(3, new Color(0xd62728));
        NumberAxis axis = new NumberAxis("collab / cloud / edge / label");
        axis.setRange(-0.2, 4.0);
        axis.setTickLabelsVisible(false);
        return new XYPlot(data, null, axis, r);
    }

    private static XYSeries step(String name, EvalStream s, boolean[] flags, int level) {
        XYSeries series = new XYSeries(name, false, true);
        boolean prev = false;
        for (int i = 0; i < flags.length; i++) {
            long seq = s.test().get(i).seq();
            if (i == 0 || flags[i] != prev) {
                if (i > 0) {
                    series.add(seq - 0.5, level + (prev ? 0.8 : 0), false);
                }
                series.add(seq - 0.5, level + (flags[i] ? 0.8 : 0), false);
            }
            prev = flags[i];
        }
        if (flags.length > 0) {
            series.add(s.test().get(flags.length - 1).seq() + 0.5, level + (prev ? 0.8 : 0), false);
        }
        return series;
    }

    private static ValueMarker marker(double value, Color color, String label) {
        ValueMarker m = new ValueMarker(Math.max(FLOOR, value), color, new BasicStroke(1.2f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10, new float[]{6, 4}, 0));
        if (!label.isEmpty()) {
            m.setLabel(label);
            m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        }
        return m;
    }
}
