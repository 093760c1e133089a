package dev.tandem.sim.factory;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A simulated factory line: {@code config.devices()} machines ({@code machine-01} ..), or the
 * machines of a scenario's fleet, each a deterministic stream of labelled samples (see
 * {@link MachineSimulator}). No I/O.
 *
 * <p>The line's {@link #groundTruth()} is where publishers record what they actually sent; the
 * generator itself records nothing, so the truth describes exactly the samples that left the line.
 */
public final class FactoryLine {
    private final SimConfig config;
    private final Map<String, MachineSimulator> machines;
    private final GroundTruth groundTruth;

    public FactoryLine(SimConfig config) {
        this(config, plainMachines(config), new GroundTruth());
    }

    /**
     * A line of the given machines (a scenario's fleet: device types of their own, scripted faults),
     * {@code config} being the line's reference (seed, start, commissioning). Ids must be unique.
     */
    public FactoryLine(SimConfig config, List<MachineSimulator> machines) {
        this(config, machines, new GroundTruth());
    }

    private FactoryLine(SimConfig config, List<MachineSimulator> list, GroundTruth truth) {
        this.config = Objects.requireNonNull(config, "config");
        Map<String, MachineSimulator> m = new LinkedHashMap<>();
        for (MachineSimulator machine : list) {
            if (m.put(machine.deviceId(), machine) != null) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "device '" + machine.deviceId() + "' twice on one line");
            }
        }
        if (m.isEmpty()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "a line needs at least one machine");
        }
        this.machines = Collections.unmodifiableMap(m);
        this.groundTruth = truth;
    }

    private static List<MachineSimulator> plainMachines(SimConfig config) {
        List<MachineSimulator> list = new ArrayList<>(config.devices());
        for (int i = 0; i < config.devices(); i++) {
            list.add(new MachineSimulator(config, i));
        }
        return list;
    }

    /** The same machines {@code ids} (same state, same ground truth), e.g. to publish them on a connection of their own. */
    public FactoryLine subset(List<String> ids) {
        List<MachineSimulator> list = new ArrayList<>(ids.size());
        for (String id : ids) {
            list.add(machine(id));
        }
        return new FactoryLine(config, list, groundTruth);
    }

    public SimConfig config() {
        return config;
    }

    /** Device ids in order: {@code machine-01}, {@code machine-02}, ... */
    public List<String> deviceIds() {
        return List.copyOf(machines.keySet());
    }

    /** The machine with that id, or {@link ErrorCode#UNKNOWN_DEVICE}. */
    public MachineSimulator machine(String deviceId) {
        MachineSimulator m = machines.get(deviceId);
        if (m == null) {
            throw new TandemException(ErrorCode.UNKNOWN_DEVICE, "no machine '" + deviceId + "' on this line");
        }
        return m;
    }

    public List<MachineSimulator> machines() {
        return new ArrayList<>(machines.values());
    }

    /**
     * Maps the line's simulated clock onto the wall clock for a line published at {@code ratePerDevice}
     * samples per second per machine of the reference rate: every machine stamps its sample 0 with
     * {@code origin} and each later one with the moment it is due, so that samples, alarms and verdicts
     * carry the same time base as statuses and acknowledgements. The dynamics keep the simulated clock
     * (one {@link SimConfig#samplePeriod()} per sample), which then runs {@code ratePerDevice *
     * samplePeriod} times faster than the stamps. A machine that has already produced samples (a
     * publisher started again on the same line) keeps the clock it had.
     */
    public void stampWallClock(java.time.Instant origin, double ratePerDevice) {
        double speedup = config.speedup(ratePerDevice);
        for (MachineSimulator m : machines.values()) {
            if (m.nextSeq() == 0) {
                m.stampFrom(origin, speedup);
            }
        }
    }

    /** The labels of what was published from this line (publishers record into it). */
    public GroundTruth groundTruth() {
        return groundTruth;
    }
}
