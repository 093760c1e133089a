package dev.tandem.hub.fleet;

import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.alarm.AlarmLog;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.concurrent.Executor;

/**
 * Keeps the {@link FleetRegistry}'s view from the devices' {@code status} and {@code model/state}
 * messages, and the {@link AlarmLog} from their {@code alarms}, each accepted alarm handed on (the
 * re-baselining follows the episodes from them).
 */
public final class FleetListener {
    private static final Logger LOG = LoggerFactory.getLogger(FleetListener.class);
    private static final int MAX_BYTES = 64 * 1024;

    private final FleetRegistry fleet;
    private final AlarmLog alarms;
    private final HubMetrics metrics;
    private final Executor control;
    private final java.util.function.Consumer<Alarm> alarmsNext;
    private volatile java.util.function.Consumer<ModelState> modelStatesNext = s -> {
    };

    public FleetListener(FleetRegistry fleet, AlarmLog alarms, HubMetrics metrics, Executor control) {
        this(fleet, alarms, metrics, control, a -> {
        });
    }

    /** @param alarmsNext receives every accepted alarm, on the control thread */
    public FleetListener(FleetRegistry fleet, AlarmLog alarms, HubMetrics metrics, Executor control,
                         java.util.function.Consumer<Alarm> alarmsNext) {
        this.fleet = fleet;
        this.alarms = alarms;
        this.metrics = metrics;
        this.control = control;
        this.alarmsNext = alarmsNext;
    }

    private volatile java.util.function.Consumer<DeviceStatus> statusNext = s -> {
    };

    /** Receives every accepted status message, on the control thread (it must return at once). */
    public void onStatus(java.util.function.Consumer<DeviceStatus> next) {
        this.statusNext = next;
    }

    /** Receives every accepted {@code model/state} report, on the control thread (it must return at once). */
    public void onModelState(java.util.function.Consumer<ModelState> next) {
        this.modelStatesNext = next;
    }

    /** Paho callback: hands the payload to the control thread and returns. */
    public void offer(Topics.DeviceTopic topic, byte[] payload, long arrivedNanos) {
        Instant at = Instant.now();
        control.execute(() -> handle(topic, payload, at));
    }

    private void handle(Topics.DeviceTopic t, byte[] payload, Instant at) {
        if (payload.length == 0) {
            LOG.debug("empty message on {} (a retained message cleared): ignored", t);
            return;
        }
        try {
            switch (t.kind()) {
                case STATUS -> {
                    DeviceStatus s = Wire.decode(payload, DeviceStatus.class, MAX_BYTES);
                    same(t, s.site(), s.device());
                    fleet.onStatus(s, at);
                    statusNext.accept(s);
                }
                case MODEL_STATE -> {
                    ModelState s = Wire.decode(payload, ModelState.class, MAX_BYTES);
                    same(t, s.site(), s.device());
                    fleet.onModelState(s, at);
                    modelStatesNext.accept(s);
                }
                case ALARMS -> {
                    Alarm a = Wire.decode(payload, Alarm.class, MAX_BYTES);
                    same(t, a.site(), a.device());
                    alarms.add(a, at);
                    metrics.alarmReceived(a.source());
                    alarmsNext.accept(a);
                    return;
                }
                default -> throw new TandemException(ErrorCode.UNEXPECTED_TOPIC, "not a fleet topic: " + t);
            }
            metrics.fleetUpdate();
        } catch (TandemException e) {
            metrics.error(e);
        }
    }

    private static void same(Topics.DeviceTopic t, String site, String device) {
        if (!t.site().equals(site) || !t.device().equals(device)) {
            throw new TandemException(ErrorCode.DEVICE_MISMATCH, "message about " + site + "/" + device
                    + " arrived on " + Topics.of(t.site(), t.device(), t.kind()));
        }
    }
}
