package dev.tandem.hub.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The database login, never kept in the repository or the configuration: from the environment
 * ({@code TANDEM_DB_USER}, {@code TANDEM_DB_PASSWORD}) or a file ({@code {"user": ..., "password": ...}},
 * owner-only like the broker credentials). Either part may be null (the driver's default; a URL that
 * names its user, or a server that trusts loopback). {@link #toString()} hides the password.
 */
public record DbCredentials(String user, String password) {
    public static final String USER_ENV = "TANDEM_DB_USER";
    public static final String PASSWORD_ENV = "TANDEM_DB_PASSWORD";
    private static final int MAX_FILE_BYTES = 64 * 1024;

    public static DbCredentials none() {
        return new DbCredentials(null, null);
    }

    /** {@code TANDEM_DB_USER} and {@code TANDEM_DB_PASSWORD} (each may be unset). */
    public static DbCredentials fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static DbCredentials fromEnvironment(Map<String, String> env) {
        return new DbCredentials(blankToNull(env.get(USER_ENV)), blankToNull(env.get(PASSWORD_ENV)));
    }

    /** A JSON file {@code {"user": "...", "password": "..."}}. */
    public static DbCredentials load(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "database credentials " + file + " are larger than "
                        + MAX_FILE_BYTES + " bytes");
            }
            JsonNode n = Wire.mapper().readTree(Files.readAllBytes(file));
            if (n == null || !n.isObject()) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "database credentials " + file
                        + " must be a JSON object with \"user\" and \"password\"");
            }
            return new DbCredentials(text(n, "user"), text(n, "password"));
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot read database credentials " + file + ": "
                    + e.getMessage());
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : blankToNull(v.asText());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public String toString() {
        return "DbCredentials[user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
    }
}
