package dev.tandem.hub.alarm;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.wire.Alarm;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The alarm episodes the hub has heard of, newest first, and who acknowledged them: what
 * {@code GET /alarms} shows. The hub keeps the recent ones in memory ({@link InMemoryAlarmLog}); a
 * persistent store plugs in here.
 */
public interface AlarmLog {
    /** Files a message under its episode (a new entry for an episode not heard of, else the episode's entry updated). */
    AlarmEntry add(Alarm alarm, Instant receivedAt);

    /** The newest {@code limit} episodes, of one device or (null) of all, only the open ones if {@code openOnly}. */
    List<AlarmEntry> recent(int limit, DeviceId device, boolean openOnly);

    default List<AlarmEntry> recent(int limit, DeviceId device) {
        return recent(limit, device, false);
    }

    /**
     * Marks an episode acknowledged by {@code operator} (the first acknowledgement stands: a second
     * returns the entry unchanged); empty if the log holds no episode {@code id}.
     */
    Optional<AlarmEntry> acknowledge(long id, String operator, String note, Instant at);
}
