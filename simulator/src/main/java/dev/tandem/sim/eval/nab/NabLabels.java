package dev.tandem.sim.eval.nab;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NAB's {@code combined_windows.json}: an object whose keys are data files ({@code category/file.csv},
 * relative to the data folder) and whose values are lists of windows {@code ["start", "end"]}
 * (timestamps, inclusive). Kept with the line each entry is on, so a problem found later (a window
 * bound that is no row's timestamp) names the labels file and line.
 *
 * <p>Any deviation from that shape fails the whole labels file ({@code MALFORMED_PAYLOAD},
 * {@code path:line:column}); so do a key given twice, a bound that does not parse, a window ending
 * before it starts or starting before the previous one ends ({@code INVALID_FIELD}), and more than
 * {@link #MAX_FILE_BYTES} bytes or {@link #MAX_WINDOWS_PER_FILE} windows for one file
 * ({@code OVERSIZED_PAYLOAD}).
 */
public final class NabLabels {
    public static final long MAX_FILE_BYTES = 16L << 20;
    public static final int MAX_WINDOWS_PER_FILE = 10_000;

    /** One window as labelled: its bounds' text and time, and its line in the labels file. */
    public record Entry(String start, String end, long startMillis, long endMillis, int line) {
    }

    /** A data file's windows in the labels file and the line its key is on. */
    public record Labelled(String key, int line, List<Entry> windows) {
        public Labelled {
            windows = List.copyOf(windows);
        }
    }

    private final String source;
    private final Map<String, Labelled> byKey;

    private NabLabels(String source, Map<String, Labelled> byKey) {
        this.source = source;
        this.byKey = Collections.unmodifiableMap(byKey);
    }

    /** Where the labels were read from (as named in messages). */
    public String source() {
        return source;
    }

    /** Every labelled file, in the labels file's order. */
    public Map<String, Labelled> files() {
        return byKey;
    }

    public static NabLabels read(Path file) {
        return read(file, file.toString());
    }

    /** Reads {@code file}; messages name it {@code name}. */
    public static NabLabels read(Path file, String name) {
        return NabCsv.readBounded(file, name, MAX_FILE_BYTES, in -> parse(in, name));
    }

    /** Parses labels text; messages name it {@code name}. */
    public static NabLabels parse(Reader in, String name) throws IOException {
        Map<String, Labelled> out = new LinkedHashMap<>();
        try (JsonParser p = Wire.mapper().getFactory().createParser(in)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, name, "an object of file -> windows");
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int keyLine = p.currentTokenLocation().getLineNr();
                if (out.containsKey(key)) {
                    throw new TandemException(ErrorCode.INVALID_FIELD, where(name, p) + ": '" + key
                            + "' is labelled twice (first on line " + out.get(key).line() + ")");
                }
                expect(p, p.nextToken(), JsonToken.START_ARRAY, name, "a list of windows for " + key);
                List<Entry> windows = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    expect(p, t, JsonToken.START_ARRAY, name, "a window [start, end]");
                    int line = p.currentTokenLocation().getLineNr();
                    String start = bound(p, name);
                    String end = bound(p, name);
                    expect(p, p.nextToken(), JsonToken.END_ARRAY, name, "the end of a window [start, end]");
                    if (windows.size() == MAX_WINDOWS_PER_FILE) {
                        throw new TandemException(ErrorCode.OVERSIZED_PAYLOAD, name + ":" + line + ": more than "
                                + MAX_WINDOWS_PER_FILE + " windows for " + key);
                    }
                    Entry e = entry(name, line, start, end);
                    if (!windows.isEmpty() && e.startMillis() <= windows.get(windows.size() - 1).endMillis()) {
                        throw new TandemException(ErrorCode.INVALID_FIELD, name + ":" + line + ": window " + start
                                + " starts before the previous window of " + key + " ends");
                    }
                    windows.add(e);
                }
                out.put(key, new Labelled(key, keyLine, windows));
            }
            expect(p, t, JsonToken.END_OBJECT, name, "a file name or the end of the object");
            if (p.nextToken() != null) {
                throw malformed(where(name, p), "content after the labels object");
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw malformed(at == null ? name : name + ":" + at.getLineNr() + ":" + at.getColumnNr(), "not JSON: "
                    + e.getOriginalMessage());
        }
        return new NabLabels(name, out);
    }

    private static Entry entry(String name, int line, String start, String end) {
        long s, e;
        try {
            s = NabCsv.parseTimestamp(start);
            e = NabCsv.parseTimestamp(end);
        } catch (java.time.format.DateTimeParseException x) {
            throw new TandemException(ErrorCode.INVALID_FIELD, name + ":" + line + ": window bound '"
                    + NabCsv.abbreviate(x.getParsedString()) + "' is not YYYY-MM-DD HH:MM:SS[.ffffff]");
        }
        if (e < s) {
            throw new TandemException(ErrorCode.INVALID_FIELD, name + ":" + line + ": window ends (" + end
                    + ") before it starts (" + start + ")");
        }
        return new Entry(start, end, s, e, line);
    }

    private static String bound(JsonParser p, String name) throws IOException {
        expect(p, p.nextToken(), JsonToken.VALUE_STRING, name, "a timestamp string");
        return p.getText();
    }

    private static void expect(JsonParser p, JsonToken actual, JsonToken wanted, String name, String what) {
        if (actual != wanted) {
            throw malformed(where(name, p), "expected " + what + ", found " + (actual == null ? "the end" : actual));
        }
    }

    private static String where(String name, JsonParser p) {
        JsonLocation at = p.currentTokenLocation();
        return name + ":" + at.getLineNr() + ":" + at.getColumnNr();
    }

    private static TandemException malformed(String where, String why) {
        return new TandemException(ErrorCode.MALFORMED_PAYLOAD, where + ": " + why);
    }
}
