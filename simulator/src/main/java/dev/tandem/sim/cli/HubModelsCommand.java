package dev.tandem.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static dev.tandem.sim.cli.FleetCommand.guarded;
import static dev.tandem.sim.cli.FleetCommand.pretty;
import static dev.tandem.sim.cli.FleetCommand.table;
import static dev.tandem.sim.cli.FleetCommand.text;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Each device's models over the hub's REST API: the one the hub fitted on its commissioning set, the "
                + "one its retained assignment names (and its parent and generation), the one it reports running; and "
                + "the recipes a rollout may name. A device's whole lineage: ./tandem fleet show DEVICE.",
                "Exit codes: 0 done, 1 the hub refused the request, 2 usage, 3 hub unreachable, 4 token refused."})
final class HubModelsCommand implements Callable<Integer> {
    @Mixin
    FleetCommand.HubOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return guarded(spec, () -> {
            JsonNode models = options.client().get("models");
            if (options.json) {
                System.out.println(pretty(models));
                return;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"DEVICE", "CLASS", "FITTED", "ASSIGNED", "PARENT", "GENERATION", "RUNNING", "STATE"});
            for (JsonNode d : models.path("devices")) {
                rows.add(new String[]{text(d, "id"), text(d, "deviceClass"), text(d, "fittedVersion"),
                        text(d, "assignedVersion"), text(d, "parentVersion"), text(d, "generation"),
                        text(d, "runningVersion"), text(d, "modelState")});
            }
            table(System.out, rows);
            System.out.printf("%d devices; recipes: %s (parameters %s, e.g. %s)%n", models.path("count").asInt(),
                    models.path("recipes").path("names"), models.path("recipes").path("parameters"),
                    text(models.path("recipes"), "example"));
        });
    }
}
