package dev.tandem.shared.signing;

import dev.tandem.shared.wire.Hashing;

import java.security.PublicKey;

/** A key's short name: the first 16 hex digits of the sha256 of its X.509 encoding. */
final class KeyId {
    private KeyId() {
    }

    static String of(PublicKey key) {
        return Hashing.sha256Hex(key.getEncoded()).substring(0, 16);
    }
}
