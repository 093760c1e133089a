package dev.tandem.sim.cli;

import dev.tandem.sim.scenario.ScenarioLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a scenario file (YAML; the schema is in scenarios/README.md): its fleet, faults,",
                "operating changes, network and device events; writes the ground truth, optionally records alarms."})
final class SimRunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The scenario file.")
    Path file;

    @Mixin
    ScenarioOptions options;

    @Override
    public Integer call() throws Exception {
        return options.run(ScenarioLoader.load(file, options.devices)) ? 0 : 1;
    }
}
