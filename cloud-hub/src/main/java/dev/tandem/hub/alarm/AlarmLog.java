package dev.tandem.hub.alarm;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.wire.Alarm;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The alarms the hub has heard, newest first, and who acknowledged them: what {@code GET /alarms}
 * shows. The hub keeps the recent ones in memory ({@link InMemoryAlarmLog}); a persistent store
 * plugs in here.
 */
public interface AlarmLog {
    AlarmEntry add(Alarm alarm, Instant receivedAt);

    /** The newest {@code limit} alarms, of one device or (null) of all. */
    List<AlarmEntry> recent(int limit, DeviceId device);

    /**
     * Marks an alarm acknowledged by {@code operator} (the first acknowledgement stands: a second
     * returns the entry unchanged); empty if the log holds no alarm {@code id}.
     */
    Optional<AlarmEntry> acknowledge(long id, String operator, String note, Instant at);
}
