package dev.tandem.sim.eval;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads CSV files in SKAB's format (or, built with a {@link CsvFormat}, any CSV's columns): {@code ;}-separated, one header line, a {@code datetime} column
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
    private static final int MAX_ID_LENGTH = 64;

    private final BadRows badRows;
    private final CsvFormat format;

    public SkabCsvLoader(BadRows badRows) {
        this(badRows, CsvFormat.SKAB);
    }

    /** Files of {@code format} (SKAB's, or any CSV's columns: {@link CsvFormat#csv}); the bad-input rules are the same. */
    public SkabCsvLoader(BadRows badRows, CsvFormat format) {
        this.badRows = badRows == null ? BadRows.SKIP : badRows;
        this.format = java.util.Objects.requireNonNull(format, "format");
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
            return new SkabCsvParser(badRows, format).parse(in, file.toString(), file, deviceId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Loads one file, its device id derived from its own name. */
    public SkabFile load(Path file) {
        return load(file, deviceIdFor(file.toAbsolutePath().getParent(), file));
    }
}
