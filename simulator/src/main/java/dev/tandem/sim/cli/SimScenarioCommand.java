package dev.tandem.sim.cli;

import dev.tandem.sim.scenario.ScenarioLoader;
import dev.tandem.sim.scenario.ScenarioReport;
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

    @Override
    public Integer call() throws Exception {
        if (list || name == null) {
            System.out.println(ScenarioLoader.builtInNames());
            return 0;
        }
        ScenarioReport r = options.run(ScenarioLoader.builtIn(name));
        return r.succeeded() ? 0 : 1;
    }
}
