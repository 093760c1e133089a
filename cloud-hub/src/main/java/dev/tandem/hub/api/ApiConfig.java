package dev.tandem.hub.api;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.util.Objects;

/**
 * Settings of the hub's REST API.
 *
 * @param host         the address to bind (default {@value #DEFAULT_HOST}: this machine only)
 * @param port         the port (0: a free one, see {@link HubApi#port()})
 * @param operators    who may call it (every request needs an operator's bearer token)
 * @param maxBodyBytes largest request body accepted (1..1 MiB; larger: 413 {@code OVERSIZED_PAYLOAD})
 */
public record ApiConfig(String host, int port, OperatorAuthenticator operators, int maxBodyBytes) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;
    /** Longest request line and headers accepted (longer: refused by the HTTP server itself). */
    public static final int MAX_REQUEST_LINE = 4096;
    public static final int MAX_HEADER_BYTES = 8192;

    public ApiConfig {
        if (host == null || host.isBlank()) {
            throw invalid("an API host to bind is required");
        }
        if (port < 0 || port > 65535) {
            throw invalid("the API port must be 0..65535, got " + port);
        }
        Objects.requireNonNull(operators, "operators");
        if (maxBodyBytes < 1 || maxBodyBytes > 1 << 20) {
            throw invalid("maxBodyBytes must be 1..1048576, got " + maxBodyBytes);
        }
    }

    /** On {@value #DEFAULT_HOST}. */
    public static ApiConfig loopback(int port, OperatorAuthenticator operators) {
        return new ApiConfig(DEFAULT_HOST, port, operators, DEFAULT_MAX_BODY_BYTES);
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, message);
    }
}
