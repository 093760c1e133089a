package dev.tandem.edge;

import dev.tandem.edge.delivery.DeliverySettings;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.signing.ManifestSigner;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.ArtifactChunk;
import dev.tandem.shared.wire.ArtifactFetch;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.wire.ModelState.State;
import dev.tandem.shared.wire.Wire;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Chunked delivery on the device, end to end on a real broker: the retained assignment carries the
 * signed manifest only; the agent fetches the artifact in chunks (a small chunk size, so a tiny model
 * spans several), checks each chunk and the whole, resumes from its partial file after a restart or a
 * disconnection, refuses what is too large before asking for a byte, and gives up after bounded
 * attempts. The test plays the hub's artifact server with the wire's own chunk codec.
 */
class ChunkedDeliveryTest extends AgentTestSupport {
    private static final int CHUNK = 64;

    private final TinyModel v1 = TestModels.standard("v1");
    private final byte[] bytes = TinyModelCodec.encode(v1);
    private final int chunks = (bytes.length + CHUNK - 1) / CHUNK;

    /** The hub's v3 assignment of {@code m}: the signed manifest, no artifact. */
    private ModelAssignment manifestOnly(TinyModel m, long generation) {
        byte[] b = TinyModelCodec.encode(m);
        ModelManifest manifest = ModelManifest.of(site, device, Commissioning.DEFAULT_CLASS, generation,
                TinyModelCodec.manifest(m, b), null);
        return ModelAssignment.manifestOnly(site, device, new ManifestSigner(TestKeys.HUB).sign(manifest),
                TestModels.CONTEXT);
    }

    private byte[] answer(ArtifactFetch f) {
        return ArtifactChunk.answer(f, bytes, CHUNK).encode();
    }

    private EdgeConfig.Builder chunked() {
        return config().delivery(DeliverySettings.defaults().withChunkBytes(CHUNK));
    }

    private TestHub hubServing(Vertx vertx, java.util.function.Function<ArtifactFetch, byte[]> server) {
        return hub(vertx).subscribe(topic(Kind.MODEL_STATE), topic(Kind.MODEL_FETCH)).serveArtifacts(server);
    }

