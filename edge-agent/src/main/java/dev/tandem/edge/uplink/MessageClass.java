package dev.tandem.edge.uplink;

import dev.tandem.shared.topic.Topics;

/**
 * The outbox's classes of messages, in priority order: what is sent first when the uplink comes
 * back, and what is dropped last when room runs out.
 */
public enum MessageClass {
    /** Alarms and model states: always synced to disk before they are sent. */
    ALARM(FsyncPolicy.ALWAYS),
    /** Escalations (uncertain windows waiting for the hub's verdict). */
    ESCALATION(FsyncPolicy.BATCH),
    /** Readings for the hub's context (the commissioning set): sent last, dropped first, oldest first. */
    READINGS(FsyncPolicy.BATCH);

    private final FsyncPolicy defaultFsync;

    MessageClass(FsyncPolicy defaultFsync) {
        this.defaultFsync = defaultFsync;
    }

    public FsyncPolicy defaultFsync() {
        return defaultFsync;
    }

    /** Lower-case name, as in status lines and metric tags. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The class of a message on {@code kind}'s topic. */
    public static MessageClass of(Topics.Kind kind) {
        return switch (kind) {
            case ALARMS, MODEL_STATE -> ALARM;
            case ESCALATIONS -> ESCALATION;
            default -> READINGS;
        };
    }

    /** The class of a message on {@code topic} (a Tandem device topic); ESCALATION for any other topic. */
    public static MessageClass ofTopic(String topic) {
        try {
            return of(Topics.parse(topic).kind());
        } catch (RuntimeException notADeviceTopic) {
            return ESCALATION;
        }
    }
}
