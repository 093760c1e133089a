package dev.tandem.shared.signing;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.ArtifactManifest;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ManifestVerifierTest {
    private static final HubKey HUB = HubKey.generate();
    private static final ManifestSigner SIGNER = new ManifestSigner(HUB);
    private static final ManifestVerifier.Device PUMP = new ManifestVerifier.Device("plant", "pump-1", "pi-4");
    private static final byte[] ARTIFACT = "{\"model\":\"tiny\"}".getBytes(StandardCharsets.UTF_8);

    private static ModelManifest manifest(String device, String deviceClass, long generation) {
        return ModelManifest.of("plant", device, deviceClass, generation,
                ArtifactManifest.of("tiny-abc", "tandem-tiny-pca/2", ARTIFACT), null);
    }

    private static ManifestVerifier verifier() {
        return new ManifestVerifier(HUB.publicKey());
    }

    private static ErrorCode refusal(Signed signed, long accepted) {
        return assertThrows(TandemException.class, () -> verifier().verify(signed, PUMP, accepted)).code();
    }

    @Test
    void signedManifest_forThisDevice_isAccepted_andSurvivesTheWire() {
        ModelManifest m = manifest("pump-1", "pi-4", 3);
        Signed wire = Wire.decode(Wire.encode(new Envelope(1, SIGNER.sign(m))), Envelope.class).signed();

        ModelManifest accepted = verifier().verify(wire, PUMP, 2);

        assertEquals(m, accepted);
        accepted.artifact().verify(ARTIFACT);
    }

    /** A wire message carrying a Signed, as the model assignment will. */
    record Envelope(int v, Signed signed) {
    }

    @Test
    void missingSignedManifest_isModelUnsigned() {
        assertEquals(ErrorCode.MODEL_UNSIGNED, refusal(null, 0));
    }

    @Test
    void manifestSignedByAnotherKey_isUnknownSigningKey() {
        Signed other = new ManifestSigner(HubKey.generate()).sign(manifest("pump-1", "pi-4", 1));
        assertEquals(ErrorCode.UNKNOWN_SIGNING_KEY, refusal(other, 0));
    }

    @Test
    void anotherKeysSignature_underTheTrustedKeyId_isSignatureInvalid() {
        Signed forged = new ManifestSigner(HubKey.generate()).sign(manifest("pump-1", "pi-4", 1));
        Signed relabelled = new Signed(forged.kind(), HUB.keyId(), forged.payload(), forged.signature());
        assertEquals(ErrorCode.SIGNATURE_INVALID, refusal(relabelled, 0));
    }

    @Test
    void tamperedManifest_withItsHashRecomputed_isSignatureInvalid() {
        Signed good = SIGNER.sign(manifest("pump-1", "pi-4", 1));
        byte[] evil = "{\"model\":\"evil\"}".getBytes(StandardCharsets.UTF_8);
        ModelManifest swapped = ModelManifest.of("plant", "pump-1", "pi-4", 1,
                ArtifactManifest.of("tiny-abc", "tandem-tiny-pca/2", evil), null);
        Signed tampered = new Signed(good.kind(), good.keyId(),
                Base64.getEncoder().encodeToString(Wire.encode(swapped)), good.signature());
        assertEquals(ErrorCode.SIGNATURE_INVALID, refusal(tampered, 0));
    }

    @Test
    void garbledBase64_isSignatureInvalid() {
        Signed good = SIGNER.sign(manifest("pump-1", "pi-4", 1));
        assertEquals(ErrorCode.SIGNATURE_INVALID,
                refusal(new Signed(good.kind(), good.keyId(), "!!not base64!!", good.signature()), 0));
        assertEquals(ErrorCode.SIGNATURE_INVALID,
                refusal(new Signed(good.kind(), good.keyId(), good.payload(), "AAAA"), 0));
    }

    @Test
    void manifestForAnotherDeviceOrClass_isManifestMismatch() {
        assertEquals(ErrorCode.MANIFEST_MISMATCH, refusal(SIGNER.sign(manifest("pump-2", "pi-4", 1)), 0));
        assertEquals(ErrorCode.MANIFEST_MISMATCH, refusal(SIGNER.sign(manifest("pump-1", "x86", 1)), 0));
    }

    @Test
    void generationNotAboveTheAcceptedOne_isStaleGeneration() {
        Signed gen5 = SIGNER.sign(manifest("pump-1", "pi-4", 5));
        assertEquals(ErrorCode.STALE_GENERATION, refusal(gen5, 5));
        assertEquals(ErrorCode.STALE_GENERATION, refusal(gen5, 9));
        assertEquals(5, verifier().verify(gen5, PUMP, 4).generation());
    }

    @Test
    void keyRotation_signedByTheTrustedKey_movesTrustToTheNewKey() {
        HubKey next = HubKey.generate();
        ManifestVerifier rotated = verifier().rotate(SIGNER.rotateTo(next.publicKey()));

        assertEquals(next.keyId(), rotated.trusted().keyId());
        Signed byNext = new ManifestSigner(next).sign(manifest("pump-1", "pi-4", 1));
        assertEquals(1, rotated.verify(byNext, PUMP, 0).generation());
        Signed byOld = SIGNER.sign(manifest("pump-1", "pi-4", 2));
        assertEquals(ErrorCode.UNKNOWN_SIGNING_KEY,
                assertThrows(TandemException.class, () -> rotated.verify(byOld, PUMP, 1)).code());
    }

    @Test
    void keyRotation_signedByAnyOtherKey_isRefused() {
        HubKey attacker = HubKey.generate();
        Signed selfSigned = new ManifestSigner(attacker).rotateTo(attacker.publicKey());
        assertEquals(ErrorCode.UNKNOWN_SIGNING_KEY,
                assertThrows(TandemException.class, () -> verifier().rotate(selfSigned)).code());
    }

    @Test
    void aSignedRotation_cannotPassForAManifest_norTheReverse() {
        Signed rotation = SIGNER.rotateTo(HubKey.generate().publicKey());
        Signed asManifest = new Signed(ManifestSigner.MANIFEST, rotation.keyId(), rotation.payload(),
                rotation.signature());
        assertEquals(ErrorCode.SIGNATURE_INVALID, refusal(asManifest, 0));
        Signed manifest = SIGNER.sign(manifest("pump-1", "pi-4", 1));
        Signed asRotation = new Signed(ManifestSigner.ROTATION, manifest.keyId(), manifest.payload(),
                manifest.signature());
        assertEquals(ErrorCode.SIGNATURE_INVALID,
                assertThrows(TandemException.class, () -> verifier().rotate(asRotation)).code());
    }

    @Test
    void keyFiles_roundTrip_andThePrivateOneIsOwnerOnly(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("hub.key");
        Path pinned = dir.resolve("hub.pub");
        HUB.save(secret);
        HUB.publicKey().save(pinned);

        HubKey loaded = HubKey.load(secret);
        TrustedKey pin = TrustedKey.load(pinned);

        assertEquals(HUB.keyId(), loaded.keyId());
        assertEquals(HUB.publicKey(), pin);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(secret));
        Signed signed = new ManifestSigner(loaded).sign(manifest("pump-1", "pi-4", 1));
        assertEquals(1, new ManifestVerifier(pin).verify(signed, PUMP, 0).generation());
    }

    @Test
    void badKeyFiles_areInvalidConfig(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.key"), "hello");
        Path huge = Files.write(dir.resolve("huge.key"), new byte[PemFiles.MAX_BYTES + 1]);
        Path mixed = dir.resolve("mixed.key");
        Path other = dir.resolve("other.key");
        HubKey.generate().save(other);
        String a = Files.readString(other);
        Path mine = dir.resolve("mine.key");
        HUB.save(mine);
        String b = Files.readString(mine);
        // a private key from one pair with the public key of another
        Files.writeString(mixed, a.substring(0, a.indexOf("-----BEGIN PUBLIC KEY")) + b.substring(b.indexOf("-----BEGIN PUBLIC KEY")));

        for (Path p : new Path[]{garbage, huge, mixed, dir.resolve("absent.key")}) {
            assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, () -> HubKey.load(p)).code(),
                    p.toString());
        }
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, () -> TrustedKey.load(garbage)).code());
    }

    @Test
    void publicKeyEncoding_roundTrips() {
        TrustedKey k = TrustedKey.fromBase64(HUB.publicKey().toBase64());
        assertEquals(HUB.publicKey(), k);
        assertArrayEquals(HUB.publicKey().key().getEncoded(), k.key().getEncoded());
        assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class,
                () -> TrustedKey.fromBase64(Base64.getEncoder().encodeToString(new byte[300]))).code());
    }
}
