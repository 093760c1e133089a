package dev.tandem.hub.store;

import dev.tandem.hub.HubMetrics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records escalations and their verdicts off the verdict path: {@link #record} only enqueues (it
 * never blocks); one thread writes what is queued in batches (one transaction, one JDBC batch each).
 * While the database is away the queue holds up to its capacity (the oldest dropped and counted
 * beyond it) and the batch in hand is retried with backoff, so the hub goes on answering and the
 * log catches up when the database is back. Meters: {@code tandem.hub.store.escalations.written},
 * {@code .dropped}, {@code .queued}; an outage is logged and counted once as {@code STORE_UNAVAILABLE}.
 */
public final class EscalationLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EscalationLog.class);
    public static final int DEFAULT_CAPACITY = 100_000;
    static final int BATCH = 500;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final Escalations escalations;
    private final HubMetrics metrics;
    private final BlockingQueue<Escalations.EscalationRecord> queue;
    private final Counter written;
    private final Counter dropped;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int inFlight;

    public EscalationLog(HubStore store, HubMetrics metrics, int capacity, String name) {
        this.escalations = store.escalations();
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.written = Counter.builder("tandem.hub.store.escalations.written").register(metrics.registry());
        this.dropped = Counter.builder("tandem.hub.store.escalations.dropped")
                .description("escalation records lost: the queue was full while the database was away")
                .register(metrics.registry());
        metrics.registry().gauge("tandem.hub.store.escalations.queued", queue, BlockingQueue::size);
        this.thread = new Thread(this::run, "tandem-hub-store-log-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues a record; never blocks (when full, the oldest queued record is dropped and counted). */
    public void record(Escalations.EscalationRecord r) {
        if (r.id().length() > Escalations.MAX_ID_LENGTH) {
            metrics.error(ErrorCode.INVALID_FIELD, "escalation id of " + r.id().length() + " characters from "
                    + r.site() + "/" + r.device() + " not recorded (at most " + Escalations.MAX_ID_LENGTH + ")");
            return;
        }
        while (!queue.offer(r)) {
            if (queue.poll() != null) {
                dropped.increment();
            }
        }
    }

    public long written() {
        return (long) written.count();
    }

    public long dropped() {
        return (long) dropped.count();
    }

    /** Records queued or being written. */
    public int pending() {
        return queue.size() + inFlight;
    }

    /** Waits until everything queued so far is written (bounded); false on timeout. */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void run() {
        List<Escalations.EscalationRecord> batch = new ArrayList<>(BATCH);
        long backoff = 100;
        boolean down = false;
        while (running || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Escalations.EscalationRecord first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                    inFlight = batch.size();
                }
                escalations.insert(batch);
                written.increment(batch.size());
                if (down) {
                    LOG.info("hub store back: escalation records written again ({} queued)", queue.size());
                    down = false;
                }
                batch.clear();
                inFlight = 0;
                backoff = 100;
            } catch (TandemException e) {
                if (!down) {
                    metrics.error(ErrorCode.STORE_UNAVAILABLE, "escalation records not written (kept in memory, up to "
                            + "the queue's capacity, and retried): " + e.getMessage());
                    down = true;
                }
                if (!running) {
                    LOG.warn("hub stopping with the database away: {} escalation records not written",
                            batch.size() + queue.size());
                    return;
                }
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            } catch (InterruptedException e) {
                if (!running) {
                    // going on until the queue is written or the database refuses
                    Thread.interrupted();
                }
            } catch (RuntimeException e) {
                metrics.failed("recording " + batch.size() + " escalations", e);
                batch.clear();
                inFlight = 0;
            }
        }
        inFlight = 0;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued (waiting at most 10 s), then stops. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("escalation log did not finish within 10 s: {} records not written", pending());
        }
    }
}
