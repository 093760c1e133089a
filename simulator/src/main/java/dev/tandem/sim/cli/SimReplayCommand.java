package dev.tandem.sim.cli;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.provision.SiteLayout;
import dev.tandem.sim.replay.ReplayFormat;
import dev.tandem.sim.replay.ReplayPlan;
import dev.tandem.sim.replay.ReplayRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replays recorded data: each CSV file under --path becomes a device publishing its rows in time order,",
                "at the recorded pace times --speed (max: as fast as the broker acknowledges, QoS 1, nothing dropped).",
                "The rows' labels become the ground truth of the rows after commissioning (for ./tandem score).",
                "The loader is the evaluation's: a bad row is skipped and counted (file:line), a bad file left out."})
final class SimReplayCommand implements Callable<Integer> {
    @Option(names = "--path", required = true, paramLabel = "FILE|DIR", description = "A CSV file, or a folder searched for *.csv.")
    Path path;

    @Option(names = "--format", paramLabel = "skab|csv|nab", defaultValue = "skab",
            description = "skab: SKAB's files; csv: any CSV with the columns below; nab: NAB's, with --labels (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--timestamp", paramLabel = "COL", description = "csv: the time column (ISO-8601, 2020-03-09 10:14:33, or epoch s/ms).")
    String timestamp;

    @Option(names = "--channels", paramLabel = "COLS", split = ",",
            description = "csv: the channel columns, in order (default: every column but time and label).")
    List<String> channels = List.of();

    @Option(names = "--label", paramLabel = "COL", description = "csv: the 0/1 anomaly label column (default: unlabelled).")
    String label;

    @Option(names = "--labels", paramLabel = "FILE", description = "nab: the windows file (labels/combined_windows.json).")
    Path labels;

    @Option(names = "--speed", paramLabel = "X|max", defaultValue = "1",
            description = "Recorded seconds per wall second, or max (default: ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--commissioning", paramLabel = "auto|N", defaultValue = "auto",
            description = "Rows each device commissions on: auto is the format's, as eval (skab: 400; nab: 15 %% of each file, at most 750), N for csv (default: ${DEFAULT-VALUE}).")
    String commissioning;

    @Option(names = "--broker", paramLabel = "URL", converter = BrokerOption.class,
            description = "MQTT broker (default: an embedded HiveMQ CE for the run: anonymous, or the site of --site-dir).")
    BrokerAddress broker;

    @Option(names = "--site-dir", paramLabel = "DIR",
            description = "A provisioned site: its sensor identities publish, its alarm-recorder records. Without it: anonymous.")
    Path siteDir;

    @Mixin
    FleetOptions.Site siteOption = new FleetOptions.Site(FleetOptions.PLANT_SITE);

    @Option(names = "--truth", paramLabel = "FILE", defaultValue = "replay.truth.jsonl",
            description = "Where the ground truth goes, JSON lines (default: ${DEFAULT-VALUE}).")
    Path truth;

    @Option(names = "--record-alarms", paramLabel = "FILE", description = "Record the site's alarms seen on the broker, for ./tandem score.")
    Path alarms;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "86400", description = "Stop after S seconds of wall time (default: ${DEFAULT-VALUE}).")
    long timeout;

    @Option(names = "--status-every", paramLabel = "S", defaultValue = "5", description = "Seconds between status lines (default: ${DEFAULT-VALUE}).")
    long statusEvery;

    @Option(names = "--await-models", paramLabel = "S", defaultValue = "0",
            description = {"With edge agents: hold each device's rows after commissioning until its agent reports its model",
                    "active (model/state), at most S seconds from the start; 0: no wait (default: ${DEFAULT-VALUE})."})
    long awaitModels;

    @Option(names = "--dry-run", description = "Load and check the files, print the devices and the ground truth's size; publish nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        ReplayFormat f = ReplayFormat.parse(format);
        var columns = f.columns(timestamp, channels, label);
        int rows = f.commissioning(commissioning);
        double pace = ScenarioOptions.parseSpeed(speed);
        if (timeout < 1 || awaitModels < 0) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--timeout must be >= 1 and --await-models >= 0");
        }
        if ((f == ReplayFormat.NAB) != (labels != null)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, f == ReplayFormat.NAB ? "--format nab needs --labels FILE "
                    + "(NAB's labels/combined_windows.json)" : "--labels is for --format nab");
        }
        ReplayPlan plan = f == ReplayFormat.NAB ? ReplayPlan.loadNab(path, labels, rows) : ReplayPlan.load(path, columns, rows);
        if (dryRun) {
            System.out.printf("replay (dry run): %s%n", plan);
            plan.refused().forEach(r -> System.out.printf("left out %s%n", r));
            plan.unscored().forEach(r -> System.out.printf("not replayed %s%n", r));
            if (plan.commissioning() == 0) {
                plan.deviceIds().forEach(d -> System.out.printf("commissioning %s %d rows%n", d, plan.commissioning(d)));
            }
            System.out.printf("devices %s%nground truth %d lines (%d labelled runs)%n", String.join(",", plan.deviceIds()),
                    plan.groundTruth().size(), plan.groundTruth().stream().filter(t -> t.anomalous()).count());
            return plan.refused().isEmpty() ? 0 : 1;
        }
        SiteAccess site = null;
        if (siteDir != null) {
            SiteLayout layout = new SiteLayout(siteDir);
            if (!Files.isRegularFile(layout.registry())) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "--site-dir " + siteDir + " holds no provisioned site");
            }
            site = SiteAccess.open(layout);
        } else if (broker != null) {
            System.err.println("WARNING: no --site-dir: connecting anonymously to " + broker.url());
        }
        ReplayRun.Options o = new ReplayRun.Options(broker, site, siteOption.value, pace, truth, alarms,
                Duration.ofSeconds(timeout), Duration.ofSeconds(Math.max(1, statusEvery)), Duration.ofSeconds(awaitModels));
        ReplayRun.Report r = UntilStopped.onCtrlC(() -> { }, () -> new ReplayRun(plan, o, System.out).run());
        return r.completed() && r.failed() == 0 && r.refusedFiles().isEmpty() ? 0 : 1;
    }
}
