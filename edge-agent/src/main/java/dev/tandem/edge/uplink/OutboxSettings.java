package dev.tandem.edge.uplink;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * How the outbox keeps its messages (validated: INVALID_CONFIG): a byte budget and an fsync policy per {@link MessageClass},
 * the batch bound of {@link FsyncPolicy#BATCH} (a power cut loses at most {@code batchInterval} or
 * {@code batchBytes} of a batched class, whichever is reached first), and the size of a segment file.
 */
public record OutboxSettings(Map<MessageClass, Long> budgets, Map<MessageClass, FsyncPolicy> fsync,
                             Duration batchInterval, long batchBytes, long segmentBytes) {
    public static final Duration DEFAULT_BATCH_INTERVAL = Duration.ofMillis(100);
    public static final long DEFAULT_BATCH_BYTES = 1 << 20;
    public static final long DEFAULT_SEGMENT_BYTES = 8 << 20;

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, message);
    }

    public OutboxSettings {
        budgets = new EnumMap<>(budgets);
        fsync = new EnumMap<>(fsync);
        for (MessageClass c : MessageClass.values()) {
            Long b = budgets.get(c);
            if (b == null || b < 1) {
                throw invalid("outbox budget of " + c.label() + " must be >= 1 byte, got " + b);
            }
            if (fsync.get(c) == null) {
                throw invalid("outbox fsync policy of " + c.label() + " is required");
            }
        }
        if (batchInterval == null || batchInterval.isNegative() || batchInterval.isZero()) {
            throw invalid("outbox batch interval must be > 0");
        }
        if (batchBytes < 1 || segmentBytes < 1024) {
            throw invalid("outbox batchBytes must be >= 1 and segmentBytes >= 1024");
        }
        budgets = Map.copyOf(budgets);
        fsync = Map.copyOf(fsync);
    }

    /** Alarms 8 MiB, escalations 32 MiB, readings 16 MiB; alarms always synced, the rest every 100 ms or 1 MiB. */
    public static OutboxSettings defaults() {
        Map<MessageClass, Long> b = new EnumMap<>(MessageClass.class);
        b.put(MessageClass.ALARM, 8L << 20);
        b.put(MessageClass.ESCALATION, 32L << 20);
        b.put(MessageClass.READINGS, 16L << 20);
        Map<MessageClass, FsyncPolicy> f = new EnumMap<>(MessageClass.class);
        for (MessageClass c : MessageClass.values()) {
            f.put(c, c.defaultFsync());
        }
        return new OutboxSettings(b, f, DEFAULT_BATCH_INTERVAL, DEFAULT_BATCH_BYTES, DEFAULT_SEGMENT_BYTES);
    }

    public OutboxSettings withBudget(MessageClass c, long bytes) {
        Map<MessageClass, Long> b = new EnumMap<>(budgets);
        b.put(c, bytes);
        return new OutboxSettings(b, fsync, batchInterval, batchBytes, segmentBytes);
    }

    public OutboxSettings withFsync(MessageClass c, FsyncPolicy policy) {
        Map<MessageClass, FsyncPolicy> f = new EnumMap<>(fsync);
        f.put(c, policy);
        return new OutboxSettings(budgets, f, batchInterval, batchBytes, segmentBytes);
    }

    public OutboxSettings withBatch(Duration interval, long bytes) {
        return new OutboxSettings(budgets, fsync, interval, bytes, segmentBytes);
    }

    public OutboxSettings withSegmentBytes(long bytes) {
        return new OutboxSettings(budgets, fsync, batchInterval, batchBytes, bytes);
    }

    public long budget(MessageClass c) {
        return budgets.get(c);
    }

    public FsyncPolicy fsync(MessageClass c) {
        return fsync.get(c);
    }
}
