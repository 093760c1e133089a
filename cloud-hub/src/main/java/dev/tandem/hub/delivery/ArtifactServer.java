package dev.tandem.hub.delivery;

import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.mqtt.HubConnection;
import dev.tandem.hub.store.HubStore;
import dev.tandem.hub.store.Models;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.signing.Signed;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.ArtifactChunk;
import dev.tandem.shared.wire.ArtifactFetch;
import dev.tandem.shared.wire.Hashing;
import dev.tandem.shared.wire.Limits;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.Wire;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Serves the artifacts of the hub's assignments in chunks. The hub publishes an assignment as its
 * signed manifest only ({@link #publishable}); the device asks for pieces of the artifact on its
 * {@code model/fetch} topic ({@link ArtifactFetch}), which the hub group shares
 * ({@code $share/hub/.../model/fetch}, so any instance answers), and gets each on its
 * {@code model/chunk} topic as a binary {@link ArtifactChunk} (QoS 1, at most
 * {@link Limits#MAX_CHUNK_BYTES}). A device gets only artifacts assigned to it: one this instance
 * assigned (kept in memory, the last {@value #KEPT_PER_DEVICE} per device), or one a manifest in the
 * store names for that device (another instance's, or before a restart), read from the store's
 * content-addressed artifacts. Anything else is refused: a refusal frame with
 * {@code ARTIFACT_NOT_ASSIGNED}, counted and logged (rate-limited).
 *
 * <p>Requests are handed from Paho's thread to a small pool (the store is blocking JDBC); a full
 * queue drops the request (the device asks again). Meters: {@code tandem.hub.fetches.received},
 * {@code tandem.hub.chunks.sent}, {@code tandem.hub.chunks.sent.bytes},
 * {@code tandem.hub.fetches.refused{code}}.
 */
public final class ArtifactServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactServer.class);
    static final int KEPT_PER_DEVICE = 3;
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(2);
    private static final int QUEUE = 10_000;

    private final HubStore store;
    private final HubConnection connection;
    private final HubMetrics metrics;
    private final ExecutorService pool;
    private final Map<DeviceId, Map<String, byte[]>> assigned = new ConcurrentHashMap<>();
    private final Counter received;
    private final Counter sent;
    private final Counter sentBytes;
    private final Map<ErrorCode, Counter> refused = new ConcurrentHashMap<>();

    public ArtifactServer(HubStore store, HubConnection connection, HubMetrics metrics, String instanceId) {
        this.store = store;
        this.connection = connection;
        this.metrics = metrics;
        this.pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "tandem-hub-artifacts-" + instanceId);
            t.setDaemon(true);
            return t;
        });
        var registry = metrics.registry();
        received = Counter.builder("tandem.hub.fetches.received").description("artifact chunk requests of devices")
                .register(registry);
        sent = Counter.builder("tandem.hub.chunks.sent").description("artifact chunks sent to devices").register(registry);
        sentBytes = Counter.builder("tandem.hub.chunks.sent.bytes").register(registry);
        for (ErrorCode c : new ErrorCode[]{ErrorCode.ARTIFACT_NOT_ASSIGNED, ErrorCode.INVALID_FIELD,
                ErrorCode.DEVICE_MISMATCH, ErrorCode.MALFORMED_PAYLOAD, ErrorCode.UNKNOWN_SCHEMA_VERSION,
                ErrorCode.OVERSIZED_PAYLOAD, ErrorCode.STORE_UNAVAILABLE, ErrorCode.BROKER_UNAVAILABLE}) {
            refused.put(c, Counter.builder("tandem.hub.fetches.refused").tag("code", c.name())
                    .description("artifact chunk requests not served, by code").register(registry));
        }
    }

    /**
     * What the hub publishes for {@code a} (an assignment with its artifact inline, as signed): the
     * manifest only, the artifact kept here for the device to fetch.
     */
    public ModelAssignment publishable(DeviceId device, ModelAssignment a) {
        if (!a.inline()) {
            return a;
        }
        byte[] bytes = a.artifactBytes();
        Map<String, byte[]> kept = assigned.computeIfAbsent(device, d -> java.util.Collections.synchronizedMap(
                new LinkedHashMap<>(4, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                        return size() > KEPT_PER_DEVICE;
                    }
                }));
        kept.put(Hashing.sha256Hex(bytes), bytes);
        return a.withoutArtifact();
    }

    /** A {@code model/fetch} message (on Paho's thread: handed over at once). */
    public void offer(Topics.DeviceTopic topic, byte[] payload, long arrivedNanos) {
        received.increment();
        try {
            pool.execute(() -> serve(topic, payload));
        } catch (RejectedExecutionException e) {
            LOG.debug("artifact request of {}/{} dropped: queue full or stopping", topic.site(), topic.device());
        }
    }

    private void serve(Topics.DeviceTopic topic, byte[] payload) {
        DeviceId id = new DeviceId(topic.site(), topic.device());
        ArtifactFetch f;
        try {
            f = Wire.decode(payload, ArtifactFetch.class, 4096);
            if (!f.site().equals(topic.site()) || !f.device().equals(topic.device())) {
                throw new TandemException(ErrorCode.DEVICE_MISMATCH, "artifact request on the topic of " + id
                        + " names " + f.site() + "/" + f.device());
            }
        } catch (TandemException e) {
            refuse(e.code(), "artifact request of " + id + " dropped: " + e.getMessage());
            return;
        }
        byte[] artifact;
        try {
            artifact = find(id, f.sha256()).orElse(null);
        } catch (TandemException e) {
            refuse(e.code(), "artifact " + f.sha256() + " for " + id + " not read: " + e.getMessage());
            return; // the device asks again
        } catch (RuntimeException e) {
            metrics.failed("serve artifact " + f.sha256() + " to " + id, e);
            return;
        }
        ArtifactChunk answer;
        if (artifact == null) {
            refuse(ErrorCode.ARTIFACT_NOT_ASSIGNED, id + " asked for artifact " + f.sha256()
                    + ", which is not assigned to it: refused");
            answer = ArtifactChunk.refusal(f.sha256(), ErrorCode.ARTIFACT_NOT_ASSIGNED);
        } else {
            answer = ArtifactChunk.answer(f, artifact, Limits.MAX_CHUNK_BYTES);
            if (answer.isRefusal()) {
                refuse(answer.refused(), id + " asked for bytes from " + f.offset() + " of artifact " + f.sha256()
                        + " of " + artifact.length + " bytes: refused");
            }
        }
        boolean handed = connection.publish(Topics.of(id.site(), id.device(), Topics.Kind.MODEL_CHUNK), answer.encode(),
                1, false, PUBLISH_WAIT, failure -> {
                    if (failure != null) {
                        refused.get(ErrorCode.BROKER_UNAVAILABLE).increment();
                    }
                });
        if (!handed) {
            refused.get(ErrorCode.BROKER_UNAVAILABLE).increment();
        } else if (!answer.isRefusal()) {
            sent.increment();
            sentBytes.increment(answer.bytes().length);
        }
    }

    private void refuse(ErrorCode code, String message) {
        refused.computeIfAbsent(code, c -> Counter.builder("tandem.hub.fetches.refused").tag("code", c.name())
                .register(metrics.registry())).increment();
        metrics.error(code, message);
    }

    /** The artifact if it is assigned to the device: kept here, or named by one of its manifests in the store. */
    private Optional<byte[]> find(DeviceId id, String sha256) {
        Map<String, byte[]> kept = assigned.get(id);
        byte[] mine = kept == null ? null : kept.get(sha256);
        if (mine != null) {
            return Optional.of(mine);
        }
        for (Models.ManifestRecord m : store.models().manifests(id.site(), id.device())) {
            if (sha256.equals(shaOf(m))) {
                Optional<byte[]> bytes = store.models().artifact(sha256);
                if (bytes.isPresent()) {
                    publishable(id, ModelAssignment.of(id.site(), id.device(), null, bytes.get(), 1));
                }
                return bytes;
            }
        }
        return Optional.empty();
    }

    private static String shaOf(Models.ManifestRecord m) {
        try {
            Signed s = Wire.decode(m.signed(), Signed.class);
            return Wire.decode(Base64.getDecoder().decode(s.payload()), ModelManifest.class).sha256();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Requests answered with chunks so far. */
    public long chunksSent() {
        return (long) sent.count();
    }

    public long refused(ErrorCode code) {
        Counter c = refused.get(code);
        return c == null ? 0 : (long) c.count();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
