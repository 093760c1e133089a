package dev.tandem.hub.live;

import dev.tandem.hub.alarm.AlarmEntry;
import dev.tandem.hub.alarm.AlarmLog;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.wire.Alarm;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An {@link AlarmLog} that tells {@link HubEvents} of every alarm message kept and every acknowledgement. */
public final class ObservedAlarmLog implements AlarmLog {
    private final AlarmLog log;
    private final HubEvents events;

    public ObservedAlarmLog(AlarmLog log, HubEvents events) {
        this.log = log;
        this.events = events;
    }

    @Override
    public AlarmEntry add(Alarm alarm, Instant receivedAt) {
        AlarmEntry e = log.add(alarm, receivedAt);
        events.publish(HubEvents.Kind.ALARM, e);
        return e;
    }

    @Override
    public List<AlarmEntry> recent(int limit, DeviceId device, boolean openOnly) {
        return log.recent(limit, device, openOnly);
    }

    @Override
    public Optional<AlarmEntry> acknowledge(long id, String operator, String note, Instant at) {
        Optional<AlarmEntry> e = log.acknowledge(id, operator, note, at);
        e.ifPresent(entry -> events.publish(HubEvents.Kind.ALARM, entry));
        return e;
    }
}
