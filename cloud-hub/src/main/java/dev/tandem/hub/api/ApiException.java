package dev.tandem.hub.api;

import dev.tandem.shared.error.ErrorCode;

/**
 * A refused API request: the HTTP status, the stable code, a message for a person and, for a bad
 * request, the field at fault. The body is {@code {"code": ..., "message": ..., "field": ...}}.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final ErrorCode code;
    private final String field;

    public ApiException(int status, ErrorCode code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, ErrorCode.BAD_REQUEST, message, field);
    }

    public static ApiException notFound(ErrorCode code, String message) {
        return new ApiException(404, code, message, null);
    }

    public int status() {
        return status;
    }

    public ErrorCode code() {
        return code;
    }

    public String field() {
        return field;
    }

    public ApiJson.Error body() {
        return new ApiJson.Error(code.name(), getMessage(), field);
    }
}
