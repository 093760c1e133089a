package dev.tandem.sim.netfault;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What the fault proxy did, counted; {@link #snapshot()} for reports. Thread-safe. */
public final class ProxyCounters {
    /** A copy of the counters. */
    public record Snapshot(long accepted, long refused, long closedByFault, long bytesToBroker, long bytesToClients,
                           long bytesDropped, long chunksDelayed, long maxDelayMillis, Map<String, Long> faultsApplied,
                           Map<String, Long> faultsLifted) {
    }

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong closedByFault = new AtomicLong();
    private final AtomicLong toBroker = new AtomicLong();
    private final AtomicLong toClients = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    private final AtomicLong maxDelay = new AtomicLong();
    private final Map<NetworkFault.Kind, AtomicLong> applied = new EnumMap<>(NetworkFault.Kind.class);
    private final Map<NetworkFault.Kind, AtomicLong> lifted = new EnumMap<>(NetworkFault.Kind.class);

    ProxyCounters() {
        for (NetworkFault.Kind k : NetworkFault.Kind.values()) {
            applied.put(k, new AtomicLong());
            lifted.put(k, new AtomicLong());
        }
    }

    void accepted() {
        accepted.incrementAndGet();
    }

    void refused() {
        refused.incrementAndGet();
    }

    void closedByFault() {
        closedByFault.incrementAndGet();
    }

    void forwarded(boolean toBrokerSide, int bytes) {
        (toBrokerSide ? toBroker : toClients).addAndGet(bytes);
    }

    void dropped(int bytes) {
        dropped.addAndGet(bytes);
    }

    void delayed(long millis) {
        delayed.incrementAndGet();
        maxDelay.accumulateAndGet(millis, Math::max);
    }

    void applied(NetworkFault.Kind k) {
        applied.get(k).incrementAndGet();
    }

    void lifted(NetworkFault.Kind k) {
        lifted.get(k).incrementAndGet();
    }

    public Snapshot snapshot() {
        Map<String, Long> a = new java.util.TreeMap<>();
        Map<String, Long> l = new java.util.TreeMap<>();
        applied.forEach((k, v) -> {
            if (v.get() > 0) {
                a.put(k.wireName(), v.get());
            }
        });
        lifted.forEach((k, v) -> {
            if (v.get() > 0) {
                l.put(k.wireName(), v.get());
            }
        });
        return new Snapshot(accepted.get(), refused.get(), closedByFault.get(), toBroker.get(), toClients.get(),
                dropped.get(), delayed.get(), maxDelay.get(), a, l);
    }
}
