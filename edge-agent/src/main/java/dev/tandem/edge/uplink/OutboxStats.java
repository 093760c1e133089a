package dev.tandem.edge.uplink;

import java.util.Map;

/**
 * The outbox at one moment.
 *
 * @param durable     messages are kept on disk (false: no state directory, or the disk failed)
 * @param degraded    the disk failed during this run (full, read-only, gone): messages are in memory only
 * @param queued      messages waiting (not counting those in flight)
 * @param queuedBytes their payload bytes
 * @param replayed    messages read back from disk at start
 * @param dropped     messages dropped, by class and reason (only non-zero counts)
 */
public record OutboxStats(boolean durable, boolean degraded, int queued, long queuedBytes, int inFlight, long sent,
                          long acked, long replayed, Map<MessageClass, Map<DropReason, Long>> dropped) {
    public OutboxStats {
        dropped = Map.copyOf(dropped);
    }

    /** Every message dropped, whatever its class and reason. */
    public long droppedTotal() {
        return dropped.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
    }

    public long dropped(MessageClass c, DropReason r) {
        return dropped.getOrDefault(c, Map.of()).getOrDefault(r, 0L);
    }

    /** {@code alarm/budget=3 readings/budget=1200}, or {@code none}. */
    public String droppedSummary() {
        StringBuilder b = new StringBuilder();
        for (MessageClass c : MessageClass.values()) {
            for (DropReason r : DropReason.values()) {
                long n = dropped(c, r);
                if (n > 0) {
                    b.append(b.length() == 0 ? "" : " ").append(c.label()).append('/').append(r.label()).append('=').append(n);
                }
            }
        }
        return b.length() == 0 ? "none" : b.toString();
    }
}
