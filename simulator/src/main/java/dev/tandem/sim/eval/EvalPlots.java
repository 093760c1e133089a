package dev.tandem.sim.eval;

import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.wire.Sample;
import dev.tandem.sim.eval.CascadeEvaluation.Mode;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.XYAnnotation;
import org.jfree.chart.annotations.XYTitleAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepAreaRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code eval --plots DIR} (JFreeChart, rendered headless, 1600 px wide).
 *
 * <p>Per device one picture, {@code <device>.png}: four strips over the same x axis (the row's seq),
 * each with its title: the channels (standardised on the commissioning rows), then one strip per mode
 * (edge, cloud, collaborative) with that mode's score, its threshold, and its alarm episodes as a
 * band along the strip's foot, in the mode's colour. The rows the label calls anomalous are shaded in
 * every strip; the commissioning rows are shaded in the channels' strip. One legend below, no label
 * drawn over the data.
 *
 * <p>And {@code summary.png}: F1 and false-alarm rate (and missed-alarm rate where every row has it)
 * of the three modes beside the published detectors measured on the same files.
 */
public final class EvalPlots {
    public static final int WIDTH = 1600;
    public static final int DEVICE_HEIGHT = 1300;
    public static final int SUMMARY_HEIGHT = 900;
    public static final String SUMMARY_FILE = "summary.png";

    /** Colour-blind safe (Okabe-Ito), one per mode; published detectors in greys. */
    public static final Map<Mode, Color> MODE_COLORS = Map.of(
            Mode.EDGE, new Color(0x0072B2), Mode.CLOUD, new Color(0xD55E00), Mode.COLLABORATIVE, new Color(0x009E73));
    /** Paul Tol's muted palette, for the channels. */
    private static final Color[] CHANNEL_COLORS = {new Color(0x332288), new Color(0x88CCEE), new Color(0x44AA99),
            new Color(0x117733), new Color(0x999933), new Color(0xDDCC77), new Color(0xCC6677), new Color(0x882255),
            new Color(0xAA4499), new Color(0x6699CC)};
    private static final Color LABEL_SHADE = new Color(0, 0, 0, 28);
    private static final Color COMMISSIONING_SHADE = new Color(0x88, 0xCC, 0xEE, 40);
    private static final Color PUBLISHED = new Color(0x8C8C8C);

    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 22);
    private static final Font STRIP_TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font AXIS_LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
    private static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 14);

    private static final double FLOOR = 1e-3;
    private static final double CEILING = 1e4;
    private static final double Z_CLIP = 12;
    /** The alarm band's height, as a share of its strip. */
    private static final double BAND = 0.09;

    private EvalPlots() {
    }

    /** Writes {@code <device>.png} for every device into {@code dir}; returns the files. */
    public static List<Path> write(CascadeEvaluation.Result result, Path dir) {
        return write(result, List.of(), null, dir);
    }

    /**
     * Writes {@code <device>.png} for every device and, when {@code summaryTitle} is not null,
     * {@link #SUMMARY_FILE} with {@code published} beside the modes; returns the files.
     */
    public static List<Path> write(CascadeEvaluation.Result result, List<PublishedDetectors.Row> published,
                                   String summaryTitle, Path dir) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(dir);
            List<Path> out = new ArrayList<>();
            for (CascadeEvaluation.DeviceResult d : result.devices()) {
                Path file = dir.resolve(d.stream().deviceId() + ".png");
                ChartUtils.saveChartAsPNG(file.toFile(), chart(d), WIDTH, DEVICE_HEIGHT);
                out.add(file);
            }
            if (summaryTitle != null) {
                Path file = dir.resolve(SUMMARY_FILE);
                ChartUtils.saveChartAsPNG(file.toFile(), summary(result, published, summaryTitle), WIDTH, SUMMARY_HEIGHT);
                out.add(file);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plots to " + dir, e);
        }
    }

    // ---------------------------------------------------------------- per device

    static JFreeChart chart(CascadeEvaluation.DeviceResult d) {
        EvalStream s = d.stream();
        NumberAxis seqAxis = new NumberAxis("row (seq): commissioning, then the scored test rows");
        seqAxis.setAutoRangeIncludesZero(false);
        seqAxis.setLowerMargin(0.005);
        seqAxis.setUpperMargin(0.005);
        style(seqAxis);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(seqAxis);
        plot.setGap(14);
        List<Range> labelRuns = runs(s, s.testLabels());
        plot.add(signals(s, labelRuns), 4);
        EscalationPolicy policy = d.tiny().policy();
        plot.add(modeStrip(d, Mode.EDGE, "Edge: the tiny model decides every window",
                "tiny score", d.tinyScores(), "edge threshold", policy.threshold(), labelRuns), 2);
        plot.add(modeStrip(d, Mode.CLOUD, "Cloud: every window escalated, the hub's large model decides",
                "large score", d.modes().get(Mode.CLOUD).largeScores(), "cloud threshold (1.0)", 1.0, labelRuns), 2);
        plot.add(modeStrip(d, Mode.COLLABORATIVE,
                "Collaborative: the tiny model decides, its uncertain band goes to the hub", "tiny score",
                d.tinyScores(), null, Double.NaN, labelRuns), 2);
        CascadeEvaluation.ModeRun collab = d.modes().get(Mode.COLLABORATIVE);
        String title = String.format(Locale.ROOT, "%s  -  F1 edge %.3f, cloud %.3f, collaborative %.3f  (%.1f%% of windows escalated)",
                s.deviceId(), d.modes().get(Mode.EDGE).confusion().f1(), d.modes().get(Mode.CLOUD).confusion().f1(),
                collab.confusion().f1(), collab.windows() == 0 ? 0 : 100.0 * collab.escalations() / collab.windows());
        plot.setFixedLegendItems(legend(plot));
        JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
        finish(chart);
        return chart;
    }

    private record Range(double from, double to) {
    }

    /** The runs of true flags, as seq ranges (each row covers seq - 0.5 .. seq + 0.5). */
    private static List<Range> runs(EvalStream s, boolean[] flags) {
        List<Range> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= flags.length; i++) {
            boolean on = i < flags.length && flags[i];
            if (on && start < 0) {
                start = i;
            } else if (!on && start >= 0) {
                out.add(new Range(s.test().get(start).seq() - 0.5, s.test().get(i - 1).seq() + 0.5));
                start = -1;
            }
        }
        return out;
    }

    private static void shadeLabel(XYPlot p, List<Range> labelRuns) {
        for (Range r : labelRuns) {
            p.addDomainMarker(new IntervalMarker(r.from(), r.to(), LABEL_SHADE, new BasicStroke(0f), null, null, 1f),
                    Layer.BACKGROUND);
        }
    }

    private static XYPlot signals(EvalStream s, List<Range> labelRuns) {
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
        NumberAxis axis = new NumberAxis("z (clipped at \u00b1" + (int) Z_CLIP + ")");
        style(axis);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int c = 0; c < channels; c++) {
            r.setSeriesStroke(c, new BasicStroke(1.1f));
            r.setSeriesPaint(c, CHANNEL_COLORS[c % CHANNEL_COLORS.length]);
        }
        XYPlot p = new XYPlot(data, null, axis, r);
        basePlot(p);
        double commissioningFrom = s.commissioning().get(0).seq() - 0.5;
        p.addDomainMarker(new IntervalMarker(commissioningFrom, s.firstTestSeq() - 0.5, COMMISSIONING_SHADE,
                new BasicStroke(0f), null, null, 1f), Layer.BACKGROUND);
        shadeLabel(p, labelRuns);
        title(p, "Channels, standardised on the commissioning rows");
        return p;
    }

    private static double clip(double z) {
        return Math.max(-Z_CLIP, Math.min(Z_CLIP, z));
    }

    private static double clipScore(double v) {
        return Math.max(FLOOR, Math.min(CEILING, v));
    }

    /**
     * One mode's strip: its score (log axis), its threshold (or, collaborative, the uncertain band and
     * the escalated windows), the label shaded, and the mode's alarm episodes as a band at the foot.
     */
    private static XYPlot modeStrip(CascadeEvaluation.DeviceResult d, Mode mode, String title, String scoreName,
                                    double[] scores, String thresholdName, double threshold, List<Range> labelRuns) {
        EvalStream s = d.stream();
        Color color = MODE_COLORS.get(mode);
        CascadeEvaluation.ModeRun run = d.modes().get(mode);
        String key = mode.key();
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries score = new XYSeries(key + ": " + scoreName, false, true);
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (int i = 0; i < s.test().size(); i++) {
            if (Double.isFinite(scores[i])) {
                double v = clipScore(scores[i]);
                score.add(s.test().get(i).seq(), v, false);
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        data.addSeries(score);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setSeriesPaint(0, color);
        r.setSeriesStroke(0, new BasicStroke(1.3f));
        double firstX = s.firstTestSeq() - 0.5;
        double lastX = s.test().isEmpty() ? firstX + 1 : s.test().get(s.test().size() - 1).seq() + 0.5;
        Stroke dashed = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[]{8, 5}, 0);
        if (thresholdName != null) {
            XYSeries t = new XYSeries(thresholdName, false, true);
            t.add(firstX, clipScore(threshold), false);
            t.add(lastX, clipScore(threshold), false);
            data.addSeries(t);
            r.setSeriesPaint(1, Color.BLACK);
            r.setSeriesStroke(1, dashed);
            lo = Math.min(lo, clipScore(threshold));
            hi = Math.max(hi, clipScore(threshold));
        } else {
            EscalationPolicy policy = d.tiny().policy();
            XYSeries band = new XYSeries("collaborative: uncertain band (escalated)", false, true);
            band.add(firstX, clipScore(policy.lower()), false);
            band.add(lastX, clipScore(policy.lower()), false);
            band.add(lastX, Double.NaN, false);
            band.add(firstX, clipScore(policy.upper()), false);
            band.add(lastX, clipScore(policy.upper()), false);
            data.addSeries(band);
            r.setSeriesPaint(1, Color.BLACK);
            r.setSeriesStroke(1, dashed);
            XYSeries esc = new XYSeries("collaborative: window escalated to the hub", false, true);
            for (int i = 0; i < s.test().size(); i++) {
                if (run.escalated()[i] && Double.isFinite(scores[i])) {
                    esc.add(s.test().get(i).seq(), clipScore(scores[i]), false);
                }
            }
            data.addSeries(esc);
            r.setSeriesLinesVisible(2, false);
            r.setSeriesShapesVisible(2, true);
            r.setSeriesShape(2, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
            r.setSeriesPaint(2, Color.BLACK);
            lo = Math.min(lo, clipScore(policy.lower()));
            hi = Math.max(hi, clipScore(policy.upper()));
        }
        if (!(hi > 0)) {
            lo = 0.1;
            hi = 10;
        }
        LogAxis axis = new LogAxis(scoreName + " (log)");
        axis.setSmallestValue(FLOOR);
        axis.setAutoRange(false);
        // room at the foot for the alarm band, so that it does not hide the score
        double span = Math.log10(hi * 2) - Math.log10(lo / 1.5);
        axis.setRange(Math.pow(10, Math.log10(lo / 1.5) - span * BAND / (1 - BAND) * 1.3), hi * 2);
        style(axis);
        XYPlot p = new XYPlot(data, null, axis, r);
        basePlot(p);
        shadeLabel(p, labelRuns);

        // the alarm episodes: a step area on a hidden 0..1 axis, along the strip's foot
        XYSeries alarms = new XYSeries(key + ": alarm held", false, true);
        boolean[] held = run.held();
        boolean prev = false;
        for (int i = 0; i < held.length; i++) {
            if (i == 0 || held[i] != prev) {
                alarms.add(s.test().get(i).seq() - 0.5, held[i] ? BAND : 0, false);
            }
            prev = held[i];
        }
        if (held.length > 0) {
            alarms.add(lastX, prev ? BAND : 0, false);
        }
        NumberAxis bandAxis = new NumberAxis();
        bandAxis.setRange(0, 1);
        bandAxis.setVisible(false);
        p.setRangeAxis(1, bandAxis);
        p.setDataset(1, new XYSeriesCollection(alarms));
        p.mapDatasetToRangeAxis(1, 1);
        XYStepAreaRenderer band = new XYStepAreaRenderer(XYStepAreaRenderer.AREA);
        band.setSeriesPaint(0, color);
        band.setShapesVisible(false);
        band.setOutline(false);
        p.setRenderer(1, band);
        p.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        int episodes = episodes(run);
        title(p, title + String.format(Locale.ROOT, "  (F1 %.3f, FAR %.1f%%, %d alarm episode%s)",
                run.confusion().f1(), 100 * run.confusion().far(), episodes, episodes == 1 ? "" : "s"));
        return p;
    }

    private static int episodes(CascadeEvaluation.ModeRun run) {
        int n = 0;
        for (boolean o : run.onsets()) {
            n += o ? 1 : 0;
        }
        return n;
    }

    private static void basePlot(XYPlot p) {
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(new Color(0xDDDDDD));
        p.setRangeGridlinePaint(new Color(0xDDDDDD));
        p.setOutlinePaint(new Color(0x999999));
        p.setInsets(new RectangleInsets(4, 4, 4, 12));
    }

    /** A strip's title: top left inside the strip, on white, above the data. */
    private static void title(XYPlot p, String text) {
        TextTitle t = new TextTitle(text, STRIP_TITLE);
        t.setBackgroundPaint(new Color(255, 255, 255, 225));
        t.setPadding(new RectangleInsets(2, 6, 2, 6));
        XYTitleAnnotation a = new XYTitleAnnotation(0.003, 0.995, t, RectangleAnchor.TOP_LEFT);
        p.addAnnotation(a);
        // headroom, so that the title does not sit on the data
        if (p.getRangeAxis() instanceof NumberAxis n && !(p.getRangeAxis() instanceof LogAxis)) {
            n.setUpperMargin(0.22);
        }
    }

    /** The titles of a chart's strips, top to bottom (for tests). */
    public static List<String> stripTitles(JFreeChart chart) {
        List<String> out = new ArrayList<>();
        Plot plot = chart.getPlot();
        if (plot instanceof CombinedDomainXYPlot c) {
            for (XYPlot p : c.getSubplots()) {
                for (XYAnnotation a : p.getAnnotations()) {
                    if (a instanceof XYTitleAnnotation t && t.getTitle() instanceof TextTitle tt) {
                        out.add(tt.getText());
                    }
                }
            }
        } else if (plot instanceof CombinedDomainCategoryPlot c) {
            for (Object p : c.getSubplots()) {
                out.add(((CategoryPlot) p).getRangeAxis().getLabel());
            }
        }
        return out;
    }

    /** The subplots' legend items, each label once, then the shadings (which are markers, not series). */
    private static LegendItemCollection legend(CombinedDomainXYPlot plot) {
        LegendItemCollection out = new LegendItemCollection();
        Set<String> seen = new LinkedHashSet<>();
        for (XYPlot p : plot.getSubplots()) {
            for (int i = 0; i < p.getDatasetCount(); i++) {
                if (p.getRenderer(i) == null) {
                    continue;
                }
                LegendItemCollection items = p.getRenderer(i).getLegendItems();
                for (int k = 0; k < items.getItemCount(); k++) {
                    LegendItem item = items.get(k);
                    if (seen.add(item.getLabel())) {
                        out.add(item);
                    }
                }
            }
        }
        out.add(box("label: anomalous rows", new Color(0, 0, 0, 60)));
        out.add(box("commissioning rows (fit the models)", new Color(0x88, 0xCC, 0xEE, 110)));
        return out;
    }

    private static LegendItem box(String label, Paint paint) {
        LegendItem item = new LegendItem(label, paint);
        item.setShape(new Rectangle(-7, -7, 14, 14));
        return item;
    }

    private static void style(org.jfree.chart.axis.Axis axis) {
        axis.setLabelFont(AXIS_LABEL);
        axis.setTickLabelFont(TICKS);
    }

    private static void finish(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(6, 8, 6, 8));
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setItemFont(LEGEND);
            legend.setPosition(RectangleEdge.BOTTOM);
            legend.setFrame(BlockBorder.NONE);
            legend.setItemLabelPadding(new RectangleInsets(2, 4, 2, 14));
        }
    }

    // ---------------------------------------------------------------- summary

    /** The modes beside the published detectors: F1, FAR and (where every row has it) MAR, one panel each. */
    static JFreeChart summary(CascadeEvaluation.Result result, List<PublishedDetectors.Row> published, String title) {
        List<String> names = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        for (Mode m : Mode.values()) {
            CascadeEvaluation.ModeTotals t = result.modes().get(m);
            if (t == null) {
                continue;
            }
            names.add(String.format(Locale.ROOT, "Tandem %s (%.1f%% escalated)", m.key(), 100 * safe(t.escalationRate())));
            values.add(new double[]{t.confusion().f1(), t.confusion().far(), t.confusion().mar()});
            colors.add(MODE_COLORS.get(m));
        }
        for (PublishedDetectors.Row r : published) {
            names.add(r.detector() + " (published)");
            values.add(new double[]{r.f1(), r.far(), r.mar()});
            colors.add(PUBLISHED);
        }
        boolean withMar = values.stream().allMatch(v -> Double.isFinite(v[2]));
        String[] panels = withMar
                ? new String[]{"F1 (higher is better)", "false-alarm rate (lower is better)", "missed-alarm rate (lower is better)"}
                : new String[]{"F1 (higher is better)", "false-alarm rate (lower is better)"};
        CategoryAxis categories = new CategoryAxis();
        categories.setTickLabelFont(LEGEND);
        categories.setMaximumCategoryLabelWidthRatio(0.45f);
        categories.setCategoryMargin(0.25);
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(categories);
        plot.setGap(24);
        for (int k = 0; k < panels.length; k++) {
            DefaultCategoryDataset data = new DefaultCategoryDataset();
            for (int i = 0; i < names.size(); i++) {
                double v = values.get(i)[k];
                data.addValue(Double.isFinite(v) ? v : null, panels[k], names.get(i));
            }
            NumberAxis axis = new NumberAxis(panels[k]);
            axis.setRange(0, 1.16);
            style(axis);
            if (k > 0) {
                axis.setNumberFormatOverride(new DecimalFormat("0%"));
            }
            BarRenderer r = new BarRenderer() {
                @Override
                public Paint getItemPaint(int row, int column) {
                    return colors.get(column);
                }
            };
            r.setBarPainter(new StandardBarPainter());
            r.setShadowVisible(false);
            r.setDrawBarOutline(false);
            r.setMaximumBarWidth(0.8);
            r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
                    k == 0 ? new DecimalFormat("0.000") : new DecimalFormat("0.0%")));
            r.setDefaultItemLabelsVisible(true);
            r.setDefaultItemLabelFont(TICKS);
            r.setDefaultPositiveItemLabelPosition(new org.jfree.chart.labels.ItemLabelPosition(
                    org.jfree.chart.labels.ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
            r.setItemLabelAnchorOffset(4);
            CategoryPlot p = new CategoryPlot(data, null, axis, r);
            p.setBackgroundPaint(Color.WHITE);
            p.setRangeGridlinePaint(new Color(0xDDDDDD));
            p.setOutlinePaint(new Color(0x999999));
            plot.add(p, 1);
        }
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
        LegendItemCollection legend = new LegendItemCollection();
        for (Mode m : Mode.values()) {
            legend.add(box("Tandem " + m.key(), MODE_COLORS.get(m)));
        }
        if (!published.isEmpty()) {
            legend.add(box("published detector, same files and protocol", PUBLISHED));
        }
        plot.setFixedLegendItems(legend);
        finish(chart);
        return chart;
    }

    private static double safe(double v) {
        return Double.isFinite(v) ? v : 0;
    }
}
