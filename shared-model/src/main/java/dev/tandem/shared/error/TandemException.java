package dev.tandem.shared.error;

/** An error at a boundary, carrying its stable {@link ErrorCode}. */
public class TandemException extends RuntimeException {
    private final ErrorCode code;

    public TandemException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public TandemException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** One log line: {@code [CODE] message}. */
    @Override
    public String toString() {
        return "[" + code + "] " + getMessage();
    }

    public static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_FIELD, message);
    }
}
