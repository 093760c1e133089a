package dev.tandem.sim.scenario;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.Role;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.sim.attack.Attacker;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.score.AlarmRecorder;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The attack entries of a scenario run: each carried out at its time, off the run's loop, against
 * the running fleet with the site's identities; the victim's alarms (seen by the site's monitor)
 * counted before the attack and after it, with the model versions they came from.
 */
final class AttackRuns implements AutoCloseable {
    private record Pending(double at, String victim, String as, int alarmIndex, Future<List<Attacker.Result>> results) {
    }

    private static final long WAIT_SECONDS = 120;

    private final ScenarioFleet fleet;
    private final SiteAccess site;
    private final BrokerAddress broker;
    private final AlarmRecorder recorder;
    private final PrintStream out;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tandem-attacks");
        t.setDaemon(true);
        return t;
    });
    private final List<Pending> pending = new ArrayList<>();

    /** INVALID_CONFIG if the scenario attacks and the run has no site (its identities) to attack with. */
    static void check(ScenarioFleet fleet, SiteAccess site) {
        if (!fleet.attackEvents().isEmpty() && site == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "scenario " + fleet.scenario().name() + " has attack "
                    + "entries: run it against a secured fleet with --site-dir DIR (the site's identities, from ./tandem provision)");
        }
    }

    AttackRuns(ScenarioFleet fleet, SiteAccess site, BrokerAddress broker, AlarmRecorder recorder, PrintStream out) {
        this.fleet = fleet;
        this.site = site;
        this.broker = broker;
        this.recorder = recorder;
        this.out = out;
    }

    /** Starts the attacks of {@code e} (one victim after the other) in the background. */
    void fire(ScenarioFleet.AttackEvent e, double simSeconds) {
        for (String victim : e.victims()) {
            Identity rogue = rogue(e, victim);
            Credentials rogueCredentials = Credentials.load(site.layout().credentials(rogue.name()));
            String victimAgent = site.identities().stream()
                    .filter(i -> i.role() == Role.AGENT && i.devices().contains(victim)).map(Identity::username)
                    .findFirst().orElse(site.site() + "/agent-of-" + victim);
            int channels = fleet.line().machine(victim).profile().channels().size();
            Attacker attacker = new Attacker(broker, broker.tls() ? site.layout().caCertificate() : null, rogueCredentials,
                    site.site(), victim, victimAgent, channels);
            out.printf("attack: %d attacks on %s as %s (and as nobody)%n", e.attacks().size(), victim, rogue.username());
            pending.add(new Pending(simSeconds, victim, rogue.username(), victimAlarms(victim).size(),
                    executor.submit(() -> attacker.run(e.attacks()))));
        }
    }

    /** Waits (bounded) for the attacks and reports each with the victim's alarms before and after. */
    List<AttackReport> reports() {
        List<AttackReport> out = new ArrayList<>();
        for (Pending p : pending) {
            List<Attacker.Result> results;
            try {
                results = p.results().get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new TandemException(ErrorCode.INTERNAL_ERROR, "attacks on " + p.victim() + " did not finish: " + e, e);
            }
            List<Alarm> alarms = victimAlarms(p.victim());
            List<Alarm> before = alarms.subList(0, Math.min(p.alarmIndex(), alarms.size()));
            List<Alarm> after = alarms.subList(Math.min(p.alarmIndex(), alarms.size()), alarms.size());
            int refused = (int) results.stream().filter(Attacker.Result::refused).count();
            out.add(new AttackReport(p.at(), p.victim(), p.as(), results.size(), refused, results, before.size(), after.size(),
                    models(before), models(after)));
        }
        return List.copyOf(out);
    }

    private List<Alarm> victimAlarms(String victim) {
        return recorder.alarms().stream().filter(a -> a.device().equals(victim)).toList();
    }

    private static List<String> models(List<Alarm> alarms) {
        return alarms.stream().map(Alarm::modelVersion).distinct().sorted().toList();
    }

    /** The identity that goes rogue: the one named, or an agent of the site serving none of the victims. */
    private Identity rogue(ScenarioFleet.AttackEvent e, String victim) {
        List<Identity> ids = site.identities();
        if (e.as() != null) {
            return ids.stream().filter(i -> i.name().equals(e.as())).findFirst().orElseThrow(() ->
                    new TandemException(ErrorCode.INVALID_CONFIG, "line " + e.line() + ": attack.as: site " + site.site()
                            + " has no identity '" + e.as() + "'"));
        }
        return ids.stream().filter(i -> i.role() == Role.AGENT && i.devices().stream().noneMatch(e.victims()::contains))
                .findFirst().orElseThrow(() -> new TandemException(ErrorCode.INVALID_CONFIG, "line " + e.line()
                        + ": attack on " + victim + ": site " + site.site() + " has no agent serving other devices to go rogue "
                        + "(name one with attack.as)"));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
