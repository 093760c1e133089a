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
 * {@link PublisherConfig#samplesPerDevice()} (all at once when as fast as possible). A device whose
 * own sampling rate differs from the line's reference rate ({@link dev.tandem.sim.factory.SimConfig#samplePeriod()})
 * is paced, and limited, in proportion: a 10 Hz device on a 1 Hz line publishes ten times as often and
 * ten times as many samples. Counting starts at the machine's current index (a publisher may take
 * over machines another one published before). Confined to the publisher's event loop, but for each
 * device's published count.
 */
final class DeviceSchedule {
    /** Longest pause between two pacing ticks. */
    private static final long MAX_TICK_MS = 20;

    /** One device: its machine, its readings topic, and its counts. */
    static final class Device {
        final MachineSimulator machine;
        final String topic;
        final int index;
        /** The device's rate relative to the line's reference rate. */
        final double factor;
        final AtomicLong published = new AtomicLong();
        long sent;
        /** The epoch whose first batch named the channels (-1: none yet). */
        long namedEpoch = -1;

        private Device(MachineSimulator machine, String topic, int index, double factor) {
            this.machine = machine;
            this.topic = topic;
            this.index = index;
            this.factor = factor;
        }
    }

    private final PublisherConfig config;
    private final List<Device> devices = new ArrayList<>();
    private final Map<String, Device> byId = new HashMap<>();
    private int next;
    private double totalFactor;
    /** Every device at the line's rate: the device next in turn is the one due first (see {@link #nextDue}). */
    private boolean uniform = true;

    DeviceSchedule(FactoryLine line, PublisherConfig config) {
        this.config = config;
        int i = 0;
        double referenceRate = 1000.0 / line.config().samplePeriod().toMillis();
        for (String id : line.deviceIds()) {
            MachineSimulator m = line.machine(id);
            double factor = Math.abs(m.rateHz() / referenceRate - 1) < 1e-9 ? 1 : m.rateHz() / referenceRate;
            Device d = new Device(m, Topics.of(config.site(), id, Topics.Kind.READINGS), i++, factor);
            totalFactor += factor;
            uniform &= factor == 1;
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
        return Math.max(1, Math.min(MAX_TICK_MS, Math.round(1000 / (config.ratePerDevice() * totalFactor))));
    }

    /**
     * The next device in turn with a sample due {@code elapsedSeconds} after the start, or null when a
     * whole round finds none due.
     */
    Device nextDue(double elapsedSeconds) {
        if (uniform) {
            // one rate, staggered by position, served in turn: the device next in turn is due first, so if it
            // is not due no device is (a 10,000-device fleet is not scanned whole at every tick)
            Device d = devices.get(next);
            if (d.sent < due(d, elapsedSeconds)) {
                next = (next + 1) % devices.size();
                return d;
            }
            return null;
        }
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
            if (d.sent < limit(d)) {
                return false;
            }
        }
        return true;
    }

    /** How many samples this device sends in all (its share of {@code samplesPerDevice}; unbounded: MAX_VALUE). */
    private long limit(Device d) {
        return config.samplesPerDevice() == 0 ? Long.MAX_VALUE
                : d.factor == 1 ? config.samplesPerDevice() : Math.round(config.samplesPerDevice() * d.factor);
    }

    /** How many samples of a device should have been sent by now. */
    private long due(Device d, double elapsedSeconds) {
        long limit = limit(d);
        if (config.asFastAsPossible()) {
            return limit;
        }
        double offset = (double) d.index / devices.size(); // devices staggered over one period
        double slots = elapsedSeconds * config.ratePerDevice() * d.factor - offset;
        return slots < 0 ? 0 : Math.min(limit, (long) Math.floor(slots) + 1);
    }
}
