package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The NAB loader on small files written here (never on ../shared). */
class NabDatasetTest {
    @TempDir
    Path dir;

    private static NabSeries parse(String text) throws Exception {
        return NabCsv.parse(new BufferedReader(new StringReader(text)), "f.csv");
    }

    private static TandemException refused(String text) {
        return assertThrows(TandemException.class, () -> parse(text));
    }

    /** rows stamped every 5 minutes from 2015-01-01 00:00:00. */
    static String series(int rows, double base) {
        StringBuilder b = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < rows; i++) {
            b.append(String.format(java.util.Locale.ROOT, "2015-01-%02d %02d:%02d:00,%s%n", 1 + i / 288, (i % 288) / 12,
                    (i % 12) * 5, base + i % 7));
        }
        return b.toString();
    }

    @Test
    void aDataFileReadsTimestampsVerbatimAsUtcAndValuesInOrder() throws Exception {
        NabSeries s = parse("timestamp,value\n2015-01-01 00:00:00,1.5\n\n2015-01-01 00:05:00,-2\n");
        assertEquals(2, s.rows());
        assertEquals(List.of("2015-01-01 00:00:00", "2015-01-01 00:05:00"), s.timestamps());
        assertEquals(1420070400000L, s.millis(0));
        assertEquals(300_000L, s.millis(1) - s.millis(0));
        assertArrayEquals(new double[]{1.5, -2}, s.values());
        assertArrayEquals(new int[]{2, 4}, s.lines());
        // columns in any order and case
        assertEquals(3.0, parse("Value,Timestamp\n3,2015-01-01 00:00:00\n").value(0));
    }

    @Test
    void repeatedTimestampsAreKeptInFileOrderAndAWindowBoundIsTheFirstRowOfItsTime() throws Exception {
        NabSeries s = parse("timestamp,value\n2015-01-01 00:00:00,1\n2015-01-01 00:05:00,2\n"
                + "2015-01-01 00:05:00,3\n2015-01-01 00:10:00,4\n");
        assertEquals(4, s.rows());
        assertArrayEquals(new double[]{1, 2, 3, 4}, s.values());
        assertEquals(1, s.firstRowAt(s.millis(2)));
        assertEquals(3, s.firstRowAt(s.millis(3)));
        assertEquals(-1, s.firstRowAt(s.millis(3) + 1));
    }

    @Test
    void badRowsFailTheFileNamingFileAndLine() {
        TandemException e = refused("timestamp,value\n2015-01-01 00:00:00,1\n2015-01-01 00:05:00,abc\n");
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, e.code());
        assertTrue(e.getMessage().startsWith("f.csv:3: "), e.getMessage());
        assertEquals(ErrorCode.NON_FINITE_VALUE, refused("timestamp,value\n2015-01-01 00:00:00,NaN\n").code());
        assertEquals(ErrorCode.NON_FINITE_VALUE, refused("timestamp,value\n2015-01-01 00:00:00,Infinity\n").code());
        TandemException back = refused("timestamp,value\n2015-01-01 00:05:00,1\n2015-01-01 00:00:00,2\n");
        assertEquals(ErrorCode.INVALID_FIELD, back.code());
        assertTrue(back.getMessage().startsWith("f.csv:3: ") && back.getMessage().contains("line 2"), back.getMessage());
        TandemException column = refused("timestamp,reading\n2015-01-01 00:00:00,1\n");
        assertTrue(column.getMessage().startsWith("f.csv:1: ") && column.getMessage().contains("value"));
        assertTrue(refused("timestamp,value\n2015-01-01,1\n").getMessage().startsWith("f.csv:2: "));
        assertTrue(refused("timestamp,value\n2015-01-01 00:00:00,1,2\n").getMessage().startsWith("f.csv:2: "));
        assertTrue(refused("timestamp,value\n").getMessage().contains("no data row"));
        assertTrue(refused("").getMessage().contains("empty"));
    }

    @Test
    void labelsParseWithTheirLinesAndRefuseWhatIsNotAWindowList() throws Exception {
        NabLabels l = NabLabels.parse(new StringReader("{\n \"a/x.csv\": [\n  [\"2015-01-01 00:10:00.000000\",\n"
                + "   \"2015-01-01 00:20:00.000000\"]\n ],\n \"a/y.csv\": []\n}\n"), "w.json");
        assertEquals(List.of("a/x.csv", "a/y.csv"), List.copyOf(l.files().keySet()));
        NabLabels.Entry e = l.files().get("a/x.csv").windows().get(0);
        assertEquals(3, e.line());
        assertEquals(600_000, e.endMillis() - e.startMillis());
        TandemException notJson = assertThrows(TandemException.class,
                () -> NabLabels.parse(new StringReader("{\n \"a\": [[\"2015-01-01 00:00:00\" \"x\"]]\n}"), "w.json"));
        assertTrue(notJson.getMessage().startsWith("w.json:2:"), notJson.getMessage());
        TandemException reversed = assertThrows(TandemException.class, () -> NabLabels.parse(new StringReader(
                "{\"a\": [[\"2015-01-02 00:00:00\", \"2015-01-01 00:00:00\"]]}"), "w.json"));
        assertEquals(ErrorCode.INVALID_FIELD, reversed.code());
        assertThrows(TandemException.class, () -> NabLabels.parse(new StringReader("{\"a\": [[\"2015-01-01 00:00:00\"]]}"), "w.json"));
        assertThrows(TandemException.class, () -> NabLabels.parse(new StringReader("{\"a\": [], \"a\": []}"), "w.json"));
        assertThrows(TandemException.class, () -> NabLabels.parse(new StringReader("[]"), "w.json"));
        assertThrows(TandemException.class, () -> NabLabels.parse(new StringReader(
                "{\"a\": [[\"2015-01-01 00:00:00\", \"2015-01-01 01:00:00\"], [\"2015-01-01 00:30:00\", "
                        + "\"2015-01-01 02:00:00\"]]}"), "w.json"));
    }

    @Test
    void aCorpusFolderLoadsItsGoodFilesAndListsEveryProblemWithFileAndLine() throws Exception {
        Files.createDirectories(dir.resolve("data/cat"));
        Files.createDirectories(dir.resolve("labels"));
        Files.writeString(dir.resolve("data/cat/good.csv"), series(200, 10));
        Files.writeString(dir.resolve("data/cat/bad.csv"), "timestamp,value\n2015-01-01 00:00:00,1\n2015-01-01 00:05:00,\n");
        Files.writeString(dir.resolve("data/cat/unlabelled.csv"), series(50, 0));
        Files.writeString(dir.resolve("data/cat/offgrid.csv"), series(50, 0));
        Files.writeString(dir.resolve("data/ignored.txt"), "not a csv");
        Files.writeString(dir.resolve(NabDataset.LABELS), """
                {
                  "cat/good.csv": [["2015-01-01 10:00:00.000000", "2015-01-01 11:00:00.000000"]],
                  "cat/bad.csv": [],
                  "cat/offgrid.csv": [["2015-01-01 01:02:00.000000", "2015-01-01 02:00:00.000000"]],
                  "cat/absent.csv": []
                }
                """);
        NabDataset d = NabDataset.load(dir);
        assertEquals(1, d.files().size());
        NabFile good = d.files().get(0);
        assertEquals("cat/good.csv", good.key());
        assertEquals("cat_good", good.deviceId());
        assertEquals(200, good.rows());
        assertEquals(30, good.probationaryRows());
        assertEquals(List.of(new NabWindow(120, 132, "2015-01-01 10:00:00.000000", "2015-01-01 11:00:00.000000")),
                good.windows());
        assertEquals(13, java.util.stream.IntStream.range(0, 200).filter(i -> good.labels()[i]).count());
        List<String> problems = d.problems().stream().map(NabProblem::toString).toList();
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("data/cat/bad.csv:3: ") && p.contains("MALFORMED_PAYLOAD")),
                problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("has no entry 'cat/unlabelled.csv'")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("labels/combined_windows.json:4: window start 2015-01-01 01:02:00")
                && p.contains("no row's timestamp")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("labels/combined_windows.json:5: labels 'cat/absent.csv'")),
                problems.toString());
        List<?> samples = good.samples(0, good.probationaryRows());
        assertEquals(30, samples.size());
    }

    @Test
    void aFolderWithoutDataOrLabelsIsAUsageError() throws Exception {
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, () -> NabDataset.load(dir)).code());
        Files.createDirectories(dir.resolve("data"));
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, () -> NabDataset.load(dir)).code());
    }
}
