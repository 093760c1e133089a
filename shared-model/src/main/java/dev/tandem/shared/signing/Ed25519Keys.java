package dev.tandem.shared.signing;

import dev.tandem.shared.error.TandemException;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;

/** Ed25519 through the JDK's own provider: decode, sign, verify. */
final class Ed25519Keys {
    /** An Ed25519 signature is 64 bytes. */
    static final int SIGNATURE_BYTES = 64;
    /** An Ed25519 X.509 public key is 44 bytes; a bound well above it for what comes from outside. */
    static final int MAX_PUBLIC_KEY_BYTES = 128;

    private Ed25519Keys() {
    }

    static PublicKey decodePublic(byte[] x509) {
        if (x509 == null || x509.length == 0 || x509.length > MAX_PUBLIC_KEY_BYTES) {
            throw TandemException.invalid("an Ed25519 public key has " + 44 + " bytes, got "
                    + (x509 == null ? 0 : x509.length));
        }
        try {
            return KeyFactory.getInstance(HubKey.ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw TandemException.invalid("not an Ed25519 public key: " + e.getMessage());
        }
    }

    static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature s = Signature.getInstance(HubKey.ALGORITHM);
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** Whether {@code signature} is the key's signature of {@code message}; false for any malformed input. */
    static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(HubKey.ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 verification failed", e);
        }
    }
}
