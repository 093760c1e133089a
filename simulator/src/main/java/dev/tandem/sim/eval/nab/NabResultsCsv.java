package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A plain comma-separated table with a header (NAB's result files: a detector's per-row output, or a
 * results summary), read whole with columns looked up by name. Bounded by {@link NabCsv#MAX_FILE_BYTES}
 * and {@link NabCsv#MAX_ROWS}; every error names {@code file:line}.
 */
final class NabResultsCsv {
    private final String name;
    private final Map<String, Integer> columns;
    private final List<String[]> rows;
    private final List<Integer> lines;

    private NabResultsCsv(String name, Map<String, Integer> columns, List<String[]> rows, List<Integer> lines) {
        this.name = name;
        this.columns = columns;
        this.rows = rows;
        this.lines = lines;
    }

    static NabResultsCsv read(Path file) {
        String name = file.toString();
        return NabCsv.readBounded(file, name, NabCsv.MAX_FILE_BYTES, in -> parse(in, name));
    }

    private static NabResultsCsv parse(BufferedReader in, String name) throws IOException {
        String header = in.readLine();
        if (header == null) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, name + ":1: empty file, expected a header");
        }
        String[] names = header.replace("\uFEFF", "").split(",", -1);
        Map<String, Integer> columns = new HashMap<>();
        for (int c = 0; c < names.length; c++) {
            columns.putIfAbsent(names[c].trim().toLowerCase(Locale.ROOT), c);
        }
        List<String[]> rows = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        String line;
        int lineNo = 1;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            if (rows.size() == NabCsv.MAX_ROWS) {
                throw new TandemException(ErrorCode.OVERSIZED_PAYLOAD, name + ":" + lineNo + ": more than "
                        + NabCsv.MAX_ROWS + " rows");
            }
            String[] f = line.split(",", -1);
            if (f.length != names.length) {
                throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, name + ":" + lineNo + ": " + f.length
                        + " fields, the header has " + names.length);
            }
            rows.add(f);
            lines.add(lineNo);
        }
        return new NabResultsCsv(name, columns, rows, lines);
    }

    String name() {
        return name;
    }

    int size() {
        return rows.size();
    }

    int line(int row) {
        return lines.get(row);
    }

    /** The index of a column (case-insensitive), or a MALFORMED_PAYLOAD error naming the file. */
    int column(String column) {
        Integer c = columns.get(column.toLowerCase(Locale.ROOT));
        if (c == null) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, name + ":1: no column '" + column + "'");
        }
        return c;
    }

    boolean has(String column) {
        return columns.containsKey(column.toLowerCase(Locale.ROOT));
    }

    String text(int row, int column) {
        return rows.get(row)[column].trim();
    }

    double number(int row, int column) {
        String t = text(row, column);
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, name + ":" + line(row) + ": '" + NabCsv.abbreviate(t)
                    + "' is not a number");
        }
    }
}
