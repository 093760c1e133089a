package dev.tandem.sim.cli;

import dev.tandem.sim.scenario.ScenarioLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "scenario", mixinStandardHelpOptions = true,
        description = {"Runs a built-in scenario (scenarios/NAME.yaml, packaged with the build): line, drift, bad-model,",
                "power-cuts, attack, rollout, network, replay... (./tandem sim scenario --list)."})
final class SimScenarioCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The scenario's name.")
    String name;

    @picocli.CommandLine.Option(names = "--list", description = "List the built-in scenarios.")
    boolean list;

    @Mixin
    ScenarioOptions options;

    @picocli.CommandLine.Option(names = "--cuts", paramLabel = "N",
            description = {"power-cuts only: kill the production edge agent (a process of its own) with SIGKILL N times while",
                    "a line streams into mosquitto and a hub, and check that no alarm on its disk is lost and that it",
                    "detects again after each restart (mosquitto must be installed)."})
    Integer cuts;

    @Override
    public Integer call() throws Exception {
        if (list || name == null) {
            System.out.println(ScenarioLoader.builtInNames());
            return 0;
        }
        if (cuts != null) {
            return powerCuts();
        }
        return options.run(ScenarioLoader.builtIn(name, options.devices)) ? 0 : 1;
    }

    private int powerCuts() throws Exception {
        if (!"power-cuts".equals(name)) {
            throw new dev.tandem.shared.error.TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG,
                    "--cuts goes with the power-cuts scenario, not '" + name + "'");
        }
        if (options.broker != null || options.siteDir != null) {
            throw new dev.tandem.shared.error.TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG,
                    "power-cuts --cuts runs its own mosquitto, site and hub: drop --broker and --site-dir");
        }
        dev.tandem.sim.fault.PowerCuts.Report r = new dev.tandem.sim.fault.PowerCuts(
                dev.tandem.sim.fault.PowerCuts.Options.of(cuts), System.out).run();
        byte[] json = dev.tandem.shared.wire.Wire.encode(r);
        if (options.report != null) {
            java.nio.file.Files.write(options.report, json);
        }
        System.out.printf("power-cuts: %d cuts (%d with the uplink stalled): %d alarms were waiting on the disk, %d lost; "
                        + "detecting again after %d ms (median) / %d ms (max) from the process start, %d restarts deaf; "
                        + "%d unsynced tails cut or corrupted; drops counted: %s; clean stop %s; the hub killed %d times, "
                        + "holding the device's models again after %s ms, %d verdicts sent after its restarts; the broker "
                        + "restarted %d times, the hub connected again after %s ms%n", r.cuts(),
                r.cutsOffline(), r.pendingAlarms(), r.lostAlarms(), r.detectMsMedian(), r.detectMsMax(), r.deafRestarts(),
                r.corruptions(), r.drops().isEmpty() ? "none" : r.drops(), r.stoppedCleanly(), r.hubRestarts(),
                r.hubReadyMs(), r.verdictsAfterRestarts(), r.brokerRestarts(), r.hubReconnectMs());
        return r.succeeded() ? 0 : 1;
    }
}
