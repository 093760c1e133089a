package dev.tandem.sim.eval;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SkabCsvLoaderTest {
    private static final String HEADER = "datetime;Accelerometer1RMS;Current;Volume Flow RateRMS;anomaly;changepoint";
    private static final String UNLABELLED_HEADER = "datetime;Accelerometer1RMS;Current;Volume Flow RateRMS";
    private static final LocalDateTime T0 = LocalDateTime.parse("2020-03-09T10:14:33");
    private static final DateTimeFormatter FMT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final long T0_MILLIS = Instant.parse("2020-03-09T10:14:33Z").toEpochMilli();

    @TempDir
    Path dir;

    /** A labelled file of {@code n} rows, one per second, anomaly 1.0 on rows [from, to). */
    private static List<String> labelledRows(int n, int from, int to) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (int i = 0; i < n; i++) {
            String flag = i >= from && i < to ? "1.0" : "0.0";
            lines.add(T0.plusSeconds(i).format(FMT) + ";0.02" + i + ";1.3;32.0;" + flag + ";" + (i == from ? "1.0" : "0.0"));
        }
        return lines;
    }

    private Path write(String relative, List<String> lines) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, lines);
        return p;
    }

    @Test
    void load_skabFile_givesChannelsRowsUtcTimestampsAndFloatLabels() throws IOException {
        Path p = write("valve1/0.csv", labelledRows(6, 2, 4));

        SkabFile f = new SkabCsvLoader().load(p, "valve1_0");

        assertEquals("valve1_0", f.deviceId());
        assertEquals(List.of("Accelerometer1RMS", "Current", "Volume Flow RateRMS"), f.channels());
        assertEquals(6, f.rowCount());
        assertArrayEquals(new double[] {0.021, 1.3, 32.0}, f.row(1));
        assertEquals(T0_MILLIS, f.timestamp(0));
        assertEquals(T0_MILLIS + 5000, f.timestamp(5));
        assertTrue(f.labelled());
        assertArrayEquals(new boolean[] {false, false, true, true, false, false}, f.labels());
        assertArrayEquals(new boolean[] {false, false, true, false, false, false}, f.changepoints());
        assertEquals(2, f.anomalousRows());
        assertEquals(0, f.report().gaps());
        assertEquals(0, f.report().skippedRows());
    }

    @Test
    void load_integerLabels_areReadLikeFloatOnes() throws IOException {
        Path p = write("int.csv", List.of(HEADER,
                "2020-03-09 10:14:33;1;2;3;0;0",
                "2020-03-09 10:14:34;1;2;3;1;1"));

        SkabFile f = new SkabCsvLoader().load(p);

        assertArrayEquals(new boolean[] {false, true}, f.labels());
        assertEquals("int", f.deviceId());
    }

    @Test
    void load_fileWithoutLabelColumns_isUnlabelledWithAllColumnsAsChannels() throws IOException {
        Path p = write("anomaly-free/anomaly-free.csv", List.of(UNLABELLED_HEADER,
                "2020-02-08 13:30:47;0.202394;2.16975;122.664",
                "2020-02-08 13:30:48;0.203153;2.07999;122.338"));

        SkabFile f = new SkabCsvLoader().load(p);

        assertFalse(f.labelled());
        assertNull(f.labels());
        assertNull(f.changepoints());
        assertEquals(3, f.channelCount());
        assertEquals(2, f.rowCount());
        assertEquals(0, f.anomalousRows());
        assertThrows(TandemException.class, () -> f.label(0));
    }

    @Test
    void load_gapsInTime_keepsRowsConsecutiveAndReportsThem() throws IOException {
        Path p = write("gaps.csv", List.of(HEADER,
                "2020-03-09 10:14:33;1;2;3;0;0",
                "2020-03-09 10:14:34;1;2;3;0;0",
                "2020-03-09 10:14:36;1;2;3;0;0",   // 2 s step: 1 missing second
                "2020-03-09 10:17:36;1;2;3;0;0",   // 3 min step: 179 missing seconds
                "2020-03-09 10:17:37;1;2;3;0;0",
                "2020-03-09 10:17:37;1;2;3;0;0")); // repeated timestamp

        SkabFile f = new SkabCsvLoader().load(p);

        assertEquals(6, f.rowCount());
        assertEquals(2, f.report().gaps());
        assertEquals(180_000, f.report().largestGapMillis());
        assertEquals(180, f.report().missingSeconds());
        assertEquals(1, f.report().nonIncreasingSteps());
        List<Sample> samples = f.toSamples();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), samples.stream().map(Sample::seq).toList());
        assertEquals(T0_MILLIS + 183_000, samples.get(3).ts());
    }

    @Test
    void toSamples_seqIsRowIndexAndTsIsDatetime() throws IOException {
        SkabFile f = new SkabCsvLoader().load(write("s.csv", labelledRows(3, 0, 0)));

        List<Sample> samples = f.toSamples();

        assertEquals(3, samples.size());
        assertEquals(new Sample(2, T0_MILLIS + 2000, new double[] {0.022, 1.3, 32.0}), samples.get(2));
    }

    @Test
    void load_oneMalformedRow_isSkippedCountedAndReportedWithItsLine() throws IOException {
        List<String> lines = labelledRows(30, 10, 20);
        lines.set(5, "2020-03-09 10:14:37;1;2;3;0.0");          // line 6: a column short
        lines.set(8, "2020-03-09 10:14:40;1;abc;3;0.0;0.0");    // line 9: not a number
        lines.set(12, "2020-03-09 10:14:44;NaN;2;3;1.0;0.0");   // line 13: NaN
        Path p = write("bad.csv", lines);

        SkabFile f = new SkabCsvLoader().load(p);

        assertEquals(27, f.rowCount());
        assertEquals(3, f.report().skippedRows());
        List<RowProblem> problems = f.report().problems();
        assertEquals(List.of(6, 9, 13), problems.stream().map(RowProblem::line).toList());
        assertEquals(List.of(ErrorCode.MALFORMED_PAYLOAD, ErrorCode.MALFORMED_PAYLOAD, ErrorCode.NON_FINITE_VALUE),
                problems.stream().map(RowProblem::code).toList());
        assertTrue(problems.get(0).message().contains("5 columns"), problems.get(0).message());
        assertTrue(problems.get(1).message().contains("abc"), problems.get(1).message());
        // the kept rows stay consecutive; the skipped second shows up as a gap
        assertEquals(26, f.toSamples().get(26).seq());
        assertEquals(3, f.report().gaps());
    }

    @Test
    void load_labelOtherThanZeroOrOne_isAnInvalidField() throws IOException {
        List<String> lines = labelledRows(20, 0, 0);
        lines.set(3, "2020-03-09 10:14:35;1;2;3;2.0;0.0");
        SkabFile f = new SkabCsvLoader().load(write("label.csv", lines));

        assertEquals(ErrorCode.INVALID_FIELD, f.report().problems().get(0).code());
        assertEquals(4, f.report().problems().get(0).line());
    }

    @Test
    void load_malformedRowInFailMode_failsNamingFileAndLine() throws IOException {
        List<String> lines = labelledRows(30, 10, 20);
        lines.set(5, "2020-03-09 10:14:37;1;2;3;0.0");
        Path p = write("strict.csv", lines);

        TandemException e = assertThrows(TandemException.class,
                () -> new SkabCsvLoader(SkabCsvLoader.BadRows.FAIL).load(p));

        assertEquals(ErrorCode.MALFORMED_PAYLOAD, e.code());
        assertTrue(e.getMessage().contains("strict.csv:6:"), e.getMessage());
    }

    @Test
    void load_badDatetime_isMalformed() throws IOException {
        List<String> lines = labelledRows(1, 0, 0);
        lines.add("09/03/2020 10:14:34;1;2;3;0;0");
        Path p = write("date.csv", lines);

        TandemException e = assertThrows(TandemException.class,
                () -> new SkabCsvLoader(SkabCsvLoader.BadRows.FAIL).load(p));

        assertEquals(ErrorCode.MALFORMED_PAYLOAD, e.code());
        assertTrue(e.getMessage().contains("date.csv:3:") && e.getMessage().contains("09/03/2020"), e.getMessage());
    }

    @Test
    void load_manyBadRows_failsTheFileEvenWhenSkipping() throws IOException {
        List<String> lines = labelledRows(20, 0, 0);
        for (int i = 1; i <= 5; i++) {
            lines.set(i, lines.get(i).replace(';', ','));
        }
        Path p = write("commas.csv", lines);

        TandemException e = assertThrows(TandemException.class, () -> new SkabCsvLoader().load(p));

        assertEquals(ErrorCode.MALFORMED_PAYLOAD, e.code());
        assertTrue(e.getMessage().contains("commas.csv") && e.getMessage().contains("5 of 20"), e.getMessage());
    }

    @Test
    void load_wrongHeader_failsTheFile() throws IOException {
        Path commas = write("commas-header.csv", List.of("datetime,a,b", "2020-03-09 10:14:33,1,2"));
        Path noChannels = write("no-channels.csv", List.of("datetime;anomaly", "2020-03-09 10:14:33;0"));
        Path duplicate = write("dup.csv", List.of("datetime;a;A", "2020-03-09 10:14:33;1;2"));
        Path empty = write("empty.csv", List.of());
        Path headerOnly = write("header-only.csv", List.of(HEADER));

        for (Path p : List.of(commas, noChannels, duplicate, empty, headerOnly)) {
            TandemException e = assertThrows(TandemException.class, () -> new SkabCsvLoader().load(p), p.toString());
            assertEquals(ErrorCode.MALFORMED_PAYLOAD, e.code());
            assertTrue(e.getMessage().contains(p.getFileName().toString()), e.getMessage());
        }
    }

    @Test
    void loadFolder_searchesRecursivelyInNaturalOrderWithUniqueSanitizedIds() throws IOException {
        write("valve1/10.csv", labelledRows(3, 1, 2));
        write("valve1/2.csv", labelledRows(4, 1, 2));
        write("anomaly-free/anomaly-free.csv", List.of(UNLABELLED_HEADER, "2020-02-08 13:30:47;1;2;3"));
        write("other dir/a b.csv", labelledRows(2, 0, 0));
        write("a/b.csv", labelledRows(2, 0, 0));
        write("a_b.CSV", labelledRows(2, 0, 0));
        write("valve1/notes.txt", List.of("not data"));

        SkabDataset d = new SkabCsvLoader().loadFolder(dir);

        assertEquals(List.of("a_b", "a_b-2", "anomaly-free_anomaly-free", "other_dir_a_b", "valve1_2", "valve1_10"),
                d.files().stream().map(SkabFile::deviceId).toList());
        assertEquals(4, d.file("valve1_2").rowCount());
        assertEquals(List.of("anomaly-free_anomaly-free"), d.unlabelled().stream().map(SkabFile::deviceId).toList());
        assertEquals(5, d.labelled().size());
        assertEquals(3 + 4 + 1 + 2 + 2 + 2, d.totalRows());
        // loading twice gives the same dataset
        assertEquals(d.files(), SkabDataset.load(dir).files());
    }

    @Test
    void deviceIdFor_longPaths_staysAValidIdOfAtMost64Chars() {
        String id = SkabCsvLoader.deviceIdFor(dir, dir.resolve("x".repeat(50) + "/" + "y".repeat(50) + ".csv"));

        assertTrue(id.length() <= 64 && id.matches("[A-Za-z0-9_.-]+"), id);
    }

    @Test
    void loadFolder_missingPathOrNoCsv_isAConfigError() throws IOException {
        write("only.txt", List.of("x"));

        assertEquals(ErrorCode.INVALID_CONFIG,
                assertThrows(TandemException.class, () -> SkabDataset.load(dir.resolve("nope"))).code());
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, () -> SkabDataset.load(dir)).code());
    }

    @Test
    void loadFolder_singleFile_isADatasetOfOne() throws IOException {
        Path p = write("one/3.csv", labelledRows(2, 0, 1));

        SkabDataset d = SkabDataset.load(p);

        assertEquals(List.of("3"), d.files().stream().map(SkabFile::deviceId).toList());
    }
}
