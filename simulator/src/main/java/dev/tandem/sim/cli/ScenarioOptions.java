package dev.tandem.sim.cli;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.provision.SiteLayout;
import dev.tandem.sim.scenario.Scenario;
import dev.tandem.sim.scenario.ScenarioReport;
import dev.tandem.sim.scenario.ScenarioRun;
import dev.tandem.sim.scenario.ScenarioReplay;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/** The options of {@code sim run} and {@code sim scenario}: where to, how fast, what to write. */
final class ScenarioOptions {
    @Option(names = "--broker", paramLabel = "URL", converter = BrokerOption.class,
            description = "MQTT broker (default: an embedded HiveMQ CE for the run: anonymous, or the site of --site-dir).")
    BrokerAddress broker;

    @Option(names = "--site-dir", paramLabel = "DIR",
            description = "A provisioned site (./tandem provision): its sensor identities publish (one connection each), its "
                    + "alarm recorder records (--record-alarms; provision --add --recorder). Without it: anonymous.")
    Path siteDir;

    @Option(names = "--speed", paramLabel = "X|max",
            description = "Simulated seconds per second, or max: as fast as the broker takes them (default: 1; a replay scenario: its file's).")
    String speed;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the run's report as JSON.")
    Path report;

    @Option(names = "--truth", paramLabel = "FILE", description = "Where the ground truth goes, JSON lines (default: NAME.truth.jsonl).")
    Path truth;

    @Option(names = "--record-alarms", paramLabel = "FILE",
            description = "Record the alarms seen on the broker (tandem/v1/+/+/alarms) as JSON lines, for ./tandem score.")
    Path alarms;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "3600", description = "Stop after S seconds of wall time (default: ${DEFAULT-VALUE}).")
    long timeout;

    @Option(names = "--qos", defaultValue = "1", description = "MQTT QoS of the readings (default: ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--status-every", paramLabel = "S", defaultValue = "5", description = "Seconds between status lines (default: ${DEFAULT-VALUE}).")
    long statusEvery;

    @Option(names = "--devices", paramLabel = "N",
            description = "Replace the count of the scenario's fleet (one entry) by N (1..10000; a rollout scenario 1..1000).")
    Integer devices;

    @Option(names = "--rate", paramLabel = "R",
            description = "Scenarios with rollouts: readings per device per second of wall time (default: 50, above 100 devices "
                    + "5000/N: the fleet's readings stay at 5,000/s).")
    Double rate;

    @Option(names = "--mosquitto",
            description = "Scenarios with rollouts: the fleet's broker is a mosquitto process of its own (default: embedded HiveMQ CE).")
    boolean mosquitto;

    /** The rollout scenarios' default rate for {@code n} devices. */
    static double defaultRate(int n) {
        return n <= 100 ? 50 : Math.max(1, 5000.0 / n);
    }

    double speedValue() {
        return parseSpeed(speed == null ? "1" : speed);
    }

    /** {@code --speed}: a number > 0 (times real time), or max (infinite: as fast as the broker takes them). */
    static double parseSpeed(String speed) {
        return dev.tandem.sim.replay.ReplaySpeed.parse("--speed", speed, ErrorCode.INVALID_CONFIG);
    }

    /** Runs {@code scenario}; whether it succeeded (the exit code's 0). */
    boolean run(Scenario scenario) throws Exception {
        if (timeout < 1 || qos < 0 || qos > 2) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--timeout >= 1 and --qos 0, 1 or 2");
        }
        Path truthFile = truth != null ? truth : Path.of(scenario.name() + ".truth.jsonl");
        if (!dev.tandem.sim.scenario.ScenarioFleet.of(scenario).rolloutEvents().isEmpty()) {
            return runRollouts(scenario, truthFile);
        }
        if (rate != null || mosquitto) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--rate and --mosquitto go with scenarios that have rollouts; "
                    + scenario.name() + " has none (--speed paces it)");
        }
        SiteAccess site = null;
        if (siteDir != null) {
            SiteLayout layout = new SiteLayout(siteDir);
            if (!java.nio.file.Files.isRegularFile(layout.registry())) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "--site-dir " + siteDir + " holds no provisioned site ("
                        + layout.registry() + " missing; ./tandem provision makes one)");
            }
            site = SiteAccess.open(layout);
            if (broker != null && broker.tls()) {
                dev.tandem.shared.identity.BrokerLogin.of(null, layout.caCertificate()).checkFor(broker);
            }
        } else if (broker != null) {
            System.err.println("WARNING: no --site-dir: connecting anonymously to " + broker.url());
        }
        if (scenario.isReplay()) {
            Scenario s = scenario;
            Double pace = speed == null ? null : speedValue();
            SiteAccess access = site;
            return UntilStopped.onCtrlC(() -> { }, () -> ScenarioReplay.run(s, broker, access, pace, truthFile, alarms, report,
                    Duration.ofSeconds(timeout), Duration.ofSeconds(Math.max(1, statusEvery)), System.out)).succeeded();
        }
        return runPlain(scenario, truthFile, site).succeeded();
    }

    private ScenarioReport runPlain(Scenario scenario, Path truthFile, SiteAccess site) throws Exception {
        ScenarioRun.Options o = new ScenarioRun.Options(broker, speedValue(), truthFile, alarms, report,
                Duration.ofSeconds(timeout), qos, Duration.ofSeconds(Math.max(1, statusEvery)), site);
        ScenarioRun run = new ScenarioRun(scenario, o, System.out);
        return UntilStopped.onCtrlC(() -> { }, run::run);
    }

    /** A scenario with rollouts: its own broker, site, hub and edge agents (see {@link dev.tandem.sim.rollout.RolloutScenario}). */
    private boolean runRollouts(Scenario scenario, Path truthFile) throws Exception {
        if (broker != null || siteDir != null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "scenario " + scenario.name() + " has rollouts: it starts its "
                    + "own broker, site, hub and edge agents; drop --broker and --site-dir (--mosquitto: a mosquitto broker)");
        }
        double r = rate != null ? rate : defaultRate(scenario.devices().size());
        dev.tandem.sim.rollout.RolloutScenario.Options o = new dev.tandem.sim.rollout.RolloutScenario.Options(r,
                mosquitto ? dev.tandem.sim.fleet.LocalFleetOptions.BrokerKind.MOSQUITTO
                        : dev.tandem.sim.fleet.LocalFleetOptions.BrokerKind.EMBEDDED, truthFile, alarms, report,
                Duration.ofSeconds(timeout), Duration.ofSeconds(Math.max(1, statusEvery)));
        dev.tandem.sim.rollout.RolloutScenarioReport rep = UntilStopped.onCtrlC(() -> { },
                () -> new dev.tandem.sim.rollout.RolloutScenario(scenario, o, System.out).run());
        return rep.succeeded();
    }
}
