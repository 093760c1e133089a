package dev.tandem.sim.scenario;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tandem.shared.error.TandemException;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The schema of a scenario file, as written (YAML; see {@code scenarios/README.md}). Every record
 * refuses fields it does not know; values are checked where they are read, so a mistake is reported
 * with its line and field. {@link Scenario#of} then checks what spans entries (device names, events
 * in order, overlaps, the device limit).
 *
 * @param name         the scenario's name (the report carries it)
 * @param description  free text
 * @param seed         everything generated is a function of it (default 42)
 * @param duration     simulated time the scenario runs
 * @param start        timestamp of every device's first sample (default 2025-01-01T00:00:00Z)
 * @param commissioning the start of the run that is normal by design (an edge commissions on it);
 *                     default 400 s. Informational: faults may fall in it (a bad-model test does that)
 * @param connection   {@code device}: one MQTT connection per device (network events hit single
 *                     devices), {@code shared}: one per site and device type (large fleets)
 * @param sites        the sites (topic {@code tandem/v1/{site}/...}); default one site {@code plant}
 * @param deviceTypes  device types by name; {@code pump} (the factory-line pump, 1 Hz) exists unless redefined
 * @param fleet        how many devices of which type on which site
 * @param timeline     events in time order
 * @param needs        what this scenario's checks need from parts outside the simulator (reported as unchecked)
 */