    /** The next model state in {@code wanted}, skipping the others. */
    private ModelState next(Set<State> wanted) {
        long deadline = System.nanoTime() + TestHub.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ModelState s = hub.poll(topic(Kind.MODEL_STATE), ModelState.class, Duration.ofMillis(100));
            if (s != null && wanted.contains(s.state())) {
                return s;
            }
        }
        return fail("no model state in " + wanted + " within " + TestHub.WAIT);
    }

    private ModelState outcome() {
        return next(EnumSet.of(State.ACTIVE, State.FAILED, State.ROLLED_BACK));
    }

    private List<ArtifactFetch> fetches() {
        return hub.all(topic(Kind.MODEL_FETCH), ArtifactFetch.class);
    }

    @Test
    void aManifestOnlyAssignment_isFetchedInSeveralChunks_checkedAndActivated(Vertx vertx) {
        assertTrue(chunks >= 3, "the model spans several chunks: " + bytes.length + " bytes");
        hubServing(vertx, this::answer);
        hub.publish(topic(Kind.MODEL), manifestOnly(v1, 10), true);
        EdgeAgent agent = deploy(vertx, chunked().build());

        ModelState downloading = next(EnumSet.of(State.DOWNLOADING));
        assertEquals(10L, downloading.generation());
        assertEquals("fetched 0 of " + bytes.length + " bytes", downloading.reason());
        assertEquals(State.VERIFYING, next(EnumSet.of(State.VERIFYING, State.ACTIVE, State.FAILED)).state());
        assertEquals(State.ACTIVE, outcome().state());
        assertEquals("v1", agent.modelVersion(device).orElseThrow());

        List<ArtifactFetch> asked = fetches();
        assertEquals(chunks, asked.size(), "one request per chunk: " + asked);
        for (int i = 0; i < chunks; i++) {
            assertEquals((long) i * CHUNK, asked.get(i).offset());
            assertEquals(v1Sha(), asked.get(i).sha256());
        }
        assertEquals(chunks, agent.metrics().chunksReceived());
        assertEquals(1, agent.metrics().downloads("complete"));
        assertEquals(bytes.length, agent.downloads().bytes());
        assertEquals(0, agent.metrics().snapshot().errors());
    }

    private String v1Sha() {
        return TinyModelCodec.manifest(v1, bytes).sha256();
    }

    @Test
    void aCorruptedChunk_isRefusedCounted_andFetchedAgain(Vertx vertx) {
        AtomicInteger corrupted = new AtomicInteger();
        hubServing(vertx, f -> f.offset() == CHUNK && corrupted.getAndIncrement() == 0
                ? ArtifactChunk.answer(f, bytes, CHUNK).corrupted().encode() : answer(f));
        hub.publish(topic(Kind.MODEL), manifestOnly(v1, 10), true);
        EdgeAgent agent = deploy(vertx, chunked().build());

        assertEquals(State.ACTIVE, outcome().state());
        assertEquals(1, agent.metrics().chunksRefused("hash"));
        assertEquals(1, agent.metrics().errors(ErrorCode.ARTIFACT_HASH_MISMATCH));
        assertEquals(2, fetches().stream().filter(f -> f.offset() == CHUNK).count(), "the bad chunk asked for again");
        assertEquals(chunks + 1, fetches().size());
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
    }

    @Test
    void anAgentRestartedMidDownload_resumesFromTheBytesOnItsDisk(Vertx vertx, @TempDir Path state) throws Exception {
        AtomicLong served = new AtomicLong();
        // the hub answers the first two chunks, then goes silent
        hubServing(vertx, f -> served.incrementAndGet() <= 2 ? answer(f) : null);
        hub.publish(topic(Kind.MODEL), manifestOnly(v1, 10), true);
        EdgeConfig config = chunked().stateDir(state)
                .delivery(DeliverySettings.defaults().withChunkBytes(CHUNK).withRetry(Duration.ofSeconds(5), 6)).build();
        EdgeAgent first = deploy(vertx, config);
        waitUntil(() -> first.downloads().chunks() == 2, "two chunks on disk");
        Path partial = state.resolve("downloads").resolve(device + "-" + v1Sha() + ".part");
        waitUntil(() -> Files.exists(partial), "the partial file");
        TestHub.await(vertx.undeploy(vertx.deploymentIDs().iterator().next()));
        assertEquals(2L * CHUNK, Files.size(partial));
        int before = fetches().size();
        while (hub.poll(topic(Kind.MODEL_STATE), ModelState.class, Duration.ofMillis(100)) != null) {
            // the first agent's reports
        }

        hub.serveArtifacts(this::answer);
        EdgeAgent second = deploy(vertx, config);
        ModelState resumed = next(EnumSet.of(State.DOWNLOADING));
        assertTrue(resumed.reason().startsWith("fetched " + 2 * CHUNK + " of " + bytes.length), resumed.reason());
        assertTrue(resumed.reason().contains("resumed"), resumed.reason());
        assertEquals(State.ACTIVE, outcome().state());
        List<ArtifactFetch> after = fetches().subList(before, fetches().size());
        assertEquals(2L * CHUNK, after.get(0).offset(), "the restarted agent asks from the bytes it holds");
        assertEquals(chunks - 2, after.size());
        assertEquals(1, second.downloads().resumed());
        assertFalse(Files.exists(partial), "the partial file is removed once the artifact is complete");
    }

    @Test
    void aDisconnectionMidDownload_goesOnFromTheBytesHeld_withoutSpendingAttempts(Vertx vertx) {
        CuttableProxy proxy = new CuttableProxy(vertx, broker.address());
        AtomicLong served = new AtomicLong();
        hubServing(vertx, f -> served.incrementAndGet() <= 2 ? answer(f) : null);
        hub.publish(topic(Kind.MODEL), manifestOnly(v1, 10), true);
        EdgeAgent agent = deploy(vertx, EdgeConfig.builder(proxy.address(), site, List.of(device))
                .hubKey(TestKeys.hubPublicKey()).reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(200))
                .delivery(DeliverySettings.defaults().withChunkBytes(CHUNK).withRetry(Duration.ofSeconds(2), 2)).build());
        waitUntil(() -> agent.downloads().chunks() == 2, "two chunks held");
        proxy.cut();
        waitUntil(() -> !agent.isConnected(), "disconnected");
        int before = fetches().size();
        hub.serveArtifacts(this::answer);
        proxy.restore();

        assertEquals(State.ACTIVE, outcome().state());
        assertTrue(fetches().stream().skip(before).allMatch(f -> f.offset() >= 2L * CHUNK),
                "nothing fetched twice after the reconnection: " + fetches());
        assertEquals(chunks, agent.metrics().chunksReceived());
        proxy.close();
    }

    @Test
    void aManifestAboveTheSizeLimit_isRefusedBeforeAnyChunkIsRequested(Vertx vertx) {
        hubServing(vertx, this::answer);
        hub.publish(topic(Kind.MODEL), manifestOnly(v1, 10), true);
        EdgeAgent agent = deploy(vertx, config().delivery(DeliverySettings.defaults().withMaxArtifactBytes(bytes.length - 1))
                .build());

        ModelState failed = outcome();
        assertEquals(State.FAILED, failed.state());
        assertEquals(ErrorCode.ARTIFACT_TOO_LARGE, failed.code());
        assertEquals(10L, failed.generation());
        assertNull(hub.poll(topic(Kind.MODEL_FETCH), ArtifactFetch.class, Duration.ofMillis(300)), "nothing asked for");
        assertEquals(0, hub.count(topic(Kind.MODEL_FETCH)));
        assertEquals(1, agent.metrics().downloads("too_large"));
        assertTrue(agent.modelVersion(device).isEmpty());
    }

    @Test
    void aHubThatNeverAnswers_failsTheDownloadAfterItsBoundedAttempts(Vertx vertx) {
        hubServing(vertx, f -> null);
        hub.publish(topic(Kind.MODEL), manifestOnly(v1, 10), true);
        EdgeAgent agent = deploy(vertx, chunked().delivery(DeliverySettings.defaults().withChunkBytes(CHUNK)
                .withRetry(Duration.ofMillis(100), 3)).build());

        ModelState failed = outcome();
        assertEquals(State.FAILED, failed.state());
        assertEquals(ErrorCode.DOWNLOAD_FAILED, failed.code());
        assertEquals(3, fetches().size(), "three attempts, then it gives up");
        assertEquals(3, agent.downloads().timeouts());
        assertEquals(1, agent.metrics().downloads("failed"));
    }

    @Test
    void aRefusingHub_failsTheDownloadWithTheHubsCode(Vertx vertx) {
        hubServing(vertx, f -> ArtifactChunk.refusal(f.sha256(), ErrorCode.ARTIFACT_NOT_ASSIGNED).encode());
        hub.publish(topic(Kind.MODEL), manifestOnly(v1, 10), true);
        EdgeAgent agent = deploy(vertx, chunked().delivery(DeliverySettings.defaults().withChunkBytes(CHUNK)
                .withRetry(Duration.ofMillis(50), 2)).build());

        ModelState failed = outcome();
        assertEquals(ErrorCode.ARTIFACT_NOT_ASSIGNED, failed.code());
        assertEquals(2, agent.metrics().chunksRefused("hub"));
    }

    @Test
    void aVersion2AssignmentWithItsArtifactInline_isStillTaken(Vertx vertx) {
        hubServing(vertx, this::answer);
        ModelAssignment inline = TestModels.assignment(site, device, v1);
        String v2 = new String(Wire.encode(inline), StandardCharsets.UTF_8).replace("\"v\":3", "\"v\":2");
        assertTrue(v2.startsWith("{\"v\":2"), v2);
        hub.publishRaw(topic(Kind.MODEL), v2.getBytes(StandardCharsets.UTF_8), true);
        EdgeAgent agent = deploy(vertx, chunked().build());

        assertEquals(State.ACTIVE, outcome().state());
        assertEquals(0, hub.count(topic(Kind.MODEL_FETCH)), "nothing to fetch");
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
    }
}
