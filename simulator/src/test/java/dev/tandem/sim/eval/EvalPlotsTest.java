package dev.tandem.sim.eval;

import dev.tandem.hub.fit.FitSettings;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pictures of {@code eval --plots}: files, sizes, strip titles, legend (on the simulator, never on ../shared). */
class EvalPlotsTest {
    private static CascadeEvaluation.Result result;

    @BeforeAll
    static void evaluate() {
        result = CascadeEvaluation.run(SimScenario.streams(11, 2, 600), FitSettings.defaults(),
                CascadeEvaluation.Progress.NONE);
    }

    @Test
    void write_onePicturePerDevice_andTheSummary_at1600px(@TempDir Path dir) throws Exception {
        List<PublishedDetectors.Row> published = PublishedDetectors.VALVE1.results();
        List<Path> files = EvalPlots.write(result, published, "a summary", dir);
        assertEquals(result.devices().size() + 1, files.size());
        for (CascadeEvaluation.DeviceResult d : result.devices()) {
            Path png = dir.resolve(d.stream().deviceId() + ".png");
            assertTrue(files.contains(png), png.toString());
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(EvalPlots.WIDTH, img.getWidth());
            assertEquals(EvalPlots.DEVICE_HEIGHT, img.getHeight());
            assertTrue(Files.size(png) > 20_000, "a picture, not a blank: " + Files.size(png) + " bytes");
        }
        BufferedImage summary = ImageIO.read(dir.resolve(EvalPlots.SUMMARY_FILE).toFile());
        assertEquals(EvalPlots.WIDTH, summary.getWidth());
        assertEquals(EvalPlots.SUMMARY_HEIGHT, summary.getHeight());
        // without a summary title: the device pictures only
        Path only = dir.resolve("only");
        assertEquals(result.devices().size(), EvalPlots.write(result, only).size());
        assertTrue(Files.notExists(only.resolve(EvalPlots.SUMMARY_FILE)));
    }

    @Test
    void deviceChart_hasATitledStripForTheChannelsAndForEachMode_andOneLegendEntryPerThing() {
        JFreeChart chart = EvalPlots.chart(result.devices().get(0));
        List<String> titles = EvalPlots.stripTitles(chart);
        assertEquals(4, titles.size(), titles.toString());
        assertTrue(titles.get(0).startsWith("Channels"), titles.get(0));
        assertTrue(titles.get(1).startsWith("Edge:"), titles.get(1));
        assertTrue(titles.get(2).startsWith("Cloud:"), titles.get(2));
        assertTrue(titles.get(3).startsWith("Collaborative:"), titles.get(3));
        assertTrue(titles.get(1).contains("F1 "), titles.get(1));
        LegendItemCollection legend = chart.getPlot().getLegendItems();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < legend.getItemCount(); i++) {
            labels.add(legend.get(i).getLabel());
        }
        assertEquals(labels.size(), labels.stream().distinct().count(), "no label twice: " + labels);
        for (String mode : List.of("edge", "cloud", "collaborative")) {
            assertTrue(labels.contains(mode + ": alarm held"), labels.toString());
        }
        assertTrue(labels.contains("edge threshold") && labels.contains("cloud threshold (1.0)"), labels.toString());
        assertTrue(labels.contains("label: anomalous rows"), labels.toString());
        assertTrue(labels.containsAll(result.devices().get(0).stream().channelNames()), labels.toString());
        // each mode in its own colour
        assertEquals(3, EvalPlots.MODE_COLORS.values().stream().distinct().count());
    }

    @Test
    void summary_comparesTheModesWithThePublishedDetectors() {
        JFreeChart withMar = EvalPlots.summary(result, PublishedDetectors.VALVE1.results(), "t");
        assertEquals(List.of("F1 (higher is better)", "false-alarm rate (lower is better)",
                "missed-alarm rate (lower is better)"), EvalPlots.stripTitles(withMar));
        // the all-26 table has no MAR: its panel is left out rather than drawn empty
        JFreeChart noMar = EvalPlots.summary(result, PublishedDetectors.ALL26.results(), "t");
        assertEquals(2, EvalPlots.stripTitles(noMar).size());
        var plot = (org.jfree.chart.plot.CombinedDomainCategoryPlot) noMar.getPlot();
        var data = ((org.jfree.chart.plot.CategoryPlot) plot.getSubplots().get(0)).getDataset();
        assertEquals(3 + PublishedDetectors.ALL26.results().size(), data.getColumnCount());
    }
}
