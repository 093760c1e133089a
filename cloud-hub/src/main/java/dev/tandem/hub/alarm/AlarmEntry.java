package dev.tandem.hub.alarm;

import dev.tandem.shared.wire.Alarm;

import java.time.Instant;
import java.util.Objects;

/**
 * An alarm as the hub keeps it: one episode of a device ({@code ONSET}, its {@code UPDATE}s, and its
 * {@code CLEAR} or {@code REBASELINED}), its latest message, when the hub heard of it, and its
 * acknowledgement.
 *
 * @param id         the hub's number for the episode (increasing in the order episodes were first heard of)
 * @param latest     the episode's latest message (its phase says whether the episode is over)
 * @param receivedAt when the hub received the episode's first message
 * @param updatedAt  when it received the latest one
 * @param messages   messages of the episode received
 * @param ackedBy    the operator who acknowledged it (null: not acknowledged)
 * @param note       the operator's note (null: none)
 */
public record AlarmEntry(long id, Alarm latest, Instant receivedAt, Instant updatedAt, long messages, String ackedBy,
                         Instant ackedAt, String note) {
    public AlarmEntry {
        Objects.requireNonNull(latest, "latest");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public boolean acknowledged() {
        return ackedBy != null;
    }

    /** Whether the episode still holds (no CLEAR or REBASELINED yet). */
    public boolean open() {
        return !latest.phase().ends();
    }

    AlarmEntry acknowledge(String operator, Instant at, String note) {
        return new AlarmEntry(id, latest, receivedAt, updatedAt, messages, operator, at, note);
    }

    /** The entry after another message of its episode (an ended episode stays ended: a late UPDATE changes nothing). */
    AlarmEntry with(Alarm message, Instant at) {
        if (!open() && !message.phase().ends()) {
            return new AlarmEntry(id, latest, receivedAt, updatedAt, messages + 1, ackedBy, ackedAt, note);
        }
        return new AlarmEntry(id, message, receivedAt, at, messages + 1, ackedBy, ackedAt, note);
    }
}
