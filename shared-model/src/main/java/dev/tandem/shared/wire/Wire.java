package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.error.ErrorCode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/**
 * JSON encoding of every wire message. Decoding never throws anything but {@link TandemException}:
 * oversized, malformed, wrong-version and invalid payloads each get their {@link ErrorCode}.
 */
public final class Wire {
    /** Default limit for one MQTT payload. Commissioning batches are the largest messages. */
    public static final int MAX_PAYLOAD_BYTES = 1 << 20;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxStringLength(MAX_PAYLOAD_BYTES * 2).build());
    }

    /** The {@code public static final int VERSION} a message type declares (null: none). */
    private static final ClassValue<Integer> SCHEMA_VERSION = new ClassValue<>() {
        @Override
        protected Integer computeValue(Class<?> type) {
            try {
                java.lang.reflect.Field f = type.getField("VERSION");
                int m = f.getModifiers();
                return java.lang.reflect.Modifier.isStatic(m) && f.getType() == int.class ? f.getInt(null) : null;
            } catch (NoSuchFieldException | IllegalAccessException e) {
                return null;
            }
        }
    };

    /**
     * The oldest version a message type still reads: its {@code public static final int MIN_VERSION}, or
     * its {@code VERSION} when it declares none. An older message may lack the fields added since: they
     * decode as null (the type's constructor upgrades it, see {@link ModelState}).
     */
    private static final ClassValue<Integer> OLDEST_VERSION = new ClassValue<>() {
        @Override
        protected Integer computeValue(Class<?> type) {
            try {
                java.lang.reflect.Field f = type.getField("MIN_VERSION");
                int m = f.getModifiers();
                return java.lang.reflect.Modifier.isStatic(m) && f.getType() == int.class ? f.getInt(null) : null;
            } catch (NoSuchFieldException | IllegalAccessException e) {
                return null;
            }
        }
    };

    /**
     * A record's optional fields: its components marked {@code @JsonInclude(NON_NULL)}, which are not
     * written when null and so may be absent from a message of the current version (read as null).
     */
    private static final ClassValue<java.util.List<String>> OPTIONAL_FIELDS = new ClassValue<>() {
        @Override
        protected java.util.List<String> computeValue(Class<?> type) {
            if (!type.isRecord()) {
                return java.util.List.of();
            }
            java.util.List<String> out = new java.util.ArrayList<>();
            for (java.lang.reflect.RecordComponent c : type.getRecordComponents()) {
                com.fasterxml.jackson.annotation.JsonInclude inc = c.getAnnotation(com.fasterxml.jackson.annotation.JsonInclude.class);
                if (inc == null && c.getAccessor() != null) {
                    inc = c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonInclude.class);
                }
                if (inc != null && inc.value() == com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) {
                    out.add(c.getName());
                }
            }
            return java.util.List.copyOf(out);
        }
    };

    /** Reads messages of an older version, whose later fields are missing. */
    private static final ObjectMapper OLDER = MAPPER.copy()
            .disable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    private Wire() {
    }

    /** The shared, configured mapper (thread-safe). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Object message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    public static <T> T decode(byte[] payload, Class<T> type) {
        return decode(payload, type, MAX_PAYLOAD_BYTES);
    }

    public static <T> T decode(byte[] payload, Class<T> type, int maxBytes) {
        String name = type.getSimpleName();
        if (payload == null || payload.length == 0) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, name + ": empty payload");
        }
        if (payload.length > maxBytes) {
            throw new TandemException(ErrorCode.OVERSIZED_PAYLOAD,
                    name + ": payload of " + payload.length + " bytes exceeds the limit of " + maxBytes);
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(payload);
        } catch (IOException e) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, name + ": not JSON: " + firstLine(e));
        }
        if (tree == null || !tree.isObject()) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, name + ": expected a JSON object");
        }
        JsonNode v = tree.get("v");
        if (v == null || !v.canConvertToInt()) {
            throw new TandemException(ErrorCode.UNKNOWN_SCHEMA_VERSION, name + ": no schema version field 'v'");
        }
        Integer supported = SCHEMA_VERSION.get(type);
        Integer oldest = OLDEST_VERSION.get(type);
        boolean older = false;
        if (supported != null) {
            // before the fields: a message of another version usually has other fields too
            Checks.version(name, v.asInt(), oldest == null ? supported : oldest, supported);
            older = v.asInt() < supported;
        }
        for (String f : OPTIONAL_FIELDS.get(type)) {
            if (!tree.has(f)) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) tree).putNull(f);
            }
        }
        try {
            return (older ? OLDER : MAPPER).treeToValue(tree, type);
        } catch (ValueInstantiationException e) {
            throw unwrap(name, e);
        } catch (MismatchedInputException e) {
            TandemException inner = unwrap(name, e);
            throw inner.code() != ErrorCode.MALFORMED_PAYLOAD ? inner
                    : new TandemException(ErrorCode.INVALID_FIELD, name + ": " + firstLine(e));
        } catch (IOException | IllegalArgumentException e) {
            throw unwrap(name, e);
        }
    }

    private static TandemException unwrap(String name, Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof TandemException t) {
                return new TandemException(t.code(), name + ": " + t.getMessage());
            }
        }
        return new TandemException(ErrorCode.MALFORMED_PAYLOAD, name + ": " + firstLine(e));
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
