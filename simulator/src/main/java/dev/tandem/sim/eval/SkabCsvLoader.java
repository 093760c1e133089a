package dev.tandem.sim.eval;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads CSV files in SKAB's format: {@code ;}-separated, one header line, a {@code datetime} column
 * ({@code 2020-03-09 10:14:33}, optional fraction of a second, {@code T} accepted instead of the
 * space; read as UTC so that results do not depend on the machine's zone), numeric channel columns,
 * and optional {@code anomaly} / {@code changepoint} columns holding 0/1 (also written 0.0/1.0).
 * Column names are matched case-insensitively; every other column is a channel, in file order.
 *
 * <p><b>Bad input.</b> The header decides the file: a missing or empty file, no {@code datetime}
 * column, no channel column, an empty or duplicate column name fail the whole file with
 * {@link ErrorCode#MALFORMED_PAYLOAD}. A bad data row is, by default ({@link BadRows#SKIP}), skipped,
 * counted in {@link LoadReport#skippedRows()} and logged once as {@code [CODE] file:line: message};
 * with {@link BadRows#FAIL} the first one fails the file. Codes: wrong column count, a field that is
 * not a number or a datetime, or is empty -> {@link ErrorCode#MALFORMED_PAYLOAD}; NaN or infinite
 * reading -> {@link ErrorCode#NON_FINITE_VALUE}; a label other than 0/1 -> {@link ErrorCode#INVALID_FIELD}.
 * Even when skipping, a file fails ({@code MALFORMED_PAYLOAD}) if it has no valid row or if more than
 * {@link #MAX_BAD_FRACTION} of its data rows (and more than one row) are bad: that is a wrong format,
 * not a glitch. Blank
 * lines are ignored. Every error message names the file and the 1-based line (the header is line 1).
 *
 * <p><b>Time.</b> Gaps (steps longer than 1 s) are kept as they are, the rows staying consecutive,
 * and reported in {@link LoadReport}; so are repeated or backward timestamps.
 *
 * <p><b>Folders.</b> {@link #loadFolder} searches a folder recursively for {@code *.csv} (any case),
 * sorts the files by relative path in natural order ({@code 2.csv} before {@code 10.csv}, ties broken
 * by plain string order) and derives each device id from the relative path without the extension:
 * separators become {@code _}, characters outside {@code [A-Za-z0-9_.-]} become {@code _}, ids longer
 * than 64 characters are shortened, and a clash gets a {@code -2}, {@code -3}... suffix in file order.
 * I/O failures surface as {@link UncheckedIOException}; a path that is not a readable folder or CSV
 * file as {@link ErrorCode#INVALID_CONFIG}.
 */
public final class SkabCsvLoader {
    private static final Logger LOG = LoggerFactory.getLogger(SkabCsvLoader.class);

    /** What to do with a malformed data row. */
    public enum BadRows {
        /** Drop the row, count it and go on (the default). */
        SKIP,
        /** Fail the file on the first malformed row. */
        FAIL
    }

    /** Above this share of bad data rows the file fails even in {@link BadRows#SKIP} mode. */
    public static final double MAX_BAD_FRACTION = 0.10;
    /** How many skipped rows a {@link LoadReport} keeps with their details. */
    public static final int MAX_PROBLEMS_KEPT = 20;
    private static final int MAX_PROBLEMS_LOGGED = 10;
    private static final int MAX_ID_LENGTH = 64;

    private final BadRows badRows;

    public SkabCsvLoader(BadRows badRows) {
        this.badRows = badRows == null ? BadRows.SKIP : badRows;
    }

    /** Skips (and counts) malformed rows. */
    public SkabCsvLoader() {
        this(BadRows.SKIP);
    }

    /** Loads every CSV under {@code root} (or {@code root} itself if it is a file). */
    public SkabDataset loadFolder(Path root) {
        List<Path> files = findCsvFiles(root);
        Path base = Files.isDirectory(root) ? root : root.toAbsolutePath().getParent();
        Set<String> used = new HashSet<>();
        List<SkabFile> loaded = new ArrayList<>(files.size());
        for (Path file : files) {
            String id = uniqueId(deviceIdFor(base, file), used);
            loaded.add(load(file, id));
        }
        return new SkabDataset(root, loaded);
    }

    /** The CSV files under {@code root}, recursively, in the loader's deterministic order. */
    public static List<Path> findCsvFiles(Path root) {
        if (root == null || !Files.exists(root)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "dataset path does not exist: " + root);
        }
        if (Files.isRegularFile(root)) {
            if (!isCsv(root)) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "not a .csv file: " + root);
            }
            return List.of(root);
        }
        List<Path> found;
        try (Stream<Path> walk = Files.walk(root)) {
            found = walk.filter(Files::isRegularFile).filter(SkabCsvLoader::isCsv).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        if (found.isEmpty()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "no .csv file under " + root);
        }
        Comparator<Path> order = Comparator.comparing((Path p) -> relative(root, p), SkabCsvLoader::naturalCompare);
        return found.stream().sorted(order.thenComparing(p -> relative(root, p))).toList();
    }

    private static boolean isCsv(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    /** The device id for {@code file} found under {@code root} (not yet made unique). */
    public static String deviceIdFor(Path root, Path file) {
        String rel = relative(root.toAbsolutePath().normalize(), file.toAbsolutePath().normalize());
        if (rel.toLowerCase(Locale.ROOT).endsWith(".csv")) {
            rel = rel.substring(0, rel.length() - 4);
        }
        String id = rel.replace('/', '_').replaceAll("[^A-Za-z0-9_.-]", "_");
        if (id.isEmpty()) {
            id = "device";
        }
        if (id.length() > MAX_ID_LENGTH) {
            String hash = Integer.toHexString(rel.hashCode());
            id = id.substring(0, MAX_ID_LENGTH - 12) + "-" + hash;
        }
        return id;
    }

    private static String uniqueId(String id, Set<String> used) {
        String candidate = id;
        for (int n = 2; !used.add(candidate); n++) {
            String suffix = "-" + n;
            candidate = (id.length() + suffix.length() > MAX_ID_LENGTH
                    ? id.substring(0, MAX_ID_LENGTH - suffix.length()) : id) + suffix;
        }
        return candidate;
    }

    /** Compares strings with digit runs compared as numbers ("2" < "10"). */
    static int naturalCompare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i), cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int ei = i, ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                String na = stripZeros(a.substring(i, ei)), nb = stripZeros(b.substring(j, ej));
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static String stripZeros(String digits) {
        int k = 0;
        while (k < digits.length() - 1 && digits.charAt(k) == '0') {
            k++;
        }
        return digits.substring(k);
    }

    /** Loads one file as device {@code deviceId}. */
    public SkabFile load(Path file, String deviceId) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(in, file.toString(), file, deviceId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Loads one file, its device id derived from its own name. */
    public SkabFile load(Path file) {
        return load(file, deviceIdFor(file.toAbsolutePath().getParent(), file));
    }

    private SkabFile parse(BufferedReader in, String name, Path source, String deviceId) throws IOException {
        String headerLine = in.readLine();
        int lineNo = 1;
        while (headerLine != null && headerLine.isBlank()) {
            headerLine = in.readLine();
            lineNo++;
        }
        if (headerLine == null) {
            throw malformed(name, lineNo, "empty file, expected a header line");
        }
        Header header = Header.parse(stripBom(headerLine), name, lineNo);

        List<double[]> rows = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        List<Boolean> labels = new ArrayList<>();
        List<Boolean> changes = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        int skipped = 0;
        int dataLines = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            dataLines++;
            try {
                String[] f = split(line);
                if (f.length != header.columns) {
                    throw new TandemException(ErrorCode.MALFORMED_PAYLOAD,
                            f.length + " columns, the header has " + header.columns);
                }
                long ts = parseTime(f[header.datetime]);
                double[] values = new double[header.channels.length];
                for (int c = 0; c < values.length; c++) {
                    values[c] = parseValue(f[header.channels[c]], header.names.get(header.channels[c]));
                }
                Boolean label = header.anomaly < 0 ? null : parseFlag(f[header.anomaly], "anomaly");
                Boolean change = header.changepoint < 0 ? null : parseFlag(f[header.changepoint], "changepoint");
                rows.add(values);
                times.add(ts);
                labels.add(label);
                changes.add(change);
            } catch (TandemException e) {
                String where = name + ":" + lineNo + ": " + e.getMessage();
                if (badRows == BadRows.FAIL) {
                    throw new TandemException(e.code(), where, e);
                }
                skipped++;
                if (problems.size() < MAX_PROBLEMS_KEPT) {
                    problems.add(new RowProblem(lineNo, e.code(), e.getMessage()));
                }
                if (skipped <= MAX_PROBLEMS_LOGGED) {
                    LOG.warn("[{}] {} (row skipped)", e.code(), where);
                }
            }
        }
        if (skipped > MAX_PROBLEMS_LOGGED) {
            LOG.warn("[{}] {}: {} malformed rows skipped in all, {} not logged", problems.get(0).code(), name,
                    skipped, skipped - MAX_PROBLEMS_LOGGED);
        }
        if (rows.isEmpty()) {
            throw malformed(name, lineNo, dataLines == 0 ? "no data rows after the header"
                    : "none of the " + dataLines + " data rows is valid (first: " + problems.get(0) + ")");
        }
        if (skipped > Math.max(1, MAX_BAD_FRACTION * dataLines)) {
            throw malformed(name, problems.get(0).line(), skipped + " of " + dataLines
                    + " data rows are malformed (more than " + (int) (MAX_BAD_FRACTION * 100)
                    + "%), first: " + problems.get(0));
        }

        int n = rows.size();
        double[][] data = rows.toArray(new double[0][]);
        long[] ts = new long[n];
        boolean[] lab = header.anomaly < 0 ? null : new boolean[n];
        boolean[] chg = header.changepoint < 0 ? null : new boolean[n];
        int gaps = 0, backward = 0;
        long largest = 0, missing = 0;
        for (int t = 0; t < n; t++) {
            ts[t] = times.get(t);
            if (lab != null) {
                lab[t] = labels.get(t);
            }
            if (chg != null) {
                chg[t] = changes.get(t);
            }
            if (t > 0) {
                long step = ts[t] - ts[t - 1];
                if (step > 1000) {
                    gaps++;
                    largest = Math.max(largest, step);
                    missing += step / 1000 - 1;
                } else if (step <= 0) {
                    backward++;
                }
            }
        }
        List<String> channelNames = new ArrayList<>();
        for (int c : header.channels) {
            channelNames.add(header.names.get(c));
        }
        LoadReport report = new LoadReport(skipped, problems, gaps, largest, missing, backward);
        return new SkabFile(deviceId, source, channelNames, data, ts, lab, chg, report);
    }

    private static String stripBom(String s) {
        return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }

    private static String[] split(String line) {
        String[] f = line.split(";", -1);
        for (int i = 0; i < f.length; i++) {
            f[i] = unquote(f[i].trim());
        }
        return f;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"'
                ? s.substring(1, s.length() - 1).trim() : s;
    }

    private static long parseTime(String s) {
        if (s.isEmpty()) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, "empty datetime");
        }
        String iso = s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + "T" + s.substring(11).trim() : s;
        try {
            return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD,
                    "datetime '" + clip(s) + "' is not like 2020-03-09 10:14:33");
        }
    }

    private static double parseValue(String s, String column) {
        if (s.isEmpty()) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, "empty value in column '" + column + "'");
        }
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD,
                    "'" + clip(s) + "' in column '" + column + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new TandemException(ErrorCode.NON_FINITE_VALUE,
                    "'" + clip(s) + "' in column '" + column + "' is not finite");
        }
        return v;
    }

    private static boolean parseFlag(String s, String column) {
        double v = parseValue(s, column);
        if (v == 0) {
            return false;
        }
        if (v == 1) {
            return true;
        }
        throw new TandemException(ErrorCode.INVALID_FIELD, column + " must be 0 or 1, got '" + clip(s) + "'");
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static TandemException malformed(String file, int line, String message) {
        return new TandemException(ErrorCode.MALFORMED_PAYLOAD, file + ":" + line + ": " + message);
    }

    /** Column positions found in the header line. */
    private static final class Header {
        final List<String> names;
        final int columns;
        final int datetime;
        final int anomaly;
        final int changepoint;
        final int[] channels;

        private Header(List<String> names, int datetime, int anomaly, int changepoint, int[] channels) {
            this.names = names;
            this.columns = names.size();
            this.datetime = datetime;
            this.anomaly = anomaly;
            this.changepoint = changepoint;
            this.channels = channels;
        }

        static Header parse(String line, String file, int lineNo) {
            List<String> names = List.of(split(line));
            Set<String> seen = new HashSet<>();
            int datetime = -1, anomaly = -1, changepoint = -1;
            List<Integer> channels = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                String key = name.toLowerCase(Locale.ROOT);
                if (name.isEmpty()) {
                    throw malformed(file, lineNo, "header column " + (i + 1) + " has no name: '" + clip(line) + "'");
                }
                if (!seen.add(key)) {
                    throw malformed(file, lineNo, "header names column '" + name + "' twice");
                }
                switch (key) {
                    case "datetime" -> datetime = i;
                    case "anomaly" -> anomaly = i;
                    case "changepoint" -> changepoint = i;
                    default -> channels.add(i);
                }
            }
            if (datetime < 0) {
                throw malformed(file, lineNo, "header has no 'datetime' column (is the file ';'-separated?): '"
                        + clip(line) + "'");
            }
            if (channels.isEmpty()) {
                throw malformed(file, lineNo, "header has no channel column besides datetime/anomaly/changepoint");
            }
            return new Header(names, datetime, anomaly, changepoint,
                    channels.stream().mapToInt(Integer::intValue).toArray());
        }
    }
}
