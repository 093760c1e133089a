package dev.tandem.edge;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.signing.AssignmentSigner;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.shared.signing.ManifestSigner;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.signing.Signed;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.wire.Wire;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The edge runs only models its hub signed for it: every forgery is refused with its code, v1 keeps detecting. */
class SignedModelTest extends AgentTestSupport {
    private static final HubKey ATTACKER = HubKey.generate();

    record Forgery(String name, ErrorCode code, BiFunction<String, String, ModelAssignment> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static ModelAssignment signedWith(AssignmentSigner signer, String site, String device, String deviceClass,
                                              long generation) {
        return signer.assign(site, device, deviceClass, generation, TestModels.standard("evil"), null, TestModels.CONTEXT);
    }

    static Stream<Forgery> forgeries() {
        return Stream.of(
                new Forgery("an unsigned assignment", ErrorCode.MODEL_UNSIGNED, (site, dev) -> {
                    ModelAssignment good = TestModels.assignment(site, dev, TestModels.standard("evil"));
                    return new ModelAssignment(ModelAssignment.VERSION, site, dev, null, good.artifact(), good.contextSize(),
                            good.assignedAt());
                }),
                new Forgery("a manifest signed by another key", ErrorCode.UNKNOWN_SIGNING_KEY,
                        (site, dev) -> signedWith(new AssignmentSigner(ATTACKER), site, dev, Commissioning.DEFAULT_CLASS,
                                Long.MAX_VALUE)),
                new Forgery("another key's signature under the hub's key id", ErrorCode.SIGNATURE_INVALID, (site, dev) -> {
                    ModelAssignment forged = signedWith(new AssignmentSigner(ATTACKER), site, dev,
                            Commissioning.DEFAULT_CLASS, Long.MAX_VALUE);
                    Signed s = forged.manifest();
                    return withManifest(forged, new Signed(s.kind(), TestKeys.HUB.keyId(), s.payload(), s.signature()));
                }),
                new Forgery("a re-hashed artifact under the hub's signature", ErrorCode.SIGNATURE_INVALID, (site, dev) -> {
                    ModelAssignment genuine = TestModels.assignment(site, dev, TestModels.standard("v2"));
                    byte[] evil = TinyModelCodec.encode(TestModels.standard("v2-evil"));
                    ModelManifest rehashed = ModelManifest.of(site, dev, Commissioning.DEFAULT_CLASS, Long.MAX_VALUE,
                            TinyModelCodec.manifest(TestModels.standard("v2-evil"), evil), null);
                    Signed s = genuine.manifest();
                    return new ModelAssignment(ModelAssignment.VERSION, site, dev, new Signed(s.kind(), s.keyId(),
                            Base64.getEncoder().encodeToString(Wire.encode(rehashed)), s.signature()),
                            Base64.getEncoder().encodeToString(evil), genuine.contextSize(), genuine.assignedAt());
                }),
                new Forgery("the artifact swapped under a genuine manifest", ErrorCode.ARTIFACT_HASH_MISMATCH,
                        (site, dev) -> TestModels.tampered(site, dev, TestModels.standard("v2"))),
                new Forgery("a genuine manifest for another device", ErrorCode.MANIFEST_MISMATCH, (site, dev) -> {
                    ModelAssignment other = signedWith(TestKeys.SIGNER, site, "pump-9", Commissioning.DEFAULT_CLASS,
                            Long.MAX_VALUE);
                    return new ModelAssignment(ModelAssignment.VERSION, site, dev, other.manifest(), other.artifact(),
                            other.contextSize(), other.assignedAt());
                }),
                new Forgery("a genuine manifest for another device class", ErrorCode.MANIFEST_MISMATCH,
                        (site, dev) -> signedWith(TestKeys.SIGNER, site, dev, "x86", Long.MAX_VALUE)),
                new Forgery("a genuine manifest of an older generation", ErrorCode.STALE_GENERATION,
                        (site, dev) -> signedWith(TestKeys.SIGNER, site, dev, Commissioning.DEFAULT_CLASS, 1)),
                new Forgery("a key rotation passed off as a manifest", ErrorCode.SIGNATURE_INVALID, (site, dev) -> {
                    ModelAssignment good = TestModels.assignment(site, dev, TestModels.standard("evil"));
                    Signed rotation = new ManifestSigner(TestKeys.HUB).rotateTo(ATTACKER.publicKey());
                    return withManifest(good, new Signed(ManifestSigner.MANIFEST, rotation.keyId(), rotation.payload(),
                            rotation.signature()));
                }));
    }

    private static ModelAssignment withManifest(ModelAssignment a, Signed manifest) {
        return new ModelAssignment(ModelAssignment.VERSION, a.site(), a.device(), manifest, a.artifact(), a.contextSize(),
                a.assignedAt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void forgedAssignment_isRejectedWithItsCode_andTheRunningModelKeepsDetecting(Forgery forgery, Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.MODEL_STATE), topic(Kind.ALARMS));
        TinyModel v1 = TestModels.standard("v1");
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, v1), true);
        EdgeAgent agent = deploy(vertx, config().build());
        assertEquals(ModelState.State.ACTIVE, settled(hub).state());

