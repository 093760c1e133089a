package dev.tandem.hub.commissioning;

import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.shared.signing.ManifestSigner;
import dev.tandem.shared.signing.ManifestVerifier;
import dev.tandem.shared.signing.Signed;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.fleet.DeviceModels;
import dev.tandem.hub.store.HubStore;
import dev.tandem.hub.store.StoreSettings;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommissioningTest {
    private MosquittoBroker broker;

    @BeforeAll
    void startBroker() {
        broker = MosquittoBroker.start();
    }

    @AfterAll
    void stopBroker() {
        broker.close();
    }

    @Test
    void commissioning_deliversRetainedAssignment_whoseArtifactVerifiesAndDecodesIntoTheTinyModel() {
        String site = Signals.site();
        HubConfig config = Hubs.config(broker.address());
        try (CloudHub hub = CloudHub.start(config); TestClient device = TestClient.connect(broker.url())) {
            Hubs.commission(device, site, "m1");
            assertTrue(TestWait.until(Hubs.FIT_TIMEOUT, () -> hub.metrics().snapshot().modelsPublished() == 1));

            // a device that connects later still gets it: the assignment is retained
            try (TestClient late = TestClient.connect(broker.url()).subscribe(Topics.of(site, "m1", Topics.Kind.MODEL))) {
                TestClient.Received r = late.await(m -> true, Duration.ofSeconds(5));
                assertNotNull(r, "retained model assignment");
                assertTrue(r.retained());
                ModelAssignment retained = Wire.decode(r.payload(), ModelAssignment.class);
                assertEquals(ModelAssignment.VERSION, retained.v());
                assertTrue(!retained.inline(), "the signed manifest only: the artifact is fetched in chunks");
                ModelAssignment a = Hubs.fetched(late, retained, 512); // several chunks of a few-KB model
                assertTrue(hub.artifacts().chunksSent() >= 2, "chunks sent: " + hub.artifacts().chunksSent());
                TestKeys.Opened opened = TestKeys.open(a, hub.publicKey()); // signed by this hub for m1
                TinyModel tiny = opened.model();
                assertEquals("m1", opened.manifest().device());
                assertEquals(Signals.CHANNELS, tiny.channels());
                assertEquals(config.tinyFit().windowSize(), tiny.windowSize());
                assertTrue(tiny.version().startsWith("tiny-"), tiny.version());
                assertEquals(config.large().contextSize(), a.contextSize());

                DeviceModels models = hub.fleet().models(new DeviceId(site, "m1")).orElseThrow();
                assertEquals(tiny, models.tiny());
                assertTrue(models.large().parameterCount() >= 50L * tiny.parameterCount(),
                        "large model " + models.large().parameterCount() + " params vs tiny " + tiny.parameterCount());
                assertEquals(1, hub.metrics().snapshot().devicesWithModel());
                assertEquals(1, hub.metrics().snapshot().commissioningsReceived());
            }
        }
    }

    @Test
    void badCommissioningSets_areCountedWithTheirCode_andTheNextValidSetIsStillFitted() {
        String site = Signals.site();
        try (CloudHub hub = CloudHub.start(Hubs.config(broker.address()));
             TestClient device = TestClient.connect(broker.url()).subscribe(Topics.allDevices(site, Topics.Kind.MODEL))) {
            device.publish(Topics.of(site, "m1", Topics.Kind.COMMISSIONING), "{oops".getBytes(StandardCharsets.UTF_8));
            device.publish(Topics.of(site, "m2", Topics.Kind.COMMISSIONING),
                    Wire.encode(Signals.commissioning(site, "m3", Hubs.COMMISSIONING_SAMPLES)));
            device.publish(Topics.of(site, "m4", Topics.Kind.COMMISSIONING),
                    Wire.encode(Signals.commissioning(site, "m4", 12))); // too short to fit
            String v2 = new String(Wire.encode(Signals.commissioning(site, "m5", 50)), StandardCharsets.UTF_8)
                    .replaceFirst("\"v\":[0-9]+", "\"v\":99");
            device.publish(Topics.of(site, "m5", Topics.Kind.COMMISSIONING), v2.getBytes(StandardCharsets.UTF_8));
            Hubs.commission(device, site, "m6");

            ModelAssignment a = Hubs.awaitModel(device, site, "m6");
            assertEquals("m6", a.device());
            assertTrue(TestWait.until(Duration.ofSeconds(5), () -> hub.metrics().errorCount(ErrorCode.INVALID_FIELD) == 1));
            assertEquals(1, hub.metrics().errorCount(ErrorCode.MALFORMED_PAYLOAD));
            assertEquals(1, hub.metrics().errorCount(ErrorCode.DEVICE_MISMATCH));
            assertEquals(1, hub.metrics().errorCount(ErrorCode.UNKNOWN_SCHEMA_VERSION));
            assertEquals(1, hub.metrics().snapshot().devicesWithModel());
        }
    }

    @Test
    void twoHubs_fitTheSameSet_andPublishTheSameVersion() {
        String site = Signals.site();
        try (CloudHub a = CloudHub.start(Hubs.config(broker.address()));
             CloudHub b = CloudHub.start(Hubs.config(broker.address()));
             TestClient device = TestClient.connect(broker.url())) {
            Hubs.commission(device, site, "m1");
            DeviceId id = new DeviceId(site, "m1");
            assertTrue(TestWait.until(Hubs.FIT_TIMEOUT, () -> a.fleet().models(id).isPresent() && b.fleet().models(id).isPresent()));
            assertEquals(a.fleet().models(id).get().tiny(), b.fleet().models(id).get().tiny());
            assertEquals(a.fleet().models(id).get().large().version(), b.fleet().models(id).get().large().version());
        }
    }

    @Test
    void recommissioning_replacesTheDevicesModels_andVerdictsComeFromTheNewOne() {
        String site = Signals.site();
        try (CloudHub hub = CloudHub.start(Hubs.config(broker.address()));
             TestClient device = TestClient.connect(broker.url())
                     .subscribe(Topics.of(site, "m1", Topics.Kind.MODEL))
                     .subscribe(Topics.of(site, "m1", Topics.Kind.VERDICTS))) {
            Hubs.commission(device, site, "m1");
            ModelAssignment first = Hubs.awaitModel(device, site, "m1");
            List<Sample> shifted = new ArrayList<>();
            for (Sample s : Signals.range(0, Hubs.COMMISSIONING_SAMPLES - 1)) {
                double[] v = s.values();
                v[2] += 3; // the machine now runs warmer
                shifted.add(new Sample(s.seq(), s.ts(), v));
            }
            device.publish(Topics.of(site, "m1", Topics.Kind.COMMISSIONING), Wire.encode(Commissioning.of(site, "m1", shifted)));
            ModelAssignment second = Hubs.awaitModel(device, site, "m1");
            assertNotEquals(version(first), version(second));
            assertEquals(1, hub.metrics().snapshot().devicesWithModel());

            Escalation e = Signals.normalEscalation(site, "m1", 5_000, second.contextSize());
            Hubs.send(device, e);
            Verdict v = Hubs.awaitVerdict(device, e.id(), Duration.ofSeconds(10));
            assertNotNull(v);
            assertEquals(version(second).replace("tiny-", "large-"), v.hubModelVersion());
        }
    }

    @Test
    void rotatedKey_theHubPublishesTheKeyHistoryBeforeTheModel_soAnAgentPinnedToTheOldKeyFollows() throws Exception {
        String site = Signals.site();
        HubKey next = HubKey.generate();
        List<Signed> history = List.of(new ManifestSigner(TestKeys.HUB).rotateTo(next.publicKey()));
        HubConfig config = Hubs.config(broker.address()).toBuilder().signingKey(next).keyHistory(history).build();
        try (CloudHub hub = CloudHub.start(config);
             TestClient device = TestClient.connect(broker.url()).subscribe(Topics.of(site, "m1", Topics.Kind.TRUST))
                     .subscribe(Topics.of(site, "m1", Topics.Kind.MODEL))) {
            Hubs.commission(device, site, "m1");
            ModelAssignment a = Hubs.awaitModel(device, site, "m1");
            TestClient.Received trust = device.await(r -> r.topic().endsWith("/trust"), Duration.ofSeconds(5));
            assertNotNull(trust, "the key history, retained");
            TrustChain chain = Wire.decode(trust.payload(), TrustChain.class);
            ManifestVerifier followed = chain.follow(new ManifestVerifier(TestKeys.hubPublicKey()));
            assertEquals(next.publicKey(), followed.trusted());
            assertEquals("m1", TestKeys.open(Hubs.fetched(device, a, 16 * 1024), followed.trusted()).manifest().device());
        }
    }

    @Test
    void restartedHub_withDataDir_loadsItsDevicesModelsWithoutFitting_republishes_andAnswers(@TempDir Path dataDir)
            throws Exception {
        String site = Signals.site();
        HubConfig config = Hubs.config(broker.address()).toBuilder().dataDir(dataDir).build();
        String version;
        try (CloudHub hub = CloudHub.start(config);
             TestClient device = TestClient.connect(broker.url()).subscribe(Topics.of(site, "m1", Topics.Kind.MODEL))
                     .subscribe(Topics.of(site, "m1", Topics.Kind.VERDICTS))) {
            Hubs.commission(device, site, "m1");
            version = version(Hubs.awaitModel(device, site, "m1"));
            int context = hub.fleet().models(new DeviceId(site, "m1")).orElseThrow().large().contextSize();
            Escalation e = Signals.normalEscalation(site, "m1", 8_000, context);
            Hubs.send(device, e);
            Verdict v = Hubs.awaitVerdict(device, e.id(), Duration.ofSeconds(10));
            assertNotNull(v);
            assertTrue(hub.escalationLog().flush(Duration.ofSeconds(10)));
            var kept = hub.store().escalations().list(site, "m1", 0, Long.MAX_VALUE, 10);
            assertEquals(1, kept.size(), "the escalation and its verdict are recorded");
            assertEquals(e.id(), kept.get(0).id());
            assertEquals(v.anomaly(), kept.get(0).verdictAnomaly());
            assertEquals(v.score(), kept.get(0).verdictScore(), 0.0);
            assertEquals(v.hubModelVersion(), kept.get(0).hubModelVersion());
            assertEquals(1, hub.store().models().manifests(site, "m1").size(), "the signed assignment is recorded");
        }
        assertTrue(Files.isRegularFile(dataDir.resolve(StoreSettings.H2_FILE + ".mv.db")));
        try (HubStore store = HubStore.open(config.store())) {
            // a damaged set of another device: skipped with its code, the others still load
            store.commissioning().save(Signals.commissioning(site, "broken", Hubs.COMMISSIONING_SAMPLES), 1);
            store.withConnection("damage", c -> c.createStatement().executeUpdate(
                    "update commissioning_sets set payload = X'7b6e6f7065' where device = 'broken'"));
        }

        try (CloudHub restarted = CloudHub.start(config.toBuilder().instanceId("restarted").build());
             TestClient device = TestClient.connect(broker.url()).subscribe(Topics.of(site, "m1", Topics.Kind.VERDICTS))) {
            restarted.restored().get(Hubs.FIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            DeviceModels m = restarted.fleet().models(new DeviceId(site, "m1")).orElseThrow();
            assertEquals(version, m.tiny().version(), "the kept model");
            assertEquals(0, restarted.metrics().snapshot().modelsFitted(), "nothing fitted again");
            assertEquals(1, restarted.metrics().modelsLoaded());
            assertEquals(1, restarted.metrics().errorCount(ErrorCode.ARTIFACT_HASH_MISMATCH), "the damaged set is skipped");
            assertTrue(TestWait.until(Duration.ofSeconds(10), () -> restarted.metrics().snapshot().modelsPublished() == 1),
                    "the restarted hub publishes the kept model again");

            Escalation e = Signals.normalEscalation(site, "m1", 9_000, m.large().contextSize());
            Hubs.send(device, e);
            assertNotNull(Hubs.awaitVerdict(device, e.id(), Duration.ofSeconds(10)));
            assertTrue(restarted.escalationLog().flush(Duration.ofSeconds(10)));
            assertEquals(2, restarted.store().escalations().count(), "the first hub's escalation is still there");
            assertTrue(restarted.store().models().manifests(site, "m1").size() >= 2);
        }

        // other fit settings are other models: fitted (once) and kept beside the first
        HubConfig other = config.toBuilder().instanceId("resettled")
                .large(dev.tandem.hub.large.LargeModelConfig.builder().steps(200).build()).build();
        try (CloudHub refit = CloudHub.start(other)) {
            refit.restored().get(Hubs.FIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            DeviceModels m = refit.fleet().models(new DeviceId(site, "m1")).orElseThrow();
            assertNotEquals(version, m.tiny().version(), "the versions name the settings");
            assertEquals(1, refit.metrics().snapshot().modelsFitted());
            assertEquals(0, refit.metrics().modelsLoaded());
            assertEquals(4, refit.store().models().list(site, "m1").size(), "both fits kept");
        }
    }

    /** The model version an assignment carries (read from its signed manifest, not verified here). */
    private static String version(ModelAssignment a) {
        return dev.tandem.shared.wire.Wire.decode(java.util.Base64.getDecoder().decode(a.manifest().payload()),
                dev.tandem.shared.signing.ModelManifest.class).version();
    }
}
