package dev.tandem.edge.uplink;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The outbox's disk: one {@link SegmentLog} per {@link MessageClass} under one directory, written
 * on a thread of its own (never the event loop). Appends of an {@link FsyncPolicy#ALWAYS} class are
 * forced before their callback runs; the others are forced every {@code batchInterval}, or as soon
 * as {@code batchBytes} are waiting. The heads ({@link SegmentLog#release}) are written with the
 * periodic sync.
 *
 * <p>Any {@link IOException} (disk full, read-only, removed) degrades the store for the rest of the
 * agent's run: it stops writing, tells its owner once, and every later callback still runs, so that
 * nothing waits for a disk that is gone; the messages live on in memory.
 */
final class DiskStore {
    private static final Logger log = LoggerFactory.getLogger(DiskStore.class);

    private final OutboxSettings settings;
    private final Executor owner;
    private final Consumer<String> onDegraded;
    private final Map<MessageClass, SegmentLog> logs = new EnumMap<>(MessageClass.class);
    private final long[] unsynced = new long[MessageClass.values().length];
    private final ScheduledExecutorService io;
    private volatile boolean degraded;

    private DiskStore(OutboxSettings settings, Executor owner, Consumer<String> onDegraded) {
        this.settings = settings;
        this.owner = owner;
        this.onDegraded = onDegraded;
        this.io = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-outbox-io");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the logs under {@code dir} (one subdirectory per class) and replays them on the calling
     * thread into {@code replay} (class, index, body).
     *
     * @param owner runs the callbacks (the outbox's thread)
     * @throws IOException if the directory cannot be opened: the caller runs in memory
     */
    static DiskStore open(Path dir, OutboxSettings settings, Executor owner, Consumer<String> onDegraded,
                          ReplayListener replay) throws IOException {
        DiskStore s = new DiskStore(settings, owner, onDegraded);
        try {
            s.lock(dir);
            for (MessageClass c : MessageClass.values()) {
                s.logs.put(c, SegmentLog.open(dir.resolve(c.label()), settings.segmentBytes(),
                        (index, body) -> replay.record(c, index, body)));
            }
        } catch (IOException | RuntimeException e) {
            s.closeLogs();
            s.io.shutdownNow();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        long every = settings.batchInterval().toMillis();
        s.io.scheduleWithFixedDelay(s::syncAll, every, every, TimeUnit.MILLISECONDS);
        return s;
    }

    /** One outbox per directory: a second one (another agent, another process) would corrupt the logs. */
    private void lock(Path dir) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        lockChannel = java.nio.channels.FileChannel.open(dir.resolve("lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        try {
            lockHeld = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lockHeld = null;
        }
        if (lockHeld == null) {
            lockChannel.close();
            lockChannel = null;
            throw new IOException(dir + " is in use by another outbox (another agent with the same client id?)");
        }
    }

    private java.nio.channels.FileChannel lockChannel;
    private java.nio.channels.FileLock lockHeld;

    /** Receives the replayed records. */
    interface ReplayListener {
        void record(MessageClass c, long index, byte[] body);
    }

    SegmentLog log(MessageClass c) {
        return logs.get(c);
    }

    boolean degraded() {
        return degraded;
    }

    /**
     * Appends a record of class {@code c}; {@code durable} (may be null) runs on the owner once the
     * record is on the disk as its class's policy requires, or once the store has given up on the disk.
     */
    void append(MessageClass c, byte[] body, Runnable durable) {
        submit(() -> {
            if (!degraded) {
                try {
                    SegmentLog l = logs.get(c);
                    l.append(body);
                    unsynced[c.ordinal()] += body.length + SegmentLog.HEADER_BYTES;
                    if (settings.fsync(c) == FsyncPolicy.ALWAYS || unsynced[c.ordinal()] >= settings.batchBytes()) {
                        l.sync();
                        unsynced[c.ordinal()] = 0;
                    }
                } catch (IOException | RuntimeException e) {
                    degrade("cannot write the outbox of " + c.label() + ": " + e);
                }
            }
            if (durable != null) {
                owner.execute(durable);
            }
        }, durable);
    }

    /** Records below {@code head} of class {@code c} are done (written with the next sync). */
    void release(MessageClass c, long head) {
        submit(() -> logs.get(c).release(head), null);
    }

    private void submit(Runnable task, Runnable orElse) {
        try {
            io.execute(task);
        } catch (RejectedExecutionException closed) {
            if (orElse != null) {
                owner.execute(orElse);
            }
        }
    }

    private void syncAll() {
        if (degraded) {
            return;
        }
        for (Map.Entry<MessageClass, SegmentLog> e : logs.entrySet()) {
            try {
                e.getValue().sync();
                unsynced[e.getKey().ordinal()] = 0;
            } catch (IOException | RuntimeException ex) {
                degrade("cannot sync the outbox of " + e.getKey().label() + ": " + ex);
                return;
            }
        }
    }

    private void degrade(String reason) {
        if (degraded) {
            return;
        }
        degraded = true;
        log.warn("outbox: {}; it keeps its messages in memory from now on (they do not survive a restart)", reason);
        closeLogs();
        owner.execute(() -> onDegraded.accept(reason));
    }

    private void closeLogs() {
        for (SegmentLog l : logs.values()) {
            try {
                l.close();
            } catch (IOException | RuntimeException ignored) {
                // the disk is gone or the store is closing: nothing more to save
            }
        }
        try {
            if (lockChannel != null) {
                lockChannel.close(); // releases the lock
                lockChannel = null;
            }
        } catch (IOException ignored) {
            // nothing to release
        }
    }

    /** Syncs what is written, records the heads and stops the I/O thread (waits at most {@code timeoutMillis}). */
    void close(long timeoutMillis) {
        try {
            io.execute(() -> {
                if (!degraded) {
                    syncAll();
                    closeLogs();
                }
            });
        } catch (RejectedExecutionException alreadyClosed) {
            return;
        }
        io.shutdown();
        try {
            if (!io.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
                log.warn("outbox: the disk did not finish its last sync within {} ms", timeoutMillis);
                io.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: runs on the I/O thread after everything submitted so far and waits for it. */
    void barrier() {
        try {
            io.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("outbox I/O barrier: " + e, e);
        }
    }
}
