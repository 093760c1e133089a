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
 * A simulated factory line: {@code config.devices()} machines ({@code machine-01} ..), each a
 * deterministic stream of labelled samples (see {@link MachineSimulator}). No I/O.
 *
 * <p>The line's {@link #groundTruth()} is where publishers record what they actually sent; the
 * generator itself records nothing, so the truth describes exactly the samples that left the line.
 */
public final class FactoryLine {
    private final SimConfig config;
    private final Map<String, MachineSimulator> machines;
    private final GroundTruth groundTruth = new GroundTruth();

    public FactoryLine(SimConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        Map<String, MachineSimulator> m = new LinkedHashMap<>();
        for (int i = 0; i < config.devices(); i++) {
            MachineSimulator machine = new MachineSimulator(config, i);
            m.put(machine.deviceId(), machine);
        }
        this.machines = Collections.unmodifiableMap(m);
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

    /** The labels of what was published from this line (publishers record into it). */
    public GroundTruth groundTruth() {
        return groundTruth;
    }
}
