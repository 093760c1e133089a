package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.error.ErrorCode;
import java.util.List;
import java.util.regex.Pattern;

/** Constructor validation shared by the wire records. */
public final class Checks {
    /**
     * Ids (sites, devices, identities, key ids) reach topics, file names and tables: letters, digits,
     * '_', '.', '-', starting with a letter or digit (so never "." or "..", never a hidden file, never an
     * MQTT wildcard or separator), at most 64 characters.
     */
    public static final String ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";
    private static final Pattern ID = Pattern.compile(ID_PATTERN);

    private Checks() {
    }

    public static String id(String what, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw TandemException.invalid(what + " must match " + ID_PATTERN + ", got " + quote(value));
        }
        return value;
    }

    public static String nonBlank(String what, String value) {
        if (value == null || value.isBlank()) {
            throw TandemException.invalid(what + " is required");
        }
        return value;
    }

    public static double finite(String what, double value) {
        if (!Double.isFinite(value)) {
            throw new TandemException(ErrorCode.NON_FINITE_VALUE, what + " is not finite: " + value);
        }
        return value;
    }

    public static double[] finite(String what, double[] values) {
        if (values == null || values.length == 0) {
            throw TandemException.invalid(what + " must hold at least one value");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new TandemException(ErrorCode.NON_FINITE_VALUE,
                        what + "[" + i + "] is not finite: " + values[i]);
            }
        }
        return values;
    }

    public static <T> List<T> nonEmpty(String what, List<T> values) {
        if (values == null || values.isEmpty()) {
            throw TandemException.invalid(what + " must not be empty");
        }
        return List.copyOf(values);
    }

    public static void version(String message, int actual, int supported) {
        if (actual != supported) {
            throw new TandemException(ErrorCode.UNKNOWN_SCHEMA_VERSION,
                    message + " schema version " + actual + " is not supported (this build speaks " + supported + ")");
        }
    }

    /**
     * A message type that still reads older versions: {@code actual} must be in
     * {@code [oldest, supported]} ({@link ErrorCode#UNKNOWN_SCHEMA_VERSION} otherwise).
     */
    public static void version(String message, int actual, int oldest, int supported) {
        if (actual < oldest || actual > supported) {
            throw new TandemException(ErrorCode.UNKNOWN_SCHEMA_VERSION, message + " schema version " + actual
                    + " is not supported (this build speaks " + oldest + ".." + supported + ")");
        }
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'";
    }
}
