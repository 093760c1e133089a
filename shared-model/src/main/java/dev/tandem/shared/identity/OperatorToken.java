package dev.tandem.shared.identity;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * An operator of the hub's REST API as the site registry stores it: a name, a role and the SHA-256
 * of the operator's bearer token (never the token). Tokens are 256 random bits, so a fast hash is
 * enough (nothing to brute-force) and the hub checks one per request without a key-derivation cost;
 * the token itself is written once, to the operator's owner-only token file, by
 * {@code ./tandem provision}.
 *
 * @param name   the operator ({@code [A-Za-z0-9][A-Za-z0-9_.-]{0,63}}), shown as who acknowledged an alarm
 * @param sha256 lower-case hex SHA-256 of the token's UTF-8 bytes
 */
public record OperatorToken(String name, OperatorRole role, String sha256) {
    /** Tokens start with this, so that a leaked one is recognisable in logs and scanners. */
    public static final String PREFIX = "tdm_";
    /** Longest token accepted from a request (a provisioned one is 47 characters). */
    public static final int MAX_TOKEN_CHARS = 128;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public OperatorToken {
        Checks.id("operator", name);
        if (role == null) {
            throw TandemException.invalid("operator " + name + " has no role");
        }
        if (sha256 == null || !HEX64.matcher(sha256).matches()) {
            throw TandemException.invalid("operator " + name + ": sha256 must be 64 lower-case hex digits");
        }
    }

    /** A new operator: its token (to hand to the operator, once) and what the registry keeps. */
    public record Issued(String token, OperatorToken stored) {
        @Override
        public String toString() {
            return "Issued[" + stored + "]"; // never the token
        }
    }

    public static Issued issue(String name, OperatorRole role) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        return new Issued(token, new OperatorToken(name, role, hash(token)));
    }

    /** Lower-case hex SHA-256 of the token's UTF-8 bytes. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Whether {@code token} is this operator's (constant time in the hash). */
    public boolean matches(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            return false;
        }
        return MessageDigest.isEqual(sha256.getBytes(StandardCharsets.US_ASCII),
                hash(token).getBytes(StandardCharsets.US_ASCII));
    }
}
