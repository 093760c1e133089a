package dev.tandem.shared.identity;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A stored password: PBKDF2-HMAC-SHA512 over a random 12-byte salt, 64 bytes of output, base64 —
 * exactly what mosquitto's dynamic-security plugin stores ({@code password}, {@code salt},
 * {@code iterations}), so one hash serves both brokers. Provisioned passwords are random (144 bits),
 * so the iteration count guards little and is kept low enough for a fleet to connect quickly.
 */
public record PasswordHash(String hash, String salt, int iterations) {
    public static final int DEFAULT_ITERATIONS = 1000;
    private static final int SALT_BYTES = 12;
    private static final int HASH_BITS = 512;
    private static final SecureRandom RANDOM = new SecureRandom();

    public PasswordHash {
        Checks.nonBlank("hash", hash);
        Checks.nonBlank("salt", salt);
        if (iterations < 1 || iterations > 1_000_000) {
            throw TandemException.invalid("iterations must be in [1, 1000000], got " + iterations);
        }
    }

    public static PasswordHash of(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(Base64.getEncoder().encodeToString(derive(password, salt, DEFAULT_ITERATIONS)),
                Base64.getEncoder().encodeToString(salt), DEFAULT_ITERATIONS);
    }

    /** A random password of 24 URL-safe characters (144 bits). */
    public static String randomPassword() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Whether {@code password} (UTF-8 bytes, as MQTT carries it) is the one hashed here; constant time. */
    public boolean matches(byte[] password) {
        if (password == null || password.length > 256) {
            return false;
        }
        byte[] expected = Base64.getDecoder().decode(hash);
        byte[] actual = derive(new String(password, StandardCharsets.UTF_8), Base64.getDecoder().decode(salt), iterations);
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is not available", e);
        }
    }
}
