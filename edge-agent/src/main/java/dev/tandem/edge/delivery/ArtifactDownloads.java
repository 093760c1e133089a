package dev.tandem.edge.delivery;

import dev.tandem.edge.EdgeMetrics;
import dev.tandem.edge.detect.Timers;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.ArtifactChunk;
import dev.tandem.shared.wire.ArtifactFetch;
import dev.tandem.shared.wire.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Fetches the artifacts of signed manifests from the hub in chunks, one download per device at a
 * time. The device asks on its {@code model/fetch} topic for the next {@code chunkBytes} from the
 * bytes it holds ({@link ArtifactFetch}, QoS 0) and the hub answers on its {@code model/chunk} topic
 * ({@link ArtifactChunk}, binary). Each chunk must be the one asked for (others are stale: counted,
 * ignored) and match its sha256 (else refused, counted, asked for again); it is then appended to the
 * device's partial file ({@link PartialFiles}, synced on a worker thread), so that a download
 * interrupted by a disconnect or a restart goes on from the bytes on disk. A request unanswered
 * within {@code requestTimeout} (doubling per attempt, up to 8x) or refused by the hub is sent
 * again; after {@code maxAttempts} for one chunk the download fails ({@code DOWNLOAD_FAILED}, or the
 * hub's refusal code). While the uplink is down no attempt is spent: the request goes out again on
 * reconnection. The whole artifact is checked against the signed size and sha256 before it is handed
 * on.
 *
 * <p>Used on the agent's event loop.
 */
public final class ArtifactDownloads {
    private static final Logger log = LoggerFactory.getLogger(ArtifactDownloads.class);
    /** DOWNLOADING progress goes to the hub at most this often (and at the start). */
    static final long PROGRESS_MILLIS = 1_000;

    /** What a download tells its owner (on the event loop). */
    public interface Listener {
        /** Bytes held so far of {@code total}; {@code resumed}: the first call of a download that found bytes on disk. */
        void progress(long have, long total, boolean resumed);

        /** The whole artifact, matching the signed size and sha256. */
        void complete(byte[] artifact);

        void failed(TandemException e);
    }

    /** What the downloads have done, for the status and tests. */
    public record Stats(long requests, long chunks, long bytes, long refusedHash, long refusedStale, long refusedByHub,
                        long malformed, long timeouts, long completed, long resumed, long failed, int active) {
    }

    private final String site;
    private final DeliverySettings settings;
    private final PartialFiles files;
    private final Timers timers;
    private final Blocking blocking;
    private final BiPredicate<String, byte[]> publish;
    private final EdgeMetrics metrics;
    private final Map<String, Download> active = new HashMap<>();
    private boolean connected = true;
    private volatile long requests, chunks, bytes, refusedHash, refusedStale, refusedByHub, malformed, timeouts, completed,
            resumed, failed;

    /**
     * @param publish sends a payload on a topic at most once (false: not connected)
     */
    public ArtifactDownloads(String site, DeliverySettings settings, Path stateDir, Timers timers, Blocking blocking,
                             BiPredicate<String, byte[]> publish, EdgeMetrics metrics) {
        this.site = site;
        this.settings = settings;
        this.files = new PartialFiles(stateDir);
        this.timers = timers;
        this.blocking = blocking;
        this.publish = publish;
        this.metrics = metrics;
    }

    public DeliverySettings settings() {
        return settings;
    }

    private final class Download {
        final String device;
        final String sha256;
        final long total;
        final String version;
        Listener listener;
        long have = -1; // not opened yet
        int attempts;
        ErrorCode lastRefusal;
        Timers.Handle timer;
        boolean writing;
        boolean done;
        long lastProgress;

        Download(String device, ModelManifest m, Listener listener) {
            this.device = device;
            this.sha256 = m.sha256();
            this.total = m.sizeBytes();
            this.version = m.version();
            this.listener = listener;
        }
    }

    /** Whether {@code device} is fetching the artifact of {@code sha256}. */
    public boolean fetching(String device, String sha256) {
        Download d = active.get(device);
        return d != null && d.sha256.equals(sha256);
    }

    /**
     * Fetches the artifact {@code manifest} signs (verified by the caller, its size within the limit).
     * A download of the same artifact under way carries on, reporting to {@code listener} from now on;
     * one of another artifact is dropped (its partial file removed).
     */
    public void start(String device, ModelManifest manifest, Listener listener) {
        Download d = active.get(device);
        if (d != null && d.sha256.equals(manifest.sha256())) {
            d.listener = listener;
            if (d.timer == null && !d.writing && d.have >= 0 && connected) {
                request(d); // the same assignment again after a reconnection: ask at once
            }
            return;
        }
        if (d != null) {
            cancel(d, "another artifact assigned");
        }
        Download n = new Download(device, manifest, listener);
        active.put(device, n);
        blocking.run(() -> files.open(device, n.sha256, n.total), (have, e) -> {
            if (active.get(device) != n) {
                return;
            }
            if (e != null) {
                fail(n, new TandemException(ErrorCode.INVALID_CONFIG, "cannot open the partial download of "
                        + n.version + ": " + e));
                return;
            }
            n.have = have;
            boolean resumes = have > 0;
            if (resumes) {
                resumed++;
                log.info("device {}: download of model {} resumes at byte {} of {} (kept on disk)", device, n.version,
                        have, n.total);
            } else {
                log.info("device {}: fetching model {} ({} bytes, {} per chunk)", device, n.version, n.total,
                        settings.chunkBytes());
            }
            n.lastProgress = System.currentTimeMillis();
            n.listener.progress(have, n.total, resumes);
            if (have == n.total) {
                finish(n);
            } else {
                request(n);
            }
        });
    }

    /** Drops the download of {@code device}, if any (a newer assignment made it moot). */
    public void cancel(String device) {
        Download d = active.get(device);
        if (d != null) {
            cancel(d, "assignment replaced");
        }
    }

    private void cancel(Download d, String why) {
        active.remove(d.device);
        d.done = true;
        if (d.timer != null) {
            d.timer.cancel();
        }
        log.info("device {}: download of model {} dropped ({})", d.device, d.version, why);
        blocking.run(() -> {
            files.delete(d.device, d.sha256);
            return null;
        }, (x, e) -> { });
    }

    private void request(Download d) {
        if (d.timer != null) {
            d.timer.cancel();
            d.timer = null;
        }
        if (!connected) {
            return; // asked again on reconnection
        }
        int length = (int) Math.min(settings.chunkBytes(), d.total - d.have);
        ArtifactFetch f = ArtifactFetch.of(site, d.device, d.sha256, d.have, length);
        d.attempts++;
        requests++;
        metrics.chunkRequested();
        publish.test(Topics.of(site, d.device, Topics.Kind.MODEL_FETCH), Wire.encode(f));
        long wait = settings.requestTimeout().toMillis() << Math.min(d.attempts - 1, 3);
        d.timer = timers.schedule(wait, () -> timedOut(d));
    }

    private void timedOut(Download d) {
        d.timer = null;
        if (active.get(d.device) != d || d.writing || !connected) {
            return;
        }
        timeouts++;
        metrics.chunkTimedOut();
        log.debug("device {}: no chunk at {} of model {} within attempt {}", d.device, d.have, d.version, d.attempts);
        retryOrFail(d);
    }

    private void retryOrFail(Download d) {
        if (d.attempts >= settings.maxAttempts()) {
            ErrorCode code = d.lastRefusal != null ? d.lastRefusal : ErrorCode.DOWNLOAD_FAILED;
            fail(d, new TandemException(code, "gave up fetching model " + d.version + " after " + d.attempts
                    + " requests for byte " + d.have + " of " + d.total + (d.lastRefusal == null ? " (unanswered)"
                    : " (refused by the hub: " + d.lastRefusal + ")")));
        } else {
            request(d);
        }
    }

    /** A {@code model/chunk} message for {@code device}. */
    public void onChunk(String device, byte[] payload) {
        ArtifactChunk c;
        try {
            c = ArtifactChunk.decode(payload);
        } catch (TandemException e) {
            malformed++;
            metrics.chunkRefused("malformed");
            throw e; // logged and counted by its code by the router
        }
        Download d = active.get(device);
        if (d == null || d.done || !d.sha256.equals(c.sha256()) || d.writing || d.have < 0
                || (!c.isRefusal() && c.offset() != d.have)) {
            refusedStale++;
            metrics.chunkRefused("stale");
            log.debug("device {}: chunk at {} of {} not asked for (stale or repeated): ignored", device, c.offset(),
                    c.sha256());
            return;
        }
        if (c.isRefusal()) {
            refusedByHub++;
            metrics.chunkRefused("hub");
            metrics.error(c.refused());
            d.lastRefusal = c.refused();
            log.warn("[{}] device {}: the hub refused to send model {} (attempt {} of {})", c.refused(), device,
                    d.version, d.attempts, settings.maxAttempts());
            if (d.timer != null) {
                d.timer.cancel();
                d.timer = null;
            }
            if (d.attempts >= settings.maxAttempts()) {
                retryOrFail(d);
            } else {
                long wait = settings.requestTimeout().toMillis() << Math.min(d.attempts - 1, 3);
                d.timer = timers.schedule(wait, () -> {
                    d.timer = null;
                    if (active.get(d.device) == d && !d.writing) {
                        request(d);
                    }
                });
            }
            return;
        }
        try {
            if (c.totalBytes() != d.total) {
                throw new TandemException(ErrorCode.ARTIFACT_HASH_MISMATCH, "chunk of model " + d.version + " says "
                        + c.totalBytes() + " bytes in all, the signed manifest " + d.total);
            }
            c.verify();
        } catch (TandemException e) {
            refusedHash++;
            metrics.chunkRefused("hash");
            metrics.error(e.code());
            metrics.badInputLog().log(e.code(), "[" + e.code() + "] device " + device + ": " + e.getMessage()
                    + "; refused, asked again");
            retryOrFail(d);
            return;
        }
        if (d.timer != null) {
            d.timer.cancel();
            d.timer = null;
        }
        d.writing = true;
        byte[] piece = c.bytes();
        blocking.run(() -> files.append(device, d.sha256, c.offset(), piece), (size, e) -> {
            d.writing = false;
            if (active.get(device) != d) {
                return;
            }
            if (e != null) {
                fail(d, new TandemException(ErrorCode.INVALID_CONFIG, "cannot write the partial download of "
                        + d.version + ": " + e));
                return;
            }
            chunks++;
            bytes += piece.length;
            metrics.chunkReceived(piece.length);
            d.have = size;
            d.attempts = 0;
            d.lastRefusal = null;
            long now = System.currentTimeMillis();
            if (size == d.total) {
                finish(d);
                return;
            }
            if (now - d.lastProgress >= PROGRESS_MILLIS) {
                d.lastProgress = now;
                d.listener.progress(size, d.total, false);
            }
            request(d);
        });
    }

    private void finish(Download d) {
        d.writing = true;
        blocking.run(() -> files.read(d.device, d.sha256), (all, e) -> {
            d.writing = false;
            if (active.get(d.device) != d) {
                return;
            }
            active.remove(d.device);
            d.done = true;
            blocking.run(() -> {
                files.delete(d.device, d.sha256);
                return null;
            }, (x, e2) -> { });
            if (e != null) {
                fail(d, new TandemException(ErrorCode.INVALID_CONFIG, "cannot read the download of " + d.version + ": " + e));
                return;
            }
            String sha = dev.tandem.shared.wire.Hashing.sha256Hex(all);
            if (all.length != d.total || !sha.equals(d.sha256)) {
                failed++;
                metrics.download("failed");
                d.listener.failed(new TandemException(ErrorCode.ARTIFACT_HASH_MISMATCH, "the artifact of model "
                        + d.version + " fetched (" + all.length + " bytes, sha256 " + sha + ") does not match its "
                        + "signed manifest (" + d.total + " bytes, " + d.sha256 + "); removed"));
                return;
            }
            completed++;
            metrics.download("complete");
            log.info("device {}: model {} fetched ({} bytes)", d.device, d.version, all.length);
            d.listener.complete(all);
        });
    }

    private void fail(Download d, TandemException e) {
        active.remove(d.device);
        d.done = true;
        if (d.timer != null) {
            d.timer.cancel();
        }
        failed++;
        metrics.download("failed");
        // the partial file stays: a later assignment of the same artifact goes on from it
        d.listener.failed(e);
    }

    /** The uplink is up (subscriptions acknowledged): each download asks again for what it waits for. */
    public void connected() {
        connected = true;
        for (Download d : active.values()) {
            if (d.have >= 0 && !d.writing) {
                d.attempts = 0;
                request(d);
            }
        }
    }

    /** The uplink is down: no attempt is spent until it is back. */
    public void disconnected() {
        connected = false;
        for (Download d : active.values()) {
            if (d.timer != null) {
                d.timer.cancel();
                d.timer = null;
            }
        }
    }

    public Stats stats() {
        return new Stats(requests, chunks, bytes, refusedHash, refusedStale, refusedByHub, malformed, timeouts, completed,
                resumed, failed, active.size());
    }
}
