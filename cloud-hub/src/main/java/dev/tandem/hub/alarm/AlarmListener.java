package dev.tandem.hub.alarm;

import dev.tandem.hub.HubMetrics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Wire;

import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Keeps the devices' {@code alarms} in the hub's {@link AlarmLog} (bad ones refused and counted) and
 * hands each one on (the re-baselining follows the episodes from them).
 */
public final class AlarmListener {
    private static final int MAX_BYTES = 16 * 1024;

    private final AlarmLog log;
    private final HubMetrics metrics;
    private final Executor control;
    private final Consumer<Alarm> next;

    public AlarmListener(AlarmLog log, HubMetrics metrics, Executor control) {
        this(log, metrics, control, a -> {
        });
    }

    /** @param next receives every accepted alarm, on the control thread */
    public AlarmListener(AlarmLog log, HubMetrics metrics, Executor control, Consumer<Alarm> next) {
        this.log = log;
        this.metrics = metrics;
        this.control = control;
        this.next = next;
    }

    /** Paho callback: hands the payload to the control thread and returns. */
    public void offer(Topics.DeviceTopic topic, byte[] payload, long arrivedNanos) {
        Instant at = Instant.now();
        control.execute(() -> handle(topic, payload, at));
    }

    private void handle(Topics.DeviceTopic t, byte[] payload, Instant at) {
        try {
            Alarm a = Wire.decode(payload, Alarm.class, MAX_BYTES);
            if (!t.site().equals(a.site()) || !t.device().equals(a.device())) {
                throw new TandemException(ErrorCode.DEVICE_MISMATCH, "alarm of " + a.site() + "/" + a.device()
                        + " arrived on " + Topics.of(t.site(), t.device(), t.kind()));
            }
            log.add(a, at);
            metrics.alarmReceived(a.source());
            next.accept(a);
        } catch (TandemException e) {
            metrics.error(e);
        }
    }
}
