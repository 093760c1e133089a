package dev.tandem.shared.signing;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.util.Base64;

/**
 * A signed statement of the hub, as it travels: what kind of statement it is, the id of the key
 * that signed it, the statement's exact bytes (canonical JSON, base64) and the Ed25519 signature
 * (base64) over {@code kind + '\n' + bytes}. The kind is signed too, so that a statement of one kind
 * (a key rotation) can never pass for another (a model manifest). The bytes are verified as they
 * came and only then decoded: nothing re-encodes them.
 */
public record Signed(String kind, String keyId, String payload, String signature) {
    /** The statement bytes are a few hundred; this bounds what is decoded from outside. */
    public static final int MAX_PAYLOAD_CHARS = 8 * 1024;

    public Signed {
        Checks.id("kind", kind);
        Checks.id("keyId", keyId);
        Checks.nonBlank("payload", payload);
        Checks.nonBlank("signature", signature);
        if (payload.length() > MAX_PAYLOAD_CHARS) {
            throw TandemException.invalid("signed payload of " + payload.length() + " characters exceeds "
                    + MAX_PAYLOAD_CHARS);
        }
        if (signature.length() > 128) {
            throw TandemException.invalid("signature of " + signature.length() + " characters is not an Ed25519 one");
        }
    }

    /** The statement bytes; null if they are not base64. */
    byte[] payloadBytes() {
        return decode(payload);
    }

    /** The signature bytes; null if they are not base64. */
    byte[] signatureBytes() {
        return decode(signature);
    }

    /** The bytes the signature covers. */
    static byte[] signedBytes(String kind, byte[] payload) {
        byte[] prefix = (kind + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] all = new byte[prefix.length + payload.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(payload, 0, all, prefix.length, payload.length);
        return all;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
