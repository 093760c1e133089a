package dev.tandem.sim.scenario;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.netfault.FaultProxy;
import dev.tandem.sim.score.AlarmRecorder;
import dev.tandem.sim.score.JsonLines;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs a scenario: its fleet publishes to a broker (embedded HiveMQ, anonymous, unless one is given)
 * at {@code speed} times real time or as fast as the broker takes it, through the fault proxy when
 * the timeline has network events; the ground truth is written, alarms on the broker are recorded
 * if asked, and a {@link ScenarioReport} comes back. Blocks until done or {@code timeout}.
 */
public final class ScenarioRun {
    /** Client-id prefixes of the parts a network event can target besides the simulated devices. */
    static final String EDGE_PREFIX = "edge-";
    static final String HUB_PREFIX = "tandem-hub-";

    /**
     * @param broker  null: an embedded broker for the run
     * @param speed   simulated seconds per wall second; {@link Double#POSITIVE_INFINITY}: as fast as possible
     * @param truth   where the ground truth goes (JSON lines)
     * @param alarms  null: no recording; else where the alarms seen on the broker go (JSON lines)
     * @param report  null: no file
     * @param timeout wall-clock bound of the run
     * @param site    null: anonymous clients (an embedded broker for the run allows them); else a provisioned
     *                site whose sensor identities publish (one connection per identity, client id = its
     *                username), whose alarm recorder records, and whose registry an embedded broker enforces
     */
    public record Options(BrokerAddress broker, double speed, Path truth, Path alarms, Path report, Duration timeout,
                          int qos, Duration statusEvery, SiteAccess site) {
        public Options {
            if (!(speed > 0)) {
                throw dev.tandem.shared.error.TandemException.invalid("speed must be > 0 (or max), got " + speed);
            }
        }

        /** Anonymous clients. */
        public Options(BrokerAddress broker, double speed, Path truth, Path alarms, Path report, Duration timeout,
                       int qos, Duration statusEvery) {
            this(broker, speed, truth, alarms, report, timeout, qos, statusEvery, null);
        }
    }

    private final ScenarioFleet fleet;
    private final Options options;
    private final PrintStream out;
    private final List<String> networkLog = new CopyOnWriteArrayList<>();

