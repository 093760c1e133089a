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
            description = {"A provisioned site (./tandem provision): its sensor identities publish (one connection each),",
                    "its alarm recorder records (--record-alarms; provision --add --recorder). Without it: anonymous."})
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

    double speedValue() {
        return parseSpeed(speed == null ? "1" : speed);
    }

    /** {@code --speed}: a number > 0 (times real time), or max (infinite: as fast as the broker takes them). */
    static double parseSpeed(String speed) {
        if ("max".equalsIgnoreCase(speed)) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            double v = Double.parseDouble(speed);
            if (v > 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new TandemException(ErrorCode.INVALID_CONFIG, "--speed must be a number > 0 or max, got '" + speed + "'");
    }

    ScenarioReport run(Scenario scenario) throws Exception {
        if (timeout < 1 || qos < 0 || qos > 2) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--timeout >= 1 and --qos 0, 1 or 2");
        }
        Path truthFile = truth != null ? truth : Path.of(scenario.name() + ".truth.jsonl");
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
                    Duration.ofSeconds(timeout), Duration.ofSeconds(Math.max(1, statusEvery)), System.out));
        }
        ScenarioRun.Options o = new ScenarioRun.Options(broker, speedValue(), truthFile, alarms, report,
                Duration.ofSeconds(timeout), qos, Duration.ofSeconds(Math.max(1, statusEvery)), site);
        ScenarioRun run = new ScenarioRun(scenario, o, System.out);
        return UntilStopped.onCtrlC(() -> { }, run::run);
    }
}