        hub.publish(topic(Kind.MODEL), forgery.make().apply(site, device), true);

        ModelState state = settled(hub);
        assertEquals(ModelState.State.FAILED, state.state());
        assertEquals(forgery.code(), state.code());
        assertEquals(1, agent.metrics().errors(forgery.code()));
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
        hub.readings(site, device, 3, 3, TestModels.row(v1, TestModels.NORMAL));
        hub.readings(site, device, TestModels.row(v1, TestModels.ANOMALY));
        Alarm alarm = hub.next(topic(Kind.ALARMS), Alarm.class);
        assertEquals("v1", alarm.modelVersion(), "the genuine model still raises the alarm");
    }

    @Test
    void acceptedGeneration_survivesARestart_soAReplayedOlderAssignmentStaysRefused(Vertx vertx, @TempDir Path state) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        ModelAssignment v1 = TestModels.assignment(site, device, TestModels.standard("v1"));
        ModelAssignment v2 = TestModels.assignment(site, device, TestModels.standard("v2"));
        hub.publish(topic(Kind.MODEL), v2, true);
        EdgeAgent first = deploy(vertx, config().stateDir(state).build());
        assertEquals(ModelState.State.ACTIVE, settled(hub).state());
        assertEquals("v2", first.modelVersion(device).orElseThrow());
        TestHub.await(vertx.undeploy(first.deploymentID()));

        // the attacker puts the older (genuinely signed) assignment back as the retained one
        hub.publish(topic(Kind.MODEL), v1, true);
        EdgeAgent second = deploy(vertx, config().stateDir(state).build());
        ModelState refused = settled(hub);
        assertEquals(ErrorCode.STALE_GENERATION, refused.code());
        assertNull(second.modelVersion(device).orElse(null));

        // the model it had accepted, assigned again as it was, is taken after the restart
        hub.publish(topic(Kind.MODEL), v2, true);
        TestHub.await(second.modelsLoaded());
        assertEquals("v2", second.modelVersion(device).orElseThrow());
        TestHub.await(vertx.undeploy(second.deploymentID())); // its outbox closed before the state directory goes
    }

    @Test
    void sameModelReissuedWithAHigherGeneration_isTakenSilently(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        TinyModel v1 = TestModels.standard("v1");
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, v1), true);
        EdgeAgent agent = deploy(vertx, config().build());
        assertEquals(ModelState.State.ACTIVE, settled(hub).state());

        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, v1), true); // another hub instance's copy
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, TestModels.standard("v3")), true);

        assertEquals(ModelState.State.VERIFYING, hub.next(topic(Kind.MODEL_STATE), ModelState.class).state());
        ModelState active = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        assertEquals("v3", active.version(), "no state was published for the re-issued v1");
        assertEquals(ModelState.State.ACTIVE, active.state());
        assertEquals(0, agent.metrics().errors(ErrorCode.STALE_GENERATION));
    }

    @Test
    void keyRotationSignedByThePinnedKey_isFollowed_evenWhenTheNewKeysModelCameFirst(Vertx vertx, @TempDir Path state) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        HubKey next = HubKey.generate();
        AssignmentSigner nextSigner = new AssignmentSigner(next);
        // the retained model is already signed by the new key when the agent starts
        hub.publish(topic(Kind.MODEL), nextSigner.assign(site, device, Commissioning.DEFAULT_CLASS,
                System.currentTimeMillis(), TestModels.standard("v2"), null, TestModels.CONTEXT), true);
        EdgeAgent agent = deploy(vertx, config().stateDir(state).build());
        assertEquals(ErrorCode.UNKNOWN_SIGNING_KEY, settled(hub).code());

        Signed rotation = new ManifestSigner(TestKeys.HUB).rotateTo(next.publicKey());
        hub.publish(topic(Kind.TRUST), TrustChain.of(site, device, java.util.List.of(rotation)), true);

        assertEquals(ModelState.State.ACTIVE, settled(hub).state(), "the waiting model is taken once the key is");
        assertEquals("v2", agent.modelVersion(device).orElseThrow());
        // the old key no longer signs for this device
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, TestModels.standard("v3")), true);
        assertEquals(ErrorCode.UNKNOWN_SIGNING_KEY, settled(hub).code());

        // after a restart the agent still trusts the new key (the history is kept on its disk)
        TestHub.await(vertx.undeploy(agent.deploymentID()));
        hub.publishRaw(topic(Kind.TRUST), new byte[0], true); // the retained history gone: the disk has it
        hub.publish(topic(Kind.MODEL), nextSigner.assign(site, device, Commissioning.DEFAULT_CLASS,
                System.currentTimeMillis() + 1000, TestModels.standard("v4"), null, TestModels.CONTEXT), true);
        EdgeAgent again = deploy(vertx, config().stateDir(state).build());
        assertEquals(ModelState.State.ACTIVE, settled(hub).state());
        assertEquals("v4", again.modelVersion(device).orElseThrow());
    }

    @Test
    void keyRotationNotSignedByTheTrustedKey_isRefused_andChangesNothing(Vertx vertx) {
        TestHub hub = hub(vertx).subscribe(topic(Kind.MODEL_STATE));
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, TestModels.standard("v1")), true);
        EdgeAgent agent = deploy(vertx, config().build());
        assertEquals(ModelState.State.ACTIVE, settled(hub).state());

        // a genuine rotation followed by a forged one: the whole chain is refused
        HubKey next = HubKey.generate();
        Signed genuine = new ManifestSigner(TestKeys.HUB).rotateTo(next.publicKey());
        Signed forged = new ManifestSigner(ATTACKER).rotateTo(ATTACKER.publicKey());
        Signed relabelled = new Signed(forged.kind(), next.keyId(), forged.payload(), forged.signature());
        hub.publish(topic(Kind.TRUST), TrustChain.of(site, device, java.util.List.of(genuine, relabelled)), true);
        waitUntil(() -> agent.metrics().errors(ErrorCode.SIGNATURE_INVALID) == 1, "the forged link counted");

        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, TestModels.standard("v2")), true);
        assertEquals(ModelState.State.ACTIVE, settled(hub).state(), "the pinned key still signs");
    }

    /** The next model state that is not RECEIVED (the outcome of an assignment). */
    private ModelState settled(TestHub hub) {
        ModelState s = hub.next(topic(Kind.MODEL_STATE), ModelState.class);
        return s.state() == ModelState.State.VERIFYING ? hub.next(topic(Kind.MODEL_STATE), ModelState.class) : s;
    }
}
