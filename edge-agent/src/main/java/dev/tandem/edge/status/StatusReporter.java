package dev.tandem.edge.status;

import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.Wire;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Publishes each device's {@link DeviceStatus}, retained, on its {@code status} topic: every
 * {@code interval}, on every state change, and on every (re)connection (which also replaces the
 * OFFLINE that the last will may have left there).
 *
 * <p>Statuses go out at QoS 0: a status is a snapshot that the next one supersedes, so there is
 * nothing worth queueing while disconnected, and they do not take room in the QoS 1 in-flight
 * window that alarms and escalations need. The last will (OFFLINE) is QoS 1.
 *
 * <p>Use on the owning verticle's context only.
 */
public final class StatusReporter {
    /** Sends one retained QoS 0 message if connected; false if it was not sent. */
    public interface Sender {
        boolean sendRetained(String topic, byte[] payload);
    }

    private final Vertx vertx;
    private final String site;
    private final List<String> devices;
    private final Function<String, DeviceStatus> statusOf;
    private final Sender sender;
    private long timer = -1;

    public StatusReporter(Vertx vertx, String site, List<String> devices, Function<String, DeviceStatus> statusOf,
                          Sender sender) {
        this.vertx = vertx;
        this.site = site;
        this.devices = List.copyOf(devices);
        this.statusOf = statusOf;
        this.sender = sender;
    }

    public void start(Duration interval) {
        timer = vertx.setPeriodic(interval.toMillis(), id -> publishAll());
    }

    public void publishAll() {
        devices.forEach(this::publish);
    }

    public boolean publish(String device) {
        return send(statusOf.apply(device));
    }

    /**
     * Publishes OFFLINE for every device, keeping its last known state ({@link DeviceStatus#offlineFrom}):
     * a clean shutdown publishes no last will.
     */
    public void publishOffline() {
        devices.forEach(d -> send(DeviceStatus.offlineFrom(statusOf.apply(d))));
    }

    private boolean send(DeviceStatus status) {
        return sender.sendRetained(Topics.of(status.site(), status.device(), Topics.Kind.STATUS), Wire.encode(status));
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
