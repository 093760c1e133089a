package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one NAB data file: comma-separated, a header naming a {@code timestamp} and a {@code value}
 * column (any case, any order; other columns are ignored), then one row per line with a timestamp
 * {@code YYYY-MM-DD HH:MM:SS} (an optional fraction of a second; read as UTC) and a finite number.
 * Times may repeat (rows kept in file order) but never go back. Blank lines are ignored.
 *
 * <p>Strict: the first bad line fails the file with a {@link TandemException} whose message starts
 * with {@code file:line:}: no header or a header without one of the two columns, a row with another
 * number of fields, a timestamp or value that does not parse ({@code MALFORMED_PAYLOAD}), a NaN or
 * infinite value ({@code NON_FINITE_VALUE}), a timestamp before the previous row's
 * ({@code INVALID_FIELD}), no data row, more than {@link #MAX_ROWS} rows or a file larger than
 * {@link #MAX_FILE_BYTES} ({@code OVERSIZED_PAYLOAD}, checked before reading).
 */
public final class NabCsv {
    /** Largest data file read (NAB's largest is under 1 MiB). */
    public static final long MAX_FILE_BYTES = 64L << 20;
    /** Most data rows in one file. */
    public static final int MAX_ROWS = 1_000_000;

    /** {@code YYYY-MM-DD HH:MM:SS} with an optional fraction (labels carry {@code .000000}). */
    static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .toFormatter(Locale.ROOT);

    private NabCsv() {
    }

    /** The epoch millis of a NAB timestamp read as UTC. */
    public static long parseTimestamp(String text) {
        return LocalDateTime.parse(text.trim(), TIMESTAMP).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /** Reads {@code file}; messages name it as given. */
    public static NabSeries read(Path file) {
        return read(file, file.toString());
    }

    /** Reads {@code file}; messages name it {@code name}. */
    public static NabSeries read(Path file, String name) {
        return readBounded(file, name, MAX_FILE_BYTES, in -> parse(in, name));
    }

    /** How a text file is parsed once opened. */
    interface TextParser<T> {
        T parse(BufferedReader in) throws IOException;
    }

    /**
     * Parses a UTF-8 text file of at most {@code maxBytes} (checked before reading:
     * {@code OVERSIZED_PAYLOAD} naming it); I/O failures as {@link UncheckedIOException}.
     */
    static <T> T readBounded(Path file, String name, long maxBytes, TextParser<T> parser) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new TandemException(ErrorCode.OVERSIZED_PAYLOAD, name + ": " + size + " bytes exceed the limit of "
                        + maxBytes);
            }
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                return parser.parse(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** Parses the text of a data file; messages name it {@code name}. */
    public static NabSeries parse(BufferedReader in, String name) throws IOException {
        int lineNo = 0;
        String header = null;
        while (header == null) {
            String line = in.readLine();
            if (line == null) {
                throw malformed(name, Math.max(lineNo, 1), "empty file, expected the header timestamp,value");
            }
            lineNo++;
            if (!line.isBlank()) {
                header = line.startsWith("\uFEFF") ? line.substring(1) : line;
            }
        }
        String[] names = header.split(",", -1);
        int tsCol = -1, valueCol = -1;
        for (int c = 0; c < names.length; c++) {
            String n = names[c].trim().toLowerCase(Locale.ROOT);
            if (n.equals("timestamp") && tsCol < 0) {
                tsCol = c;
            } else if (n.equals("value") && valueCol < 0) {
                valueCol = c;
            }
        }
        if (tsCol < 0 || valueCol < 0) {
            throw malformed(name, lineNo, "header '" + abbreviate(header) + "' lacks the "
                    + (tsCol < 0 ? "timestamp" : "value") + " column");
        }
        List<String> stamps = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        double[] values = new double[1024];
        long[] millis = new long[1024];
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            int n = stamps.size();
            if (n == MAX_ROWS) {
                throw new TandemException(ErrorCode.OVERSIZED_PAYLOAD, name + ":" + lineNo + ": more than " + MAX_ROWS + " rows");
            }
            String[] fields = line.split(",", -1);
            if (fields.length != names.length) {
                throw malformed(name, lineNo, fields.length + " fields, the header has " + names.length);
            }
            String ts = fields[tsCol].trim();
            long t;
            try {
                t = parseTimestamp(ts);
            } catch (DateTimeParseException e) {
                throw malformed(name, lineNo, "timestamp '" + abbreviate(ts) + "' is not YYYY-MM-DD HH:MM:SS");
            }
            double v;
            try {
                v = Double.parseDouble(fields[valueCol].trim());
            } catch (NumberFormatException e) {
                throw malformed(name, lineNo, "value '" + abbreviate(fields[valueCol].trim()) + "' is not a number");
            }
            if (!Double.isFinite(v)) {
                throw new TandemException(ErrorCode.NON_FINITE_VALUE, name + ":" + lineNo + ": value " + v + " is not finite");
            }
            if (n > 0 && t < millis[n - 1]) {
                throw new TandemException(ErrorCode.INVALID_FIELD, name + ":" + lineNo + ": timestamp " + ts
                        + " goes back from " + stamps.get(n - 1) + " (line " + lines.get(n - 1) + ")");
            }
            if (n == values.length) {
                values = java.util.Arrays.copyOf(values, 2 * n);
                millis = java.util.Arrays.copyOf(millis, 2 * n);
            }
            values[n] = v;
            millis[n] = t;
            stamps.add(ts);
            lines.add(lineNo);
        }
        if (stamps.isEmpty()) {
            throw malformed(name, lineNo, "no data row after the header");
        }
        int n = stamps.size();
        return new NabSeries(name, stamps, java.util.Arrays.copyOf(millis, n), java.util.Arrays.copyOf(values, n),
                lines.stream().mapToInt(Integer::intValue).toArray());
    }

    private static TandemException malformed(String name, int line, String why) {
        return new TandemException(ErrorCode.MALFORMED_PAYLOAD, name + ":" + line + ": " + why);
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
