package dev.tandem.sim.publish;

import dev.tandem.shared.topic.Topics;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.MachineSimulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The devices of a factory line in publishing order, and how many samples of each are due: at
 * {@link PublisherConfig#ratePerDevice()} per device, the devices staggered over one period, up to
 * {@link PublisherConfig#samplesPerDevice()} (all at once when as fast as possible). Confined to the
 * publisher's event loop, but for each device's published count.
 */
final class DeviceSchedule {
    /** Longest pause between two pacing ticks. */
    private static final long MAX_TICK_MS = 20;

    /** One device: its machine, its readings topic, and its counts. */
    static final class Device {
        final MachineSimulator machine;
        final String topic;
        final int index;
        final AtomicLong published = new AtomicLong();
        long sent;

        private Device(MachineSimulator machine, String topic, int index) {
            this.machine = machine;
            this.topic = topic;
            this.index = index;
        }
    }

    private final PublisherConfig config;
    private final List<Device> devices = new ArrayList<>();
    private final Map<String, Device> byId = new HashMap<>();
    private int next;

    DeviceSchedule(FactoryLine line, PublisherConfig config) {
        this.config = config;
        int i = 0;
        for (String id : line.deviceIds()) {
            Device d = new Device(line.machine(id), Topics.of(config.site(), id, Topics.Kind.READINGS), i++);
            devices.add(d);
            byId.put(id, d);
        }
    }

    int size() {
        return devices.size();
    }

    /** The device {@code id}, or null. */
    Device device(String id) {
        return byId.get(id);
    }

    /** Period of the pacing timer (paced publishing only): one device's slot, at most {@value #MAX_TICK_MS} ms. */
    long tickMillis() {
        return Math.max(1, Math.min(MAX_TICK_MS, Math.round(1000 / (config.ratePerDevice() * devices.size()))));
    }

    /**
     * The next device in turn with a sample due {@code elapsedSeconds} after the start, or null when a
     * whole round finds none due.
     */
    Device nextDue(double elapsedSeconds) {
        for (int idle = 0; idle < devices.size(); idle++) {
            Device d = devices.get(next);
            next = (next + 1) % devices.size();
            if (d.sent < due(d, elapsedSeconds)) {
                return d;
            }
        }
        return null;
    }

    /** Whether every device has sent its {@link PublisherConfig#samplesPerDevice()} (never, until stopped). */
    boolean allSent() {
        if (config.samplesPerDevice() == 0) {
            return false;
        }
        for (Device d : devices) {
            if (d.sent < config.samplesPerDevice()) {
                return false;
            }
        }
        return true;
    }

    /** How many samples of a device should have been sent by now. */
    private long due(Device d, double elapsedSeconds) {
        long limit = config.samplesPerDevice() == 0 ? Long.MAX_VALUE : config.samplesPerDevice();
        if (config.asFastAsPossible()) {
            return limit;
        }
        double offset = (double) d.index / devices.size(); // devices staggered over one period
        double slots = elapsedSeconds * config.ratePerDevice() - offset;
        return slots < 0 ? 0 : Math.min(limit, (long) Math.floor(slots) + 1);
    }
}
