package dev.tandem.hub.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;

/**
 * Applies the store's retention: escalations (and their verdicts) received more than
 * {@link StoreSettings#retention()} ago are deleted, as are fit leases that expired a day ago (left
 * by instances that died); models, commissioning sets and labels are kept. Idempotent, so every hub
 * instance on a shared database may run it; the hub runs it every {@link #INTERVAL}.
 */
public final class RetentionJob implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
    public static final Duration INTERVAL = Duration.ofHours(1);
    private static final Duration STALE_LEASES = Duration.ofDays(1);

    private final HubStore store;
    private final Clock clock;

    public RetentionJob(HubStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** What one run deleted. */
    public record Result(int escalations, int leases) {
    }

    /** One pass now. */
    public Result runOnce() {
        long now = clock.millis();
        int escalations = store.escalations().deleteReceivedBefore(now - store.settings().retention().toMillis());
        int leases = store.leases().purgeExpired(now - STALE_LEASES.toMillis());
        if (escalations > 0 || leases > 0) {
            LOG.info("retention ({} days): {} escalations and {} stale fit leases deleted",
                    store.settings().retention().toDays(), escalations, leases);
        }
        return new Result(escalations, leases);
    }

    /** For the scheduler: a failure is logged and the next run tries again. */
    @Override
    public void run() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            LOG.warn("retention not applied this time: {}", e.getMessage());
        }
    }
}
