package dev.tandem.hub.delivery;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.ArtifactChunk;
import dev.tandem.shared.wire.ArtifactFetch;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub's artifact server on mosquitto: a device fetches its own artifact in chunks, from any hub
 * instance sharing the store; another device's artifact, or one the hub never assigned, is refused
 * (ARTIFACT_NOT_ASSIGNED, counted) and no byte of it is sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArtifactServerTest {
    private MosquittoBroker broker;

    @BeforeAll
    void startBroker() {
        broker = MosquittoBroker.start();
    }

    @AfterAll
    void stopBroker() {
        broker.close();
    }

    private static ArtifactChunk ask(TestClient device, String site, String name, String sha, long offset) {
        String chunks = Topics.of(site, name, Topics.Kind.MODEL_CHUNK);
        device.publish(Topics.of(site, name, Topics.Kind.MODEL_FETCH), Wire.encode(ArtifactFetch.of(site, name, sha,
                offset, 1024)));
        TestClient.Received r = device.await(m -> m.topic().equals(chunks), Duration.ofSeconds(10));
        assertNotNull(r, "no answer on " + chunks);
        return ArtifactChunk.decode(r.payload());
    }

    @Test
    void aDeviceFetchesItsOwnArtifact_butNotAnotherDevicesNorAnUnknownOne() {
        String site = Signals.site();
        try (CloudHub hub = CloudHub.start(Hubs.config(broker.address()));
             TestClient device = TestClient.connect(broker.url())
                     .subscribe(Topics.of(site, "m1", Topics.Kind.MODEL))
                     .subscribe(Topics.of(site, "m2", Topics.Kind.MODEL))
                     .subscribe(Topics.of(site, "m1", Topics.Kind.MODEL_CHUNK))) {
            Hubs.commission(device, site, "m1");
            // m2 commissioned on other readings, so that its model (and artifact) differs from m1's
            device.publish(Topics.of(site, "m2", Topics.Kind.COMMISSIONING), Wire.encode(
                    dev.tandem.shared.wire.Commissioning.of(site, "m2", Signals.range(1000, 999 + Hubs.COMMISSIONING_SAMPLES))));
            ModelAssignment m1 = Hubs.awaitModel(device, site, "m1");
            ModelAssignment m2 = Hubs.awaitModel(device, site, "m2");
            assertFalse(m1.inline());
            String own = Hubs.manifestOf(m1).sha256();
            String other = Hubs.manifestOf(m2).sha256();
            assertFalse(own.equals(other), "two artifacts");

            ArtifactChunk first = ask(device, site, "m1", own, 0);
            assertFalse(first.isRefusal());
            first.verify();
            assertEquals(Hubs.manifestOf(m1).sizeBytes(), first.totalBytes());

            // m1 asks, on its own fetch topic, for the artifact assigned to m2: refused, nothing of it sent
            long before = hub.metrics().snapshot().errors(ErrorCode.ARTIFACT_NOT_ASSIGNED);
            ArtifactChunk refused = ask(device, site, "m1", other, 0);
            assertTrue(refused.isRefusal());
            assertEquals(ErrorCode.ARTIFACT_NOT_ASSIGNED, refused.refused());
            assertEquals(0, refused.totalBytes());
            ArtifactChunk unknown = ask(device, site, "m1", "ab".repeat(32), 0);
            assertEquals(ErrorCode.ARTIFACT_NOT_ASSIGNED, unknown.refused());
            assertTrue(dev.tandem.hub.testing.TestWait.until(Duration.ofSeconds(5),
                    () -> hub.artifacts().refused(ErrorCode.ARTIFACT_NOT_ASSIGNED) == 2));
            assertEquals(before + 2, hub.metrics().snapshot().errors(ErrorCode.ARTIFACT_NOT_ASSIGNED));

            // past the end of its own artifact: refused as an invalid request
            assertEquals(ErrorCode.INVALID_FIELD, ask(device, site, "m1", own, first.totalBytes()).refused());
            // and the whole of its own, in chunks, verifies against the signed manifest
            TestKeys.open(Hubs.fetched(device, m1, 700), hub.publicKey());
        }
    }

    @Test
    void anotherInstanceSharingTheStore_servesWhatTheFirstAssigned(@TempDir Path dir) {
        String site = Signals.site();
        HubConfig first = Hubs.config(broker.address()).toBuilder()
                .store(dev.tandem.hub.store.StoreSettings.h2File(dir.resolve("hub"))).instanceId("hub-a").build();
        ModelAssignment m1;
        try (CloudHub hub = CloudHub.start(first);
             TestClient device = TestClient.connect(broker.url()).subscribe(Topics.of(site, "m1", Topics.Kind.MODEL))) {
            Hubs.commission(device, site, "m1");
            m1 = Hubs.awaitModel(device, site, "m1");
            assertNotNull(m1);
            awaitManifestRecorded(hub, site);
        }
        // a restarted hub (or another instance on the same store) has nothing in memory: it reads the store
        try (CloudHub hub = CloudHub.start(first.toBuilder().instanceId("hub-b").build());
             TestClient device = TestClient.connect(broker.url())) {
            assertTrue(hub.awaitConnected(Duration.ofSeconds(10)));
            TestKeys.open(Hubs.fetched(device, m1, 4096), hub.publicKey()); // the site's one signing key
            assertTrue(dev.tandem.hub.testing.TestWait.until(Duration.ofSeconds(5), () -> hub.artifacts().chunksSent() >= 1));
        }
    }

    private static void awaitManifestRecorded(CloudHub hub, String site) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (hub.store().models().manifests(site, "m1").isEmpty() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertFalse(hub.store().models().manifests(site, "m1").isEmpty(), "the manifest recorded in the store");
    }
}
