package dev.tandem.edge.uplink;

/** When the outbox forces a class's appended records to the disk. */
public enum FsyncPolicy {
    /** After every record, before it is sent: a power cut loses none that was raised. */
    ALWAYS,
    /**
     * In batches: every {@link OutboxSettings#batchInterval()} or {@link OutboxSettings#batchBytes()},
     * whichever comes first; a power cut loses at most that much of the class.
     */
    BATCH
}
