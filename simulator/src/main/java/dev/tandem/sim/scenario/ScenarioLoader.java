package dev.tandem.sim.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads scenario files (YAML through Jackson): {@link #load(Path)}, {@link #builtIn(String)} for the
 * scenarios packaged with the build ({@code scenarios/NAME.yaml}), {@link #parse(String, String)}.
 * A bad file fails with {@link ErrorCode#INVALID_CONFIG} and a message
 * {@code file:line:column: field.path: what is wrong}; fields the schema does not know are refused.
 * The file is checked whole, the fleet included (overlapping faults, unknown channels), before anything runs.
 */
public final class ScenarioLoader {
    /** Largest scenario file read. */
    public static final int MAX_FILE_BYTES = 1 << 20;
    /** Where built-in scenarios live on the class path. */
    public static final String BUILT_IN_DIR = "scenarios/";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private ScenarioLoader() {
    }

    public static Scenario load(Path file) {
        return load(file, null);
    }

    /** {@link #load(Path)} with the one fleet entry's count replaced by {@code devices} (null: as written). */
    public static Scenario load(Path file, Integer devices) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "no scenario file " + file);
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, file + ": larger than " + MAX_FILE_BYTES + " bytes");
            }
            return parse(Files.readString(file), file.toString(), devices);
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The built-in scenario {@code name} ({@code scenarios/name.yaml} in the jar). */
    public static Scenario builtIn(String name) {
        return builtIn(name, null);
    }

    /** {@link #builtIn(String)} with the one fleet entry's count replaced by {@code devices} (null: as written). */
    public static Scenario builtIn(String name, Integer devices) {
        if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "not a scenario name: '" + name + "'");
        }
        String resource = BUILT_IN_DIR + name + ".yaml";
        try (InputStream in = ScenarioLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "no built-in scenario '" + name + "' (" + builtInNames() + ")");
            }
            return parse(new String(in.readNBytes(MAX_FILE_BYTES), java.nio.charset.StandardCharsets.UTF_8), resource,
                    devices);
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /** The names of the built-in scenarios (listed in {@code scenarios/index.txt}). */
    public static String builtInNames() {
        try (InputStream in = ScenarioLoader.class.getClassLoader().getResourceAsStream(BUILT_IN_DIR + "index.txt")) {
            return in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.joining(", "));
        } catch (IOException e) {
            return "";
        }
    }

    /** Parses and checks {@code yaml}; {@code source} names it in errors. */
    public static Scenario parse(String yaml, String source) {
        return parse(yaml, source, null);
    }

    /** {@link #parse(String, String)} with the one fleet entry's count replaced by {@code devices} (null: as written). */
    public static Scenario parse(String yaml, String source, Integer devices) {
        ScenarioFile file;
        try {
            file = YAML.readValue(yaml, ScenarioFile.class);
        } catch (JsonProcessingException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, describe(e, source), e);
        }
        if (file == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, source + ": empty scenario file");
        }
        if (devices != null) {
            try {
                file = file.withDevices(devices);
            } catch (TandemException e) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, source + ": fleet: " + e.getMessage(), e);
            }
        }
        Scenario scenario = Scenario.of(file, source);
        if (!scenario.isReplay()) {
            ScenarioFleet.of(scenario); // checks what only the fleet can: channels named, overlaps
        }
        return scenario;
    }

    /** {@code source:line:column: path: message} from Jackson's location and path. */
    static String describe(JsonProcessingException e, String source) {
        JsonLocation at = e.getLocation();
        String where = source + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr());
        String path = "";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    sb.append('[').append(r.getIndex()).append(']');
                }
            }
            path = sb + ": ";
        }
        String message;
        Throwable cause = e.getCause();
        while (cause != null && !(cause instanceof TandemException)) {
            cause = cause.getCause();
        }
        if (cause instanceof TandemException t) {
            message = t.getMessage();
        } else if (e instanceof UnrecognizedPropertyException u) {
            message = "unknown field '" + u.getPropertyName() + "' (known: " + u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")";
        } else {
            message = e.getOriginalMessage().replaceAll("\\s*\\(for Object starting at.*", "")
                    .replace("dev.tandem.sim.scenario.", "");
        }
        return where + ": " + path + message;
    }
}
