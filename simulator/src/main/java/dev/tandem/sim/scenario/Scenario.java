package dev.tandem.sim.scenario;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;
import dev.tandem.sim.factory.DeviceProfile;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.netfault.NetworkFault;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A scenario, checked and resolved: device types as the generator's profiles, the fleet as named
 * devices, every timeline entry with the devices it names. Build with {@link #of} (or
 * {@link ScenarioLoader}); the fleet itself is {@link ScenarioFleet}.
 *
 * @param source where it was read from (error messages name it)
 */
public record Scenario(String name, String description, long seed, Duration duration, Instant start,
                       Duration commissioning, boolean sharedConnections, List<String> sites,
                       Map<String, DeviceProfile> types, List<Device> devices, List<Entry> timeline, List<String> needs,
                       String source, List<Replay> replays) {
    /** Most devices in one scenario (one JVM simulates them; see {@code bench sim}). */
    public static final int MAX_DEVICES = 10_000;
    /** Default commissioning span: the edge's 400 readings at 1 Hz. */
    public static final Duration DEFAULT_COMMISSIONING = Duration.ofSeconds(400);
    /** The built-in device type: the factory line's pump at 1 Hz. */
    public static final String PUMP = "pump";

    /** One device of the fleet: {@code index} is its position (its random streams derive from seed and index). */
    public record Device(String id, String type, String site, int index) {
    }

    /** A replay source of the fleet ({@code fleet[position]}, on {@code line}) and its site. */
    public record Replay(int line, int position, ScenarioFile.ReplaySpec spec, String site) {
    }

    /** One timeline entry with the devices it names, and the line it was written on. */
    public record Entry(int line, int position, Duration at, ScenarioFile.EventSpec spec, List<String> devices) {
        /** {@code file:line: timeline[i] (what at T)} for messages. */
        String where(String source) {
            return source + ":" + line + ": timeline[" + position + "] (" + spec.what() + " at " + new SimTime(at) + ")";
        }
    }

    public Scenario {
        types = Map.copyOf(types);
        devices = List.copyOf(devices);
        timeline = List.copyOf(timeline);
        needs = List.copyOf(needs);
        replays = replays == null ? List.of() : List.copyOf(replays);
    }

    /** Whether the fleet is recorded data ({@link #replays()}): such a scenario runs through {@code sim replay}'s path. */
    public boolean isReplay() {
        return !replays.isEmpty();
    }

    /** The device with that id, or null. */
    public Device device(String id) {
        return devices.stream().filter(d -> d.id().equals(id)).findFirst().orElse(null);
    }

    /** Checks and resolves a parsed file; errors name {@code source}, the line and the field. */
    public static Scenario of(ScenarioFile f, String source) {
        List<String> sites = new ArrayList<>();
        for (ScenarioFile.SiteSpec s : f.sites()) {
            check(source, 0, "sites", () -> Checks.id("site id", s.id()));
            if (sites.contains(s.id())) {
                throw error(source, 0, "sites", "site '" + s.id() + "' twice");
            }
            sites.add(s.id());
        }
        Map<String, DeviceProfile> types = new LinkedHashMap<>();
        types.put(PUMP, DeviceProfile.pump(1));
        f.deviceTypes().forEach((name, spec) -> types.put(name,
                check(source, spec.line(), "deviceTypes." + name, () -> spec.value().profile(name))));

        List<Device> devices = new ArrayList<>();
        List<Replay> replays = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < f.fleet().size(); i++) {
            Located<ScenarioFile.FleetSpec> e = f.fleet().get(i);
            ScenarioFile.FleetSpec spec = e.value();
            String field = "fleet[" + i + "]";
            if (spec.replay() != null) {
                String site = spec.site() == null ? sites.get(0) : spec.site();
                if (!sites.contains(site)) {
                    throw error(source, e.line(), field + ".site", "no site '" + site + "' (sites: " + sites + ")");
                }
                if (!replays.isEmpty() && !replays.get(0).site().equals(site)) {
                    throw error(source, e.line(), field + ".site", "a replay runs on one site: '" + replays.get(0).site() + "'");
                }
                if (!replays.isEmpty() && replays.get(0).spec().pace() != spec.replay().pace()) {
                    throw error(source, e.line(), field + ".replay.speed", "a replay runs at one speed: "
                            + replays.get(0).spec().pace() + " above");
                }
                replays.add(new Replay(e.line(), i, spec.replay(), site));
                continue;
            }
            if (!replays.isEmpty()) {
                throw error(source, e.line(), field, "a replay scenario's fleet is replay entries only");
            }
            if (!types.containsKey(spec.type())) {
                throw error(source, e.line(), field + ".type", "no device type '" + spec.type() + "' (types: " + types.keySet() + ")");
            }
            String site = spec.site() == null ? sites.get(0) : spec.site();
            if (!sites.contains(site)) {
                throw error(source, e.line(), field + ".site", "no site '" + site + "' (sites: " + sites + ")");
            }
            if (devices.size() + spec.count() > MAX_DEVICES) {
                throw error(source, e.line(), field + ".count", "the fleet reaches " + (devices.size() + spec.count())
                        + " devices, beyond the limit of " + MAX_DEVICES + " per scenario");
            }
            String prefix = spec.prefix() == null ? spec.type() : spec.prefix();
            for (int k = 0; k < spec.count(); k++) {
                String id = String.format("%s-%02d", prefix, k + 1);
                check(source, e.line(), field + ".prefix", () -> Checks.id("device id", id));
                if (!ids.add(id)) {
                    throw error(source, e.line(), field, "device '" + id + "' is already in the fleet (give another prefix)");
                }
                devices.add(new Device(id, spec.type(), site, devices.size()));
            }
        }

        if (!replays.isEmpty() && !devices.isEmpty()) {
            throw error(source, f.fleet().get(replays.get(0).position()).line(), "fleet[" + replays.get(0).position() + "]",
                    "a replay scenario's fleet is replay entries only");
        }
        if (!replays.isEmpty() && !f.timeline().isEmpty()) {
            throw error(source, f.timeline().get(0).line(), "timeline", "a replay scenario has no timeline (its files are the run)");
        }
        List<Entry> timeline = new ArrayList<>();
        Duration previous = Duration.ZERO;
        Duration length = f.duration() == null ? Duration.ZERO : f.duration().duration();
        for (int i = 0; i < f.timeline().size(); i++) {
            Located<ScenarioFile.EventSpec> e = f.timeline().get(i);
            Duration at = e.value().at().duration();
            String where = "timeline[" + i + "].at";
            if (at.compareTo(previous) < 0) {
                throw error(source, e.line(), where, "at " + e.value().at() + " comes after an entry at " + new SimTime(previous)
                        + ": list the timeline in time order");
            }
            if (at.compareTo(length) >= 0) {
                throw error(source, e.line(), where, "at " + e.value().at() + " is not within the scenario's duration "
                        + f.duration());
            }
            previous = at;
            List<String> named = select(source, e.line(), "timeline[" + i + "]." + e.value().what() + ".devices",
                    e.value().devices(), ids);
            timeline.add(new Entry(e.line(), i, at, e.value(), named));
        }
        checkNetworkOverlaps(source, timeline);
        return new Scenario(f.name(), f.description(), f.seed() == null ? SimConfig.DEFAULT_SEED : f.seed(), length,
                f.start() == null ? SimConfig.DEFAULT_START : Instant.parse(f.start()),
                f.commissioning() == null ? DEFAULT_COMMISSIONING : f.commissioning().duration(),
                "shared".equals(f.connection()), sites, types, devices, timeline, f.needs(), source, replays);
    }

    /** The network fault of a network entry (checked). */
    static NetworkFault networkFault(ScenarioFile.NetworkSpec n) {
        return new NetworkFault(NetworkFault.Kind.parse(n.kind()), dur(n.latency()), dur(n.jitter()),
                n.loss() == null ? 0 : n.loss(), dur(n.retransmit()), n.bandwidth() == null ? 0 : n.bandwidth());
    }

    private static Duration dur(SimTime t) {
        return t == null ? null : t.duration();
    }

    /** Two network events of one kind on the same device at once cannot both hold (which latency?). */
    private static void checkNetworkOverlaps(String source, List<Entry> timeline) {
        List<Entry> network = timeline.stream().filter(e -> e.spec().network() != null).toList();
        for (Entry e : network) {
            NetworkFault fault = check(source, e.line(), "timeline[" + e.position() + "].network",
                    () -> networkFault(e.spec().network()));
            if (!isPositive(e.spec().network().duration().duration())) {
                throw error(source, e.line(), "timeline[" + e.position() + "].network.duration", "must be > 0");
            }
            for (String t : e.spec().network().targets() == null ? List.<String>of() : e.spec().network().targets()) {
                if (!List.of("sensors", "edge", "hub").contains(t)) {
                    throw error(source, e.line(), "timeline[" + e.position() + "].network.targets",
                            "unknown target '" + t + "' (sensors, edge, hub)");
                }
            }
            Duration end = e.at().plus(e.spec().network().duration().duration());
            for (Entry o : network) {
                if (o.position() >= e.position() || !o.spec().network().kind().equals(e.spec().network().kind())) {
                    continue;
                }
                Duration oEnd = o.at().plus(o.spec().network().duration().duration());
                boolean sameDevices = o.devices().stream().anyMatch(e.devices()::contains);
                if (sameDevices && e.at().compareTo(oEnd) < 0 && o.at().compareTo(end) < 0) {
                    throw error(source, e.line(), "timeline[" + e.position() + "].network", "this " + fault.kind().wireName()
                            + " overlaps the one of timeline[" + o.position() + "] (line " + o.line() + ") on the same devices");
                }
            }
        }
    }

    private static List<String> select(String source, int line, String field, List<String> patterns, Set<String> ids) {
        if (patterns == null || patterns.isEmpty()) {
            throw error(source, line, field, "name at least one device (an id, a glob such as machine-0*, or *)");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String p : patterns) {
            Pattern glob = Pattern.compile(Pattern.quote(p).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q"));
            List<String> hit = ids.stream().filter(id -> glob.matcher(id).matches()).toList();
            if (hit.isEmpty()) {
                throw error(source, line, field, "'" + p + "' names no device of the fleet");
            }
            out.addAll(hit);
        }
        return List.copyOf(out);
    }

    static <T> T check(String source, int line, String field, java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (TandemException e) {
            throw error(source, line, field, e.getMessage());
        }
    }

    static TandemException error(String source, int line, String field, String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, source + (line > 0 ? ":" + line : "") + ": " + field + ": " + message);
    }

    private static boolean isPositive(java.time.Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }
}