    public ScenarioRun(Scenario scenario, Options options, PrintStream out) {
        this.fleet = ScenarioFleet.of(scenario);
        if (!fleet.rolloutEvents().isEmpty()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, scenario.source() + ": scenario " + scenario.name()
                    + " has rollouts: it runs with its own hub and edge agents (dev.tandem.sim.rollout.RolloutScenario)");
        }
        this.options = options;
        AttackRuns.check(fleet, options.site());
        this.out = out;
    }

    public ScenarioFleet fleet() {
        return fleet;
    }

    public ScenarioReport run() throws Exception {
        Scenario s = fleet.scenario();
        EmbeddedBroker embedded = null;
        Vertx vertx = Vertx.vertx();
        FaultProxy proxy = null;
        AlarmRecorder recorder = null;
        AttackRuns attacks = null;
        List<PublisherGroup> groups = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            BrokerAddress broker = options.broker();
            SiteAccess site = options.site();
            List<Group> plan = groups(s, site); // before anything starts: a device no identity may publish fails here
            if (broker == null) {
                embedded = new EmbeddedBroker(site == null ? EmbeddedBrokerOptions.anonymous()
                        : EmbeddedBrokerOptions.secured(site.layout().root())).start();
                broker = embedded.address();
            }
            BrokerAddress devicesConnectTo = broker;
            if (!fleet.networkEvents().isEmpty()) {
                proxy = FaultProxy.start(vertx, broker);
                devicesConnectTo = proxy.address();
            }
            if (options.alarms() != null || !fleet.attackEvents().isEmpty()) {
                recorder = site == null ? AlarmRecorder.start(vertx, broker)
                        : AlarmRecorder.start(vertx, broker, site.recorder(), site.site());
            }
            if (!fleet.attackEvents().isEmpty()) {
                attacks = new AttackRuns(fleet, site, broker, recorder, out);
            }
            String speed = Double.isInfinite(options.speed()) ? "max" : String.valueOf(options.speed());
            out.printf("scenario %s: %d devices on %s, %s simulated at speed %s against %s%s%n", s.name(), s.devices().size(),
                    s.sites(), new SimTime(s.duration()), speed, broker.url(),
                    proxy == null ? "" : " (through the fault proxy " + proxy.address().url() + ")");
            long referenceSamples = Math.round(s.duration().toMillis() / 1000.0);
            long start = System.nanoTime();
            for (Group g : plan) {
                groups.add(new PublisherGroup(vertx, fleet.line().subset(g.devices()), g.site(),
                        "tandem-sim-" + g.site() + "-" + g.name(), devicesConnectTo, g.login(), options.speed(),
                        referenceSamples, options.qos(), start));
            }
            groups.forEach(PublisherGroup::start);
            boolean completed = drive(groups, proxy, attacks, start);
            stopAll(groups);
            List<TruthEvent> truth = fleet.groundTruth();
            JsonLines.write(options.truth(), truth);
            if (recorder != null) {
                Thread.sleep(500); // the last alarms of the last readings
                if (options.alarms() != null) {
                    recorder.writeTo(options.alarms());
                }
            }
            List<AttackReport> attackReports = attacks == null ? null : attacks.reports();
            ScenarioReport report = report(groups, proxy, recorder, attackReports, truth.size(), speed, broker,
                    (System.nanoTime() - t0) / 1e9, completed);
            print(report);
            if (options.report() != null) {
                write(options.report(), report);
            }
            return report;
        } finally {
            if (attacks != null) {
                attacks.close();
            }
            if (recorder != null) {
                recorder.close();
            }
            if (proxy != null) {
                proxy.close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** One connection: its name, site, login and devices. */
    private record Group(String name, String site, BrokerLogin login, List<String> devices) {
    }

    /**
     * Anonymous: one connection per device, or per site and type ({@code connection: shared}).
     * On a provisioned site: one connection per sensor identity (the broker allows one session per
     * username), with the devices it publishes.
     */
    private static List<Group> groups(Scenario s, SiteAccess site) {
        List<Group> out = new ArrayList<>();
        if (site == null) {
            groups(s).forEach((name, devices) -> out.add(new Group(name, s.device(devices.get(0)).site(),
                    BrokerLogin.none(), devices)));
            return out;
        }
        List<String> ids = new ArrayList<>();
        for (Scenario.Device d : s.devices()) {
            if (!d.site().equals(site.site())) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, s.source() + ": device " + d.id() + " is on site '"
                        + d.site() + "', the provisioned site in " + site.layout().root() + " is '" + site.site() + "'");
            }
            ids.add(d.id());
        }
        site.sensorsOf(ids).forEach((identity, devices) -> out.add(new Group(identity.name(), site.site(),
                site.loginOf(identity), devices)));
        return out;
    }

    private static Map<String, List<String>> groups(Scenario s) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Scenario.Device d : s.devices()) {
            String key = s.sharedConnections() ? d.type() : d.id();
            out.computeIfAbsent(key + "@" + d.site(), k -> new ArrayList<>()).add(d.id());
        }
        Map<String, List<String>> named = new LinkedHashMap<>();
        out.forEach((k, v) -> named.put(k.substring(0, k.indexOf('@')), v));
        return out.size() == named.size() ? named : renamed(out);
    }

    private static Map<String, List<String>> renamed(Map<String, List<String>> byKeyAtSite) {
        Map<String, List<String>> named = new LinkedHashMap<>();
        byKeyAtSite.forEach((k, v) -> named.put(k.replace('@', '-'), v));
        return named;
    }

    /** Waits for the groups, switching network events on and off as simulated time passes them. */
    private boolean drive(List<PublisherGroup> groups, FaultProxy proxy, AttackRuns attacks, long start)
            throws InterruptedException {
        List<ScenarioFleet.NetworkEvent> pending = new ArrayList<>(fleet.networkEvents());
        List<ScenarioFleet.AttackEvent> attacksDue = new ArrayList<>(fleet.attackEvents());
        Map<ScenarioFleet.NetworkEvent, FaultProxy.Active> on = new LinkedHashMap<>();
        Map<ScenarioFleet.NetworkEvent, Long> onSince = new LinkedHashMap<>();
        long deadline = start + options.timeout().toNanos();
        long nextStatus = start + options.statusEvery().toNanos();
        while (!groups.stream().allMatch(PublisherGroup::isDone)) {
            long now = System.nanoTime();
            if (now > deadline) {
                out.printf("scenario: timeout after %s s, stopping%n", options.timeout().toSeconds());
                on.values().forEach(FaultProxy.Active::lift);
                return false;
            }
            double sim = simulatedNow(groups, now - start);
            for (var it = pending.iterator(); it.hasNext(); ) {
                ScenarioFleet.NetworkEvent e = it.next();
                if (sim >= e.at().toMillis() / 1000.0) {
                    it.remove();
                    on.put(e, proxy.apply(e.fault(), clients(e, groups), e.devices().toString()));
                    onSince.put(e, now);
                    networkLog.add(String.format("%.1fs on  %s %s", sim, e.fault().kind().wireName(), e.devices()));
                }
            }
            for (var it = attacksDue.iterator(); it.hasNext(); ) {
                ScenarioFleet.AttackEvent e = it.next();
                if (sim >= e.at().toMillis() / 1000.0) {
                    it.remove();
                    attacks.fire(e, sim);
                }
            }
            for (var it = on.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                ScenarioFleet.NetworkEvent e = entry.getKey();
                // paced: off at its simulated end; at full speed simulated time has no pace: on for its duration of wall time
                boolean over = Double.isInfinite(options.speed()) ? now - onSince.get(e) >= e.duration().toNanos()
                        : sim >= (e.at().plus(e.duration())).toMillis() / 1000.0;
                if (over) {
                    entry.getValue().lift();
                    it.remove();
                    networkLog.add(String.format("%.1fs off %s %s", sim, e.fault().kind().wireName(), e.devices()));
                }
            }
            if (now >= nextStatus) {
                nextStatus += options.statusEvery().toNanos();
                out.printf("[%5.0fs] simulated %6.0f s | published %9d | silenced %6d | lost offline %6d | reconnects %d%n",
                        (now - start) / 1e9, sim, groups.stream().mapToLong(PublisherGroup::published).sum(),
                        groups.stream().mapToLong(PublisherGroup::silenced).sum(),
                        groups.stream().mapToLong(PublisherGroup::lostOffline).sum(),
                        groups.stream().mapToLong(PublisherGroup::reconnects).sum());
            }
            Thread.sleep(10);
        }
        on.values().forEach(FaultProxy.Active::lift);
        return true;
    }

    /** Paced: the clock times the speed. Full speed: how far the leading device has got. */
    private double simulatedNow(List<PublisherGroup> groups, long elapsedNanos) {
        if (!Double.isInfinite(options.speed())) {
            return elapsedNanos / 1e9 * options.speed();
        }
        double lead = 0;
        for (MachineSimulator m : fleet.line().machines()) {
            lead = Math.max(lead, m.nextSeq() / m.rateHz());
        }
        return lead;
    }

    /** Which client ids a network event hits: its devices' connections, and their edge agents or the hub if targeted. */
    private static Predicate<String> clients(ScenarioFleet.NetworkEvent e, List<PublisherGroup> groups) {
        Set<String> sensors = new java.util.HashSet<>();
        for (PublisherGroup g : groups) {
            if (g.line().deviceIds().stream().anyMatch(e.devices()::contains)) {
                sensors.add(g.clientId());
            }
        }
        return id -> (e.targets().contains("sensors") && sensors.contains(id))
                || (e.targets().contains("hub") && id.startsWith(HUB_PREFIX))
                || (e.targets().contains("edge") && id.startsWith(EDGE_PREFIX)
                && e.devices().stream().anyMatch(d -> id.endsWith("-" + d)));
    }

    private static void stopAll(List<PublisherGroup> groups) throws Exception {
        List<Future<Void>> stops = groups.stream().map(PublisherGroup::stop).toList();
        Future.join(stops).toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS)
                .exceptionally(e -> null).join();
    }

    private ScenarioReport report(List<PublisherGroup> groups, FaultProxy proxy, AlarmRecorder recorder,
                                  List<AttackReport> attacks, long truthLines,
                                  String speed, BrokerAddress broker, double wall, boolean completed) {
        Scenario s = fleet.scenario();
        Map<String, Long> faults = new TreeMap<>();
        Map<String, Long> events = new TreeMap<>();
        for (Scenario.Entry e : s.timeline()) {
            ScenarioFile.EventSpec spec = e.spec();
            String kind = spec.fault() != null ? spec.fault().kind() : spec.operating() != null ? spec.operating().kind()
                    : spec.network() != null ? "network." + spec.network().kind()
                    : spec.device() != null ? spec.device().kind() : spec.attack() != null ? "attack" : "rollout";
            (spec.fault() != null ? faults : events).merge(kind, (long) e.devices().size(), Long::sum);
        }
        long expected = s.devices().stream().mapToLong(d -> fleet.samples(d.id())).sum();
        double simulated = groups.stream().mapToDouble(PublisherGroup::simulatedSeconds).min().orElse(0);
        return new ScenarioReport(s.name(), s.source(), broker.url(), speed, s.devices().size(), groups.size(), simulated,
                wall, expected, sum(groups, PublisherGroup::published), sum(groups, PublisherGroup::silenced),
                sum(groups, PublisherGroup::lostOffline), sum(groups, PublisherGroup::failed),
                sum(groups, PublisherGroup::reconnects), faults, events, options.truth().toString(), truthLines,
                options.alarms() == null ? null : options.alarms().toString(),
                recorder == null ? null : (long) recorder.count(), proxy == null ? null : proxy.counters().snapshot(),
                proxy == null ? null : List.copyOf(networkLog), attacks, s.needs(), completed);
    }

    private static long sum(List<PublisherGroup> groups, java.util.function.ToLongFunction<PublisherGroup> f) {
        return groups.stream().mapToLong(f).sum();
    }

    private void print(ScenarioReport r) {
        out.printf("%n=== scenario %s ===%n", r.name());
        out.printf("devices           %d on %d connections%n", r.devices(), r.connections());
        out.printf("simulated         %.0f s in %.1f s (speed %s)%s%n", r.simulatedSeconds(), r.wallSeconds(), r.speed(),
                r.completed() ? "" : " (timed out)");
        out.printf("readings          %d published of %d due (silenced %d, lost offline %d, failed %d; reconnects %d)%n",
                r.readingsPublished(), r.readingsExpected(), r.readingsSilenced(), r.readingsLostOffline(),
                r.readingsFailed(), r.reconnects());
        out.printf("faults            %s%n", r.faults());
        out.printf("events            %s%n", r.events());
        if (r.network() != null) {
            out.printf("network           %s%n", r.network());
        }
        out.printf("ground truth      %d lines in %s%n", r.truthLines(), r.truthFile());
        if (r.alarmsRecorded() != null) {
            out.printf("alarms recorded   %d in %s%n", r.alarmsRecorded(), r.alarmsFile());
        }
        if (r.attacks() != null) {
            for (AttackReport a : r.attacks()) {
                out.printf("attacks on %-7s %d of %d refused (as %s and as nobody); its alarms before %d, after %d; models "
                        + "before %s, after %s%s%n", a.victim(), a.refused(), a.attempted(), a.as(), a.alarmsBefore(),
                        a.alarmsAfter(), a.modelsBefore(), a.modelsAfter(), a.fleetUnharmed() ? "" : "  <-- NOT UNHARMED");
                for (dev.tandem.sim.attack.Attacker.Result x : a.results()) {
                    out.printf("  %-8s %-52s %s%n", x.refused() ? "refused" : "ACCEPTED", x.description(), x.answer());
                }
            }
        }
        if (!r.unchecked().isEmpty()) {
            out.printf("not checked here  %s%n", r.unchecked());
        }
    }

    /** Writes {@code value} as pretty JSON to {@code file} (a report), its directory made if missing. */
    public static void write(Path file, Object value) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
