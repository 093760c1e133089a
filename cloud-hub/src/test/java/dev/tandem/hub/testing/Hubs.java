package dev.tandem.hub.testing;

import dev.tandem.hub.HubConfig;
import dev.tandem.hub.large.LargeModelConfig;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Shared set-up of the hub tests. */
public final class Hubs {
    public static final int COMMISSIONING_SAMPLES = 400;
    public static final Duration FIT_TIMEOUT = Duration.ofSeconds(60);

    private Hubs() {
    }

    /** Defaults with a shorter large-model training, so that a test fits in seconds. */
    public static HubConfig config(BrokerAddress broker) {
        return HubConfig.builder(broker).large(LargeModelConfig.builder().steps(300).build()).build();
    }

    public static void commission(TestClient device, String site, String name) {
        device.publish(Topics.of(site, name, Topics.Kind.COMMISSIONING),
                Wire.encode(Signals.commissioning(site, name, COMMISSIONING_SAMPLES)));
    }

    /** Waits for the (retained) model assignment of a device on a client subscribed to its model topic. */
    public static ModelAssignment awaitModel(TestClient client, String site, String device) {
        String topic = Topics.of(site, device, Topics.Kind.MODEL);
        TestClient.Received r = client.await(m -> m.topic().equals(topic), FIT_TIMEOUT);
        assertNotNull(r, "no model assignment for " + site + "/" + device + " within " + FIT_TIMEOUT);
        return Wire.decode(r.payload(), ModelAssignment.class);
    }

    /**
     * The artifact of a manifest-only assignment, fetched from the hub as a device does: requests on the
     * device's {@code model/fetch} topic, chunks on its {@code model/chunk} topic, each checked; the
     * assignment returned with its artifact inline (check it against the manifest).
     *
     * @param chunkBytes bytes asked for per request
     */
    public static ModelAssignment fetched(TestClient client, ModelAssignment a, int chunkBytes) {
        if (a.inline()) {
            return a;
        }
        String sha = manifestOf(a).sha256();
        long size = manifestOf(a).sizeBytes();
        String chunkTopic = Topics.of(a.site(), a.device(), Topics.Kind.MODEL_CHUNK);
        client.subscribe(chunkTopic);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (out.size() < size) {
            client.publish(Topics.of(a.site(), a.device(), Topics.Kind.MODEL_FETCH), Wire.encode(
                    dev.tandem.shared.wire.ArtifactFetch.of(a.site(), a.device(), sha, out.size(), chunkBytes)));
            TestClient.Received r = client.await(m -> m.topic().equals(chunkTopic), Duration.ofSeconds(10));
            assertNotNull(r, "no chunk of " + sha + " at " + out.size() + " from the hub");
            dev.tandem.shared.wire.ArtifactChunk c = dev.tandem.shared.wire.ArtifactChunk.decode(r.payload());
            if (c.isRefusal()) {
                throw new AssertionError("the hub refused artifact " + sha + ": " + c.refused());
            }
            c.verify();
            out.write(c.bytes(), 0, c.bytes().length);
        }
        return a.withArtifact(out.toByteArray());
    }

    /** The manifest an assignment carries (its signature not checked: see {@code TestKeys.open}). */
    public static dev.tandem.shared.signing.ModelManifest manifestOf(ModelAssignment a) {
        return Wire.decode(java.util.Base64.getDecoder().decode(a.manifest().payload()),
                dev.tandem.shared.signing.ModelManifest.class);
    }

    public static void send(TestClient device, Escalation e) {
        device.publish(Topics.of(e.site(), e.device(), Topics.Kind.ESCALATIONS), Wire.encode(e));
    }

    /** The verdict answering {@code escalationId}, or null after {@code timeout}. */
    public static Verdict awaitVerdict(TestClient device, String escalationId, Duration timeout) {
        TestClient.Received r = device.await(m -> m.topic().endsWith("/verdicts")
                && Wire.decode(m.payload(), Verdict.class).id().equals(escalationId), timeout);
        return r == null ? null : Wire.decode(r.payload(), Verdict.class);
    }
}
