package dev.tandem.shared.testing;

import dev.tandem.shared.signing.AssignmentSigner;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.shared.signing.ManifestVerifier;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.signing.TrustedKey;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.ModelAssignment;

import java.util.concurrent.atomic.AtomicLong;

/** A hub signing key for tests (made once per test JVM) and signed assignments made with it. */
public final class TestKeys {
    /** The tests' hub key. */
    public static final HubKey HUB = HubKey.generate();
    public static final AssignmentSigner SIGNER = new AssignmentSigner(HUB);
    private static final AtomicLong GENERATION = new AtomicLong(System.currentTimeMillis());

    private TestKeys() {
    }

    /** The public key an edge under test pins. */
    public static TrustedKey hubPublicKey() {
        return HUB.publicKey();
    }

    /** An assignment opened as a device of the default class would: its verified manifest and model. */
    public record Opened(ModelManifest manifest, TinyModel model) {
    }

    public static Opened open(ModelAssignment a, TrustedKey hubKey) {
        ModelManifest m = new ManifestVerifier(hubKey).verifyOrigin(a.manifest(),
                new ManifestVerifier.Device(a.site(), a.device(), Commissioning.DEFAULT_CLASS));
        return new Opened(m, TinyModelCodec.verifyAndDecode(m.artifact(), a.artifactBytes()));
    }

    /** A signed assignment of {@code model} for a device of the default class, with a fresh (higher) generation. */
    public static ModelAssignment assignment(String site, String device, TinyModel model, int contextSize) {
        return SIGNER.assign(site, device, Commissioning.DEFAULT_CLASS, GENERATION.incrementAndGet(), model, null,
                contextSize);
    }
}
