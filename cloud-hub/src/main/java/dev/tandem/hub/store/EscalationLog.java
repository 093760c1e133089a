package dev.tandem.hub.store;

import dev.tandem.hub.HubMetrics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Verdict;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records escalations and their verdicts off the verdict path: {@link #record} only enqueues (it
 * never blocks); one thread writes what is queued in batches (one transaction, one JDBC batch each).
 * While the database is away the queue holds up to its capacity (the oldest dropped and counted
 * beyond it) and the batch in hand is retried with backoff, so the hub goes on answering and the
 * log catches up when the database is back. Meters: {@code tandem.hub.store.escalations.written},
 * {@code .dropped}, {@code .queued}; an outage is logged and counted once as {@code STORE_UNAVAILABLE}.
 *
 * <p>It also answers whether escalations were answered already, by any instance on the store
 * ({@link #answeredBefore}): the verdict path waits for that at most {@link #LOOKUP_BUDGET}, and not at
 * all while the database is away or a lookup is still running ({@code tandem.hub.store.lookups} by
 * outcome: found, none, skipped, failed).
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
    /** The writer found the database away (and has not written since). */
    private volatile boolean down;
    /** Most time the verdict path waits for the store to say whether escalations were answered already. */
    public static final Duration LOOKUP_BUDGET = Duration.ofMillis(250);
    private final ExecutorService lookups;
    private final AtomicBoolean lookingUp = new AtomicBoolean();
    private final Map<String, Counter> lookupOutcomes = new LinkedHashMap<>();

    public EscalationLog(HubStore store, HubMetrics metrics, int capacity, String name) {
        this.escalations = store.escalations();
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.written = Counter.builder("tandem.hub.store.escalations.written").register(metrics.registry());
        this.dropped = Counter.builder("tandem.hub.store.escalations.dropped")
                .description("escalation records lost: the queue was full while the database was away")
                .register(metrics.registry());
        metrics.registry().gauge("tandem.hub.store.escalations.queued", queue, BlockingQueue::size);
        for (String outcome : List.of("found", "none", "skipped", "failed")) {
            lookupOutcomes.put(outcome, Counter.builder("tandem.hub.store.lookups").tag("outcome", outcome)
                    .description("looking up in the store whether escalations were answered before (by any instance)")
                    .register(metrics.registry()));
        }
        this.lookups = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tandem-hub-store-lookup-" + name);
            t.setDaemon(true);
            return t;
        });
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

    /**
     * The verdicts recorded in the store for some of {@code asked} (one device's or several), given by
     * any hub instance: how a replayed escalation that another instance (or this one before a restart)
     * answered gets the same verdict, scored once. Waits at most {@link #LOOKUP_BUDGET}; returns
     * nothing at once while the database is away or another lookup is under way (the escalations are
     * then scored; counted as skipped). Records still queued here are not seen: the caller remembers its
     * own recent verdicts.
     */
    public List<Verdict> answeredBefore(Collection<Escalation> asked) {
        if (asked.isEmpty()) {
            return List.of();
        }
        if (down || !running || !lookingUp.compareAndSet(false, true)) {
            lookupOutcomes.get("skipped").increment();
            return List.of();
        }
        Map<String, List<Escalation>> byDevice = new LinkedHashMap<>();
        for (Escalation e : asked) {
            if (e.id().length() <= Escalations.MAX_ID_LENGTH) {
                byDevice.computeIfAbsent(e.site() + "/" + e.device(), k -> new ArrayList<>()).add(e);
            }
        }
        Future<List<Verdict>> f;
        try {
            f = lookups.submit(() -> {
                try {
                    List<Verdict> out = new ArrayList<>();
                    for (List<Escalation> group : byDevice.values()) {
                        Escalation first = group.get(0);
                        out.addAll(escalations.verdicts(first.site(), first.device(),
                                group.stream().map(Escalation::id).distinct().toList(), 1).values());
                    }
                    return out;
                } finally {
                    lookingUp.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            lookingUp.set(false);
            lookupOutcomes.get("skipped").increment();
            return List.of();
        }
        try {
            List<Verdict> found = f.get(LOOKUP_BUDGET.toMillis(), TimeUnit.MILLISECONDS);
            lookupOutcomes.get(found.isEmpty() ? "none" : "found").increment();
            return found;
        } catch (TimeoutException e) {
            lookupOutcomes.get("skipped").increment();
            return List.of();
        } catch (ExecutionException e) {
            lookupOutcomes.get("failed").increment();
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Lookups by outcome (found, none, skipped, failed). */
    public long lookups(String outcome) {
        return (long) lookupOutcomes.get(outcome).count();
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
        lookups.shutdownNow();
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
