package dev.tandem.edge.uplink;

/** Why the outbox dropped a message (counted per class and reason). */
public enum DropReason {
    /** Its class went over its byte budget: the oldest of the class goes. */
    BUDGET,
    /** The outbox went over its message count: the oldest of the lowest-priority class goes. */
    CAPACITY,
    /** The MQTT client refused the publish while connected (retrying would spin). */
    REFUSED,
    /** A record found torn or with a wrong checksum when the outbox was replayed from disk. */
    CORRUPT;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
