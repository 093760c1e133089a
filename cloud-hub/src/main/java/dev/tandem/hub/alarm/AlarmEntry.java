package dev.tandem.hub.alarm;

import dev.tandem.shared.wire.Alarm;

import java.time.Instant;
import java.util.Objects;

/**
 * An alarm as the hub keeps it: the device's message, when it arrived, and its acknowledgement.
 *
 * @param id      the hub's number for it (increasing in arrival order)
 * @param ackedBy the operator who acknowledged it (null: not acknowledged)
 * @param note    the operator's note (null: none)
 */
public record AlarmEntry(long id, Alarm alarm, Instant receivedAt, String ackedBy, Instant ackedAt, String note) {
    public AlarmEntry {
        Objects.requireNonNull(alarm, "alarm");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    public boolean acknowledged() {
        return ackedBy != null;
    }

    AlarmEntry acknowledge(String operator, Instant at, String note) {
        return new AlarmEntry(id, alarm, receivedAt, operator, at, note);
    }
}
