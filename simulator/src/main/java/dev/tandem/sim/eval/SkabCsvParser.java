package dev.tandem.sim.eval;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the text of one SKAB-format CSV file into a {@link SkabFile}: the header, each data row
 * parsed and validated (a bad row skipped and counted, or failing the file, per
 * {@link SkabCsvLoader.BadRows}), and the {@link LoadReport} of what was noticed. The format and the
 * error codes are described on {@link SkabCsvLoader}, which walks the folders.
 */
final class SkabCsvParser {
    private static final Logger LOG = LoggerFactory.getLogger(SkabCsvParser.class);
    private static final int MAX_PROBLEMS_LOGGED = 10;

    private final SkabCsvLoader.BadRows badRows;
    private final CsvFormat format;

    SkabCsvParser(SkabCsvLoader.BadRows badRows, CsvFormat format) {
        this.badRows = badRows;
        this.format = format;
    }

    SkabFile parse(BufferedReader in, String name, Path source, String deviceId) throws IOException {
        String headerLine = in.readLine();
        int lineNo = 1;
        while (headerLine != null && headerLine.isBlank()) {
            headerLine = in.readLine();
            lineNo++;
        }
        if (headerLine == null) {
            throw malformed(name, lineNo, "empty file, expected a header line");
        }
        headerLine = stripBom(headerLine);
        char sep = format.separatorFor(headerLine);
        Header header = Header.parse(headerLine, sep, format, name, lineNo);

        List<double[]> rows = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        List<String> texts = new ArrayList<>();
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
                String[] f = split(line, sep);
                if (f.length != header.columns) {
                    throw new TandemException(ErrorCode.MALFORMED_PAYLOAD,
                            f.length + " columns, the header has " + header.columns);
                }
                long ts = format.parseTime(f[header.datetime]);
                double[] values = new double[header.channels.length];
                for (int c = 0; c < values.length; c++) {
                    values[c] = parseValue(f[header.channels[c]], header.names.get(header.channels[c]));
                }
                Boolean label = header.anomaly < 0 ? null : parseFlag(f[header.anomaly], header.names.get(header.anomaly));
                Boolean change = header.changepoint < 0 ? null : parseFlag(f[header.changepoint], header.names.get(header.changepoint));
                rows.add(values);
                times.add(ts);
                texts.add(f[header.datetime]);
                labels.add(label);
                changes.add(change);
            } catch (TandemException e) {
                String where = name + ":" + lineNo + ": " + e.getMessage();
                if (badRows == SkabCsvLoader.BadRows.FAIL) {
                    throw new TandemException(e.code(), where, e);
                }
                skipped++;
                if (problems.size() < SkabCsvLoader.MAX_PROBLEMS_KEPT) {
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
        if (skipped > Math.max(1, SkabCsvLoader.MAX_BAD_FRACTION * dataLines)) {
            throw malformed(name, problems.get(0).line(), skipped + " of " + dataLines
                    + " data rows are malformed (more than " + (int) (SkabCsvLoader.MAX_BAD_FRACTION * 100)
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
        return new SkabFile(deviceId, source, channelNames, data, ts, lab, chg, report, texts);
    }

    private static String stripBom(String s) {
        return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }

    private static String[] split(String line, char separator) {
        String[] f = line.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1);
        for (int i = 0; i < f.length; i++) {
            f[i] = unquote(f[i].trim());
        }
        return f;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"'
                ? s.substring(1, s.length() - 1).trim() : s;
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

        static Header parse(String line, char separator, CsvFormat format, String file, int lineNo) {
            List<String> names = List.of(split(line, separator));
            Set<String> seen = new HashSet<>();
            java.util.Map<String, Integer> at = new java.util.HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (name.isEmpty()) {
                    throw malformed(file, lineNo, "header column " + (i + 1) + " has no name: '" + clip(line) + "'");
                }
                if (!seen.add(CsvFormat.key(name))) {
                    throw malformed(file, lineNo, "header names column '" + name + "' twice");
                }
                at.put(CsvFormat.key(name), i);
            }
            Integer datetime = at.get(CsvFormat.key(format.timestamp()));
            if (datetime == null) {
                throw malformed(file, lineNo, "header has no '" + format.timestamp() + "' column (is the file '"
                        + (separator == '\t' ? "\\t" : String.valueOf(separator)) + "'-separated?): '" + clip(line) + "'");
            }
            int anomaly = format.label() == null ? -1 : at.getOrDefault(CsvFormat.key(format.label()), -1);
            if (anomaly < 0 && format.labelRequired()) {
                throw malformed(file, lineNo, "header has no label column '" + format.label() + "': '" + clip(line) + "'");
            }
            int changepoint = format.changepoint() == null ? -1 : at.getOrDefault(CsvFormat.key(format.changepoint()), -1);
            List<Integer> channels = new ArrayList<>();
            if (format.channels().isEmpty()) {
                for (int i = 0; i < names.size(); i++) {
                    if (i != datetime && i != anomaly && i != changepoint) {
                        channels.add(i);
                    }
                }
            } else {
                for (String c : format.channels()) {
                    Integer i = at.get(CsvFormat.key(c));
                    if (i == null) {
                        throw malformed(file, lineNo, "header has no channel column '" + c + "': '" + clip(line) + "'");
                    }
                    if (i == (int) datetime || i == anomaly) {
                        throw malformed(file, lineNo, "column '" + c + "' cannot be a channel and the time or the label");
                    }
                    channels.add(i);
                }
            }
            if (channels.isEmpty()) {
                throw malformed(file, lineNo, "header has no channel column besides " + format.timestamp()
                        + (format.label() == null ? "" : "/" + format.label())
                        + (format.changepoint() == null ? "" : "/" + format.changepoint()));
            }
            return new Header(names, datetime, anomaly, changepoint,
                    channels.stream().mapToInt(Integer::intValue).toArray());
        }
    }
}
