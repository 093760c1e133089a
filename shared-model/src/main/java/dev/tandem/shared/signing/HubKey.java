package dev.tandem.shared.signing;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * The hub's Ed25519 signing key (the JDK's own provider). Every hub instance of a site signs with
 * the same key, loaded from a file (owner-only permissions) holding a {@code PRIVATE KEY} block
 * (PKCS#8) and its {@code PUBLIC KEY} (X.509); the public half ({@link TrustedKey}) is pinned on
 * every device. Loading checks that the two halves belong together.
 */
public final class HubKey {
    static final String ALGORITHM = "Ed25519";
    private static final String LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";

    private final PrivateKey privateKey;
    private final TrustedKey publicKey;

    private HubKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = new TrustedKey(publicKey);
    }

    /** A fresh key pair. */
    public static HubKey generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new HubKey(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
        }
    }

    /** Loads a key written by {@link #save}; {@link ErrorCode#INVALID_CONFIG} if it is not one. */
    public static HubKey load(Path file) {
        byte[] der = PemFiles.read(file, LABEL);
        PrivateKey key;
        PublicKey pub;
        try {
            key = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
            pub = Ed25519Keys.decodePublic(PemFiles.read(file, PUBLIC_LABEL));
        } catch (GeneralSecurityException | TandemException | IllegalArgumentException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, file + " is not an Ed25519 hub key: " + e.getMessage());
        }
        byte[] probe = "tandem key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (!Ed25519Keys.verify(pub, probe, Ed25519Keys.sign(key, probe))) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, file + ": its public key does not match its private key");
        }
        return new HubKey(key, pub);
    }

    /** Writes the key pair (PEM, readable by the owner only). */
    public void save(Path file) {
        PemFiles.write(file, true, new PemFiles.Block(LABEL, privateKey.getEncoded()),
                new PemFiles.Block(PUBLIC_LABEL, publicKey.key().getEncoded()));
    }

    public TrustedKey publicKey() {
        return publicKey;
    }

    public String keyId() {
        return publicKey.keyId();
    }

    PrivateKey privateKey() {
        return privateKey;
    }
}
