package dev.tandem.shared.identity;

/** What an operator of the hub's REST API may do. */
public enum OperatorRole {
    /** Reads everything the API shows; every write is refused ({@code 403 FORBIDDEN}). */
    READ_ONLY,
    /** Reads and writes (acknowledging alarms, and later rollouts). */
    ADMIN;

    public boolean mayWrite() {
        return this == ADMIN;
    }

    /** {@code admin} or {@code read-only} (as written on the command line), case-insensitive. */
    public static OperatorRole parse(String text) {
        if (text != null) {
            switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "admin" -> {
                    return ADMIN;
                }
                case "read-only", "readonly", "read_only" -> {
                    return READ_ONLY;
                }
                default -> {
                }
            }
        }
        throw dev.tandem.shared.error.TandemException.invalid("an operator role is admin or read-only, got '"
                + (text == null ? "" : text.length() > 40 ? text.substring(0, 40) : text) + "'");
    }

    /** The command-line spelling: {@code admin} or {@code read-only}. */
    public String label() {
        return this == ADMIN ? "admin" : "read-only";
    }
}
