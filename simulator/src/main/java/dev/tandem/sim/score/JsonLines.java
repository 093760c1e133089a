package dev.tandem.sim.score;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * JSON-lines files (one JSON object a line): the ground truth of a run, recorded alarms. Reading is
 * bounded ({@link #MAX_LINES} lines of at most {@link #MAX_LINE_CHARS} characters); a bad line is
 * skipped and counted, with the first few kept as {@code file:line: message}.
 */
public final class JsonLines {
    public static final int MAX_LINES = 5_000_000;
    public static final int MAX_LINE_CHARS = 64 * 1024;
    private static final int PROBLEMS_KEPT = 10;
    /** The wire's mapper, but optional fields may be left out of a line (a third party's alarms, a truth line without severity). */
    private static final ObjectMapper READER = Wire.mapper().copy()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    /** What was read: the values, how many lines were bad, and the first problems. */
    public record Read<T>(List<T> values, long badLines, List<String> problems) {
    }

    private JsonLines() {
    }

    public static void write(Path file, List<?> values) {
        ObjectMapper m = Wire.mapper();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (Object v : values) {
                    w.write(m.writeValueAsString(v));
                    w.newLine();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads {@code file} line by line through {@code parse} (a line's text to a value; throw to refuse it). */
    public static <T> Read<T> read(Path file, Function<String, T> parse) {
        if (!Files.isRegularFile(file)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "no file " + file);
        }
        List<T> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long bad = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (n > MAX_LINES) {
                    throw new TandemException(ErrorCode.OVERSIZED_PAYLOAD, file + ": more than " + MAX_LINES + " lines");
                }
                if (line.isBlank()) {
                    continue;
                }
                try {
                    if (line.length() > MAX_LINE_CHARS) {
                        throw new TandemException(ErrorCode.OVERSIZED_PAYLOAD, "line longer than " + MAX_LINE_CHARS + " characters");
                    }
                    out.add(parse.apply(line));
                } catch (RuntimeException e) {
                    bad++;
                    if (problems.size() < PROBLEMS_KEPT) {
                        problems.add(file + ":" + n + ": " + message(e));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return new Read<>(out, bad, problems);
    }

    /** Reads {@code file} as values of {@code type}. */
    public static <T> Read<T> read(Path file, Class<T> type) {
        return read(file, line -> {
            try {
                return READER.readValue(line, type);
            } catch (JsonProcessingException e) {
                throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, e.getOriginalMessage(), e);
            }
        });
    }

    private static String message(RuntimeException e) {
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof TandemException)) {
            t = t.getCause();
        }
        return t instanceof TandemException te ? te.toString() : "[" + ErrorCode.MALFORMED_PAYLOAD + "] " + t.getMessage();
    }
}