public record ScenarioFile(String name, String description, Long seed, SimTime duration,
                           String start, SimTime commissioning, String connection, List<SiteSpec> sites,
                           Map<String, Located<TypeSpec>> deviceTypes, @JsonProperty(required = true) List<Located<FleetSpec>> fleet,
                           List<Located<EventSpec>> timeline, List<String> needs) {

    public ScenarioFile {
        if (name == null || name.isBlank()) {
            throw TandemException.invalid("name is required");
        }
        boolean replay = fleet != null && !fleet.isEmpty() && fleet.stream().allMatch(e -> e.value().replay() != null);
        if (duration == null && !replay) {
            throw TandemException.invalid("duration is required (a replay scenario's files give its own)");
        }
        if (duration != null && (duration.duration().isNegative() || duration.duration().isZero())) {
            throw TandemException.invalid("duration must be > 0, got " + duration);
        }
        if (start != null) {
            try {
                Instant.parse(start);
            } catch (java.time.format.DateTimeParseException e) {
                throw TandemException.invalid("start must be an ISO-8601 instant such as 2025-01-01T00:00:00Z, got '" + start + "'");
            }
        }
        if (connection != null && !connection.equals("device") && !connection.equals("shared")) {
            throw TandemException.invalid("connection must be 'device' or 'shared', got '" + connection + "'");
        }
        sites = sites == null || sites.isEmpty() ? List.of(new SiteSpec("plant", null)) : List.copyOf(sites);
        deviceTypes = deviceTypes == null ? Map.of() : deviceTypes;
        if (fleet == null || fleet.isEmpty()) {
            throw TandemException.invalid("fleet needs at least one entry");
        }
        timeline = timeline == null ? List.of() : List.copyOf(timeline);
        needs = needs == null ? List.of() : List.copyOf(needs);
    }

    /**
     * The same file with {@code devices} devices in its one fleet entry ({@code --devices}); INVALID_CONFIG
     * for a fleet of several entries (which would grow?) or a count out of range.
     */
    public ScenarioFile withDevices(int devices) {
        if (fleet.size() != 1) {
            throw TandemException.invalid("--devices scales a fleet of one entry; scenario " + name + " has " + fleet.size());
        }
        Located<FleetSpec> only = fleet.get(0);
        FleetSpec f = only.value();
        return new ScenarioFile(name, description, seed, duration, start, commissioning, connection, sites, deviceTypes,
                List.of(new Located<>(only.line(), only.column(), new FleetSpec(f.type(), f.site(), devices, f.prefix()))),
                timeline, needs);
    }

    /** A site. */
    public record SiteSpec(@JsonProperty(required = true) String id, String description) {
    }

    /**
     * A device type: its sampling rate and channels (none: the pump's five physical channels).
     */
    public record TypeSpec(@JsonProperty(required = true) Double rateHz, List<ChannelSpec> channels) {
        public TypeSpec {
            profile("type", rateHz, channels); // checks rate and channels where the line is known
        }

        /** The generator's device type named {@code type}. */
        public dev.tandem.sim.factory.DeviceProfile profile(String type) {
            return profile(type, rateHz, channels);
        }

        private static dev.tandem.sim.factory.DeviceProfile profile(String type, double rateHz, List<ChannelSpec> channels) {
            if (channels == null || channels.isEmpty()) {
                return new dev.tandem.sim.factory.DeviceProfile(type, rateHz, dev.tandem.sim.factory.DeviceProfile.pump(rateHz).channels());
            }
            return new dev.tandem.sim.factory.DeviceProfile(type, rateHz, channels.stream().map(ChannelSpec::profile).toList());
        }
    }

    /** A channel of a device type (see {@link dev.tandem.sim.factory.ChannelProfile}). */
    public record ChannelSpec(@JsonProperty(required = true) String name, String unit,
                              @JsonProperty(required = true) String model, Double base, Double amplitude,
                              SimTime period, Double noise, Double quantum, Double rateHz, Double min, Double max) {
        public ChannelSpec {
            profile(name, unit, model, base, amplitude, period, noise, quantum, rateHz, min, max); // checks here, where the line is known
        }

        /** The generator's channel. */
        public dev.tandem.sim.factory.ChannelProfile profile() {
            return profile(name, unit, model, base, amplitude, period, noise, quantum, rateHz, min, max);
        }

        private static dev.tandem.sim.factory.ChannelProfile profile(String name, String unit, String model, Double base,
                                                                     Double amplitude, SimTime period, Double noise,
                                                                     Double quantum, Double rateHz, Double min, Double max) {
            return new dev.tandem.sim.factory.ChannelProfile(name, unit, dev.tandem.sim.factory.SensorModel.parse(model),
                    or0(base), or0(amplitude), period == null ? 0 : period.seconds(), or0(noise), or0(quantum), or0(rateHz),
                    min == null ? Double.NaN : min, max == null ? Double.NaN : max);
        }

        private static double or0(Double d) {
            return d == null ? 0 : d;
        }
    }

    /**
     * Devices of one type on one site: {@code count} of them named {@code prefix-01}, {@code prefix-02}...
     * (prefix default: the type's name); or, with {@code replay}, the recorded files of a replay source,
     * one device each (then no type, count or prefix).
     */
    public record FleetSpec(String type, String site, Integer count, String prefix, ReplaySpec replay) {
        public FleetSpec(String type, String site, Integer count, String prefix) {
            this(type, site, count, prefix, null);
        }

        public FleetSpec {
            if (replay != null) {
                if (type != null || count != null || prefix != null) {
                    throw TandemException.invalid("a replay entry has no type, count or prefix (its files are its devices)");
                }
            } else if (type == null || count == null) {
                throw TandemException.invalid("a fleet entry needs type and count (or replay)");
            } else if (count < 1) {
                throw TandemException.invalid("count must be >= 1, got " + count);
            } else if (count > Scenario.MAX_DEVICES) {
                throw TandemException.invalid("count " + count + " is beyond the limit of " + Scenario.MAX_DEVICES
                        + " devices per scenario");
            }
        }
    }

    /**
     * Recorded data as devices ({@code sim replay}'s loader): every CSV file under {@code path} (relative to
     * the scenario file; a built-in scenario's next to it in the jar) one device.
     *
     * @param format        skab, csv or nab (default nab)
     * @param labels        nab: the windows file ({@code combined_windows.json}), relative like {@code path}
     * @param timestamp     csv: the time column; {@code channels}, {@code label} likewise
     * @param commissioning auto (the format's rule: nab 15 % of each file, at most 750; skab 400) or N rows
     * @param speed         recorded seconds per wall second or max (default 1); a run's {@code --speed} replaces it
     */
    public record ReplaySpec(@JsonProperty(required = true) String path, String format, String labels, String timestamp,
                             List<String> channels, String label, String commissioning, String speed) {
        public ReplaySpec {
            format = format == null ? "nab" : format;
            channels = channels == null ? List.of() : List.copyOf(channels);
            commissioning = commissioning == null ? "auto" : commissioning;
            speed = speed == null ? "1" : speed;
            var f = dev.tandem.sim.replay.ReplayFormat.parse(format);
            f.columns(timestamp, channels, label);
            f.commissioning(commissioning);
            pace(speed);
            if ((f == dev.tandem.sim.replay.ReplayFormat.NAB) != (labels != null)) {
                throw TandemException.invalid(f == dev.tandem.sim.replay.ReplayFormat.NAB
                        ? "format nab needs labels (NAB's combined_windows.json)" : "labels is for format nab");
            }
            if (path.isBlank() || java.nio.file.Path.of(path).isAbsolute() || path.contains("..")) {
                throw TandemException.invalid("path must be relative to the scenario file, without '..', got '" + path + "'");
            }
        }

        /** The pace: recorded seconds per wall second (infinite: max). */
        public double pace() {
            return pace(speed);
        }

        private static double pace(String speed) {
            return dev.tandem.sim.replay.ReplaySpeed.parse("speed", speed, dev.tandem.shared.error.ErrorCode.INVALID_FIELD);
        }
    }

    /**
     * One timeline entry: at a time, exactly one of a fault, an operating change, a network, a device
     * event, an attack or a rollout.
     */
    public record EventSpec(@JsonProperty(required = true) SimTime at, FaultSpec fault, OperatingSpec operating,
                            NetworkSpec network, DeviceEventSpec device, AttackSpec attack, RolloutSpec rollout) {
        public EventSpec {
            int given = (fault != null ? 1 : 0) + (operating != null ? 1 : 0) + (network != null ? 1 : 0)
                    + (device != null ? 1 : 0) + (attack != null ? 1 : 0) + (rollout != null ? 1 : 0);
            if (given != 1) {
                throw TandemException.invalid("a timeline entry has exactly one of fault, operating, network, device, attack, "
                        + "rollout; got " + given);
            }
            if (at.duration().isNegative()) {
                throw TandemException.invalid("at must be >= 0, got " + at);
            }
        }

        /** What the entry is: fault, operating, network, device or attack. */
        public String what() {
            return fault != null ? "fault" : operating != null ? "operating" : network != null ? "network"
                    : device != null ? "device" : attack != null ? "attack" : "rollout";
        }

        public List<String> devices() {
            return fault != null ? fault.devices() : operating != null ? operating.devices()
                    : network != null ? network.devices() : device != null ? device.devices()
                    : attack != null ? attack.devices() : rollout.devices();
        }
    }

    /**
     * A model rollout by the hub to the scenario's edge agents (the run starts the hub and one production
     * edge agent per device): each device of the target gets its own model fitted by {@code recipe}
     * through the hub's one fit path, in {@code waves}, each gated by the shadow time, the thresholds and
     * the watchdog. Times here are wall time (the hub's and the devices' clocks), not simulated time.
     *
     * @param recipe          a fitting recipe ({@code default}, {@code default:threshold-scale=0.01}, ...; required)
     * @param name            the rollout's name (default: {@code <scenario>-<entry>})
     * @param devices         the target (default {@code *}: every device of the site)
     * @param waves           cumulative sizes, devices ({@code 1}) or shares ({@code 5%}); default 1, 5%, 25%, 100%
     * @param shadow          each wave's shadow time (default 5s)
     * @param timeout         each wave's timeout (default 2m)
     * @param success         share of a wave's devices ACTIVE that promotes it (default 0.95)
     * @param error           share FAILED or ROLLED_BACK above which it stops the rollout (default 0.05)
     * @param watch           the watchdog's time after activation (default 5s)
     * @param watchMinWindows windows scored before the watchdog judges (default 20)
     * @param minVerdicts     verdicts the shadow judges on before the agreement (default 5)
     * @param minAgreement    the candidate's agreement with the active model in SHADOW (default 0.9)
     * @param alarmRate       the watchdog's band of windows found anomalous: a maximum, or [min, max] (default 0.2)
     * @param escalationRate  the watchdog's band of windows escalated (default 0.3)
     * @param expect          what the run checks: {@code finished} or {@code rolled_back} (default: not checked)
     */
    public record RolloutSpec(@JsonProperty(required = true) String recipe, String name, List<String> devices,
                              List<String> waves, SimTime shadow, SimTime timeout, Double success, Double error,
                              SimTime watch, Integer watchMinWindows, Integer minVerdicts, Double minAgreement,
                              @com.fasterxml.jackson.annotation.JsonFormat(with = com.fasterxml.jackson.annotation.JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                              List<Double> alarmRate,
                              @com.fasterxml.jackson.annotation.JsonFormat(with = com.fasterxml.jackson.annotation.JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                              List<Double> escalationRate, String expect) {
        public static final List<String> DEFAULT_WAVES = List.of("1", "5%", "25%", "100%");
        public static final java.time.Duration DEFAULT_SHADOW = java.time.Duration.ofSeconds(5);
        public static final java.time.Duration DEFAULT_TIMEOUT = java.time.Duration.ofMinutes(2);
        public static final java.time.Duration DEFAULT_WATCH = java.time.Duration.ofSeconds(5);
        public static final int DEFAULT_WATCH_MIN_WINDOWS = 20;
        public static final List<String> EXPECTS = List.of("finished", "rolled_back");

        public RolloutSpec {
            if (recipe == null || recipe.isBlank()) {
                throw TandemException.invalid("a rollout names a recipe (default, default:threshold-scale=0.01, ...)");
            }
            new dev.tandem.hub.rollout.Recipes(dev.tandem.hub.fit.FitSettings.defaults()).resolve(recipe);
            if (name != null) {
                dev.tandem.shared.wire.Checks.id("name", name);
            }
            waves = waves == null || waves.isEmpty() ? DEFAULT_WAVES : List.copyOf(waves);
            if (expect != null && !EXPECTS.contains(expect)) {
                throw TandemException.invalid("expect is one of " + EXPECTS + ", got '" + expect + "'");
            }
            plan(waves, shadow, timeout, success, error); // checks here, where the line is known
            settings(watch, watchMinWindows, minVerdicts, minAgreement, alarmRate, escalationRate);
        }

        public List<String> devices() {
            return devices == null ? List.of("*") : devices;
        }

        /** The hub's wave plan. */
        public dev.tandem.hub.rollout.WavePlan plan() {
            return plan(waves, shadow, timeout, success, error);
        }

        /** The hub's watchdog and shadow judgement. */
        public dev.tandem.hub.rollout.RolloutSettings settings() {
            return settings(watch, watchMinWindows, minVerdicts, minAgreement, alarmRate, escalationRate);
        }

        private static dev.tandem.hub.rollout.WavePlan plan(List<String> waves, SimTime shadow, SimTime timeout,
                                                            Double success, Double error) {
            dev.tandem.hub.rollout.WaveGate gate = new dev.tandem.hub.rollout.WaveGate(
                    success == null ? dev.tandem.hub.rollout.WaveGate.DEFAULT_SUCCESS_THRESHOLD : success,
                    error == null ? dev.tandem.hub.rollout.WaveGate.DEFAULT_ERROR_THRESHOLD : error,
                    shadow == null ? DEFAULT_SHADOW : shadow.duration(), timeout == null ? DEFAULT_TIMEOUT : timeout.duration());
            return dev.tandem.hub.rollout.WavePlan.uniform(gate, waves.stream().map(dev.tandem.hub.rollout.WaveSize::parse)
                    .toArray(dev.tandem.hub.rollout.WaveSize[]::new));
        }

        private static dev.tandem.hub.rollout.RolloutSettings settings(SimTime watch, Integer watchMinWindows,
                                                                       Integer minVerdicts, Double minAgreement,
                                                                       List<Double> alarmRate, List<Double> escalationRate) {
            return new dev.tandem.hub.rollout.RolloutSettings(
                    minVerdicts == null ? dev.tandem.hub.rollout.RolloutSettings.DEFAULT_MIN_VERDICTS : minVerdicts,
                    minAgreement == null ? dev.tandem.hub.rollout.RolloutSettings.DEFAULT_MIN_AGREEMENT : minAgreement,
                    watch == null ? DEFAULT_WATCH : watch.duration(),
                    watchMinWindows == null ? DEFAULT_WATCH_MIN_WINDOWS : watchMinWindows,
                    band("alarmRate", alarmRate, dev.tandem.hub.rollout.RolloutSettings.DEFAULT_ALARM_RATE),
                    band("escalationRate", escalationRate, dev.tandem.hub.rollout.RolloutSettings.DEFAULT_ESCALATION_RATE));
        }

        private static dev.tandem.shared.signing.RolloutRules.Band band(String field, List<Double> b,
                                                                        dev.tandem.shared.signing.RolloutRules.Band otherwise) {
            if (b == null) {
                return otherwise;
            }
            if (b.size() == 1) {
                return dev.tandem.shared.signing.RolloutRules.Band.upTo(b.get(0));
            }
            if (b.size() == 2) {
                return new dev.tandem.shared.signing.RolloutRules.Band(b.get(0), b.get(1));
            }
            throw TandemException.invalid(field + " is a maximum (0.2) or a band [min, max], got " + b);
        }
    }

    /**
     * Attacks on a running, secured fleet (the run needs the site's identities: {@code --site-dir}):
     * see {@link dev.tandem.sim.attack.Attack} for the kinds ({@code all}, the default, is every one).
     *
     * @param devices the victims
     * @param kinds   which attacks ({@code model-hijack}, ...; default all)
     * @param as      the identity of the site that goes rogue (default: an agent that serves none of the victims)
     */
    public record AttackSpec(@JsonProperty(required = true) List<String> devices, List<String> kinds, String as) {
        public AttackSpec {
            kinds = kinds == null || kinds.isEmpty() ? List.of("all") : List.copyOf(kinds);
            for (String k : kinds) {
                if (!k.equals("all")) {
                    dev.tandem.sim.attack.Attack.ofWireName(k);
                }
            }
            if (as != null) {
                dev.tandem.shared.wire.Checks.id("as", as);
            }
        }

        /** The attacks named. */
        public List<dev.tandem.sim.attack.Attack> attacks() {
            if (kinds.contains("all")) {
                return List.of(dev.tandem.sim.attack.Attack.values());
            }
            return kinds.stream().map(dev.tandem.sim.attack.Attack::ofWireName).distinct().toList();
        }
    }

    /** A fault (see {@link dev.tandem.sim.factory.Fault}). */
    public record FaultSpec(@JsonProperty(required = true) String kind, @JsonProperty(required = true) List<String> devices,
                            @JsonProperty(required = true) List<String> channels, String severity, Double magnitude,
                            SimTime duration, SimTime period, List<Double> weights) {
    }

    /**
     * An operating-point change that is not a fault: {@code setpoint} or {@code product} (persistent
     * offsets per channel, in the channel's unit, reached over {@code ramp}), {@code maintenance}
     * (the device sends nothing for {@code duration}).
     */
    public record OperatingSpec(@JsonProperty(required = true) String kind, @JsonProperty(required = true) List<String> devices,
                                Map<String, Double> change, SimTime ramp, SimTime duration) {
        public OperatingSpec {
            switch (kind) {
                case "setpoint", "product" -> {
                    if (change == null || change.isEmpty()) {
                        throw TandemException.invalid(kind + " needs a change: {channel: offset, ...}");
                    }
                }
                case "maintenance" -> {
                    if (duration == null || !isPositive(duration.duration())) {
                        throw TandemException.invalid("maintenance needs a duration > 0");
                    }
                }
                default -> throw TandemException.invalid("unknown operating change '" + kind
                        + "' (setpoint, product, maintenance)");
            }
        }
    }

    /**
     * A network event, carried out by the fault proxy between the clients and the broker: see
     * {@link dev.tandem.sim.netfault.NetworkFault.Kind} for the kinds and their parameters.
     *
     * @param devices   devices whose connections it hits (ids or globs such as {@code machine-0*}; {@code *}: all)
     * @param targets   whose connections: {@code sensors} (the simulated devices, default), {@code edge}, {@code hub}
     * @param latency   added one-way delay per chunk of bytes (latency)
     * @param jitter    uniform extra delay in [0, jitter] (latency)
     * @param loss      share of chunks lost and retransmitted after {@code retransmit} (loss), in [0, 1)
     * @param bandwidth bytes per second per connection and direction (bandwidth)
     */
    public record NetworkSpec(@JsonProperty(required = true) String kind, List<String> devices, List<String> targets,
                              @JsonProperty(required = true) SimTime duration, SimTime latency, SimTime jitter,
                              Double loss, SimTime retransmit, Long bandwidth) {
        public List<String> devices() {
            return devices == null ? List.of("*") : devices;
        }
    }

    /**
     * A device event: {@code power_cut} (nothing sent for {@code duration}), {@code restart} (down for
     * {@code duration}, default 5 s, then sequence numbers start again at 0), {@code clock_jump} (its
     * timestamps off by {@code jump} from then on).
     */
    public record DeviceEventSpec(@JsonProperty(required = true) String kind, @JsonProperty(required = true) List<String> devices,
                                  SimTime duration, SimTime jump) {
        public DeviceEventSpec {
            switch (kind) {
                case "power_cut" -> {
                    if (duration == null || !isPositive(duration.duration())) {
                        throw TandemException.invalid("power_cut needs a duration > 0");
                    }
                }
                case "restart" -> duration = duration == null ? SimTime.ofSeconds(5) : duration;
                case "clock_jump" -> {
                    if (jump == null || jump.duration().isZero()) {
                        throw TandemException.invalid("clock_jump needs a jump (e.g. 30s or -1h)");
                    }
                }
                default -> throw TandemException.invalid("unknown device event '" + kind + "' (power_cut, restart, clock_jump)");
            }
        }
    }

    private static boolean isPositive(java.time.Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }
}
