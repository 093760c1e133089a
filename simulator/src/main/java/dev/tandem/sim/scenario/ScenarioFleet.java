package dev.tandem.sim.scenario;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.factory.AnomalyKind;
import dev.tandem.sim.factory.DeviceScript;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.Fault;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.factory.Severity;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.netfault.NetworkFault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A scenario's fleet on the factory-line generator: one {@link MachineSimulator} per device, with
 * its device type's channels and its part of the timeline written into its {@link DeviceScript}
 * (faults, operating changes, power cuts, restarts, clock jumps, all by sample index, so a run at
 * any speed is the same run). Network events stay here: they act on connections, in wall time,
 * through the fault proxy.
 */
public final class ScenarioFleet {
    /** The line's reference rate: devices are paced relative to it (see the publisher's schedule). */
    static final Duration REFERENCE_PERIOD = Duration.ofSeconds(1);

    /** A network event of the timeline, with the devices and kinds of client it hits. */
    public record NetworkEvent(Duration at, Duration duration, NetworkFault fault, List<String> devices,
                               Set<String> targets, int line) {
    }

    /** An attack entry of the timeline: carried out against the running fleet at its time. */
    public record AttackEvent(Duration at, List<String> victims, List<dev.tandem.sim.attack.Attack> attacks, String as,
                              int line) {
    }

    /** A rollout entry of the timeline: the hub rolls a recipe out to the devices' edge agents at its time. */
    public record RolloutEvent(Duration at, List<String> devices, ScenarioFile.RolloutSpec spec, int position, int line) {
        /** The rollout's name: given, or {@code <scenario>-<entry>}. */
        public String name(String scenario) {
            return spec.name() != null ? spec.name() : scenario + "-" + position;
        }
    }

    private final Scenario scenario;
    private final FactoryLine line;
    private final List<NetworkEvent> network = new ArrayList<>();
    private final List<AttackEvent> attacks = new ArrayList<>();
    private final List<RolloutEvent> rollouts = new ArrayList<>();

    private ScenarioFleet(Scenario scenario) {
        this.scenario = scenario;
        SimConfig config = SimConfig.builder(scenario.seed(), 1).start(scenario.start()).samplePeriod(REFERENCE_PERIOD)
                .healthy().build();
        List<MachineSimulator> machines = new ArrayList<>(scenario.devices().size());
        for (Scenario.Device d : scenario.devices()) {
            machines.add(new MachineSimulator(config, d.index(), d.id(), scenario.types().get(d.type())));
        }
        this.line = new FactoryLine(config, machines);
        for (Scenario.Entry e : scenario.timeline()) {
            try {
                apply(e);
            } catch (TandemException ex) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, e.where(scenario.source()) + ": " + ex.getMessage(), ex);
            }
        }
    }

    /** Builds the fleet of {@code scenario}; INVALID_CONFIG naming the line of the entry that cannot be applied. */
    public static ScenarioFleet of(Scenario scenario) {
        return new ScenarioFleet(scenario);
    }

    public Scenario scenario() {
        return scenario;
    }

    public FactoryLine line() {
        return line;
    }

    public List<NetworkEvent> networkEvents() {
        return List.copyOf(network);
    }

    public List<AttackEvent> attackEvents() {
        return List.copyOf(attacks);
    }

    /** The rollouts of the timeline, in order (a run with any starts the hub and the edge agents). */
    public List<RolloutEvent> rolloutEvents() {
        return List.copyOf(rollouts);
    }

    /** Samples device {@code id} produces over the scenario's duration. */
    public long samples(String id) {
        return Math.max(1, Math.round(scenario.duration().toMillis() / 1000.0 * line.machine(id).rateHz()));
    }

    /**
     * The ground truth of the run: every scripted fault (one line per channel), every event that is
     * not a fault, and per device the span it was observed over (up to its sample {@code observedTo}).
     */
    public List<TruthEvent> groundTruth() {
        List<TruthEvent> out = new ArrayList<>();
        for (MachineSimulator m : line.machines()) {
            java.time.Instant first = m.timestamp(0);
            java.time.Instant last = m.timestamp(samples(m.deviceId()) - 1);
            // a clock that jumped back can end the device's timestamps before they began
            out.add(TruthEvent.observed(m.deviceId(), first.isBefore(last) ? first : last, first.isBefore(last) ? last : first));
            out.addAll(m.scriptedTruth());
        }
        return out;
    }

    private void apply(Scenario.Entry e) {
        ScenarioFile.EventSpec spec = e.spec();
        double at = e.at().toMillis() / 1000.0;
        if (spec.network() != null) {
            ScenarioFile.NetworkSpec n = spec.network();
            Set<String> targets = n.targets() == null || n.targets().isEmpty() ? Set.of("sensors") : Set.copyOf(n.targets());
            network.add(new NetworkEvent(e.at(), n.duration().duration(), Scenario.networkFault(n), e.devices(), targets, e.line()));
            return;
        }
        if (spec.attack() != null) {
            attacks.add(new AttackEvent(e.at(), e.devices(), spec.attack().attacks(), spec.attack().as(), e.line()));
            return;
        }
        if (spec.rollout() != null) {
            rollouts.add(new RolloutEvent(e.at(), e.devices(), spec.rollout(), e.position(), e.line()));
            return;
        }
        for (String id : e.devices()) {
            DeviceScript script = line.machine(id).script();
            long start = script.index(at);
            if (spec.fault() != null) {
                script.schedule(fault(spec.fault()), start);
            } else if (spec.operating() != null) {
                ScenarioFile.OperatingSpec o = spec.operating();
                if (o.kind().equals("maintenance")) {
                    script.silence("maintenance", start, start + script.samples(o.duration().seconds()) - 1);
                } else {
                    long ramp = o.ramp() == null ? 0 : script.samples(o.ramp().seconds());
                    script.operatingChange(o.kind(), start, ramp, o.change());
                }
            } else {
                ScenarioFile.DeviceEventSpec d = spec.device();
                switch (d.kind()) {
                    case "power_cut" -> script.silence("power_cut", start, start + script.samples(d.duration().seconds()) - 1);
                    case "restart" -> {
                        long down = script.samples(d.duration().seconds());
                        script.silence("restart", start, start + down - 1);
                        script.resetSequence(start + down);
                    }
                    default -> script.clockJump(start, d.jump().duration().toMillis());
                }
            }
        }
    }

    /** The generator's fault for a fault entry. */
    static Fault fault(ScenarioFile.FaultSpec f) {
        AnomalyKind kind = Arrays.stream(AnomalyKind.values()).filter(k -> k.wireName().equals(f.kind())).findFirst()
                .orElseThrow(() -> TandemException.invalid("unknown fault kind '" + f.kind() + "' (one of "
                        + Arrays.stream(AnomalyKind.values()).map(AnomalyKind::wireName).collect(Collectors.joining(", ")) + ")"));
        Fault fault = Fault.of(kind, f.channels());
        if (f.severity() != null) {
            fault = fault.severity(Severity.parse(f.severity()));
        }
        if (f.magnitude() != null) {
            fault = fault.magnitude(f.magnitude());
        }
        if (f.duration() != null) {
            fault = fault.lasting(f.duration().duration());
        }
        if (f.period() != null) {
            fault = fault.period(f.period().duration());
        }
        if (f.weights() != null) {
            fault = fault.weights(f.weights());
        }
        return fault;
    }
}
