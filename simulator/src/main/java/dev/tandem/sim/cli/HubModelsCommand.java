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
                + "the recipes a rollout may name. A device's whole lineage: ./tandem fleet show DEVICE; one model with "
                + "its lineage (GET /api/v1/models/VERSION): ./tandem hub models show VERSION: the devices it was assigned "
                + "to, class and variant (full or int8), parent, generation, the teacher (the large model fitted beside "
                + "it), parameters, ancestors, the artifact's sha256 and size and the training set (sha256, readings, "
                + "time range).",
                "Exit codes: 0 done, 1 the hub refused the request, 2 usage, 3 hub unreachable, 4 token refused."})
final class HubModelsCommand implements Callable<Integer> {
    @Mixin
    FleetCommand.HubOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(arity = "0..2", paramLabel = "show VERSION",
            description = "show VERSION: one model with its lineage (without: every device's models).")
    List<String> show = List.of();

    @Override
    public Integer call() {
        if (!show.isEmpty()) {
            if (show.size() != 2 || !show.get(0).equals("show")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "expected nothing or 'show VERSION', got "
                        + String.join(" ", show));
            }
            return show(show.get(1));
        }
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

    /** {@code show VERSION}: one model of the registry with its lineage. */
    private int show(String version) {
        return guarded(spec, () -> {
            JsonNode m = options.client().get("models/" + java.net.URLEncoder.encode(version,
                    java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
            if (options.json) {
                System.out.println(pretty(m));
                return;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"version", text(m, "version")});
            List<String> devices = new ArrayList<>();
            m.path("devices").forEach(d -> devices.add(d.asText()));
            rows.add(new String[]{"devices", String.join(", ", devices)});
            rows.add(new String[]{"class / variant", text(m, "deviceClass") + " / " + text(m, "variant")
                    + (m.path("format").isTextual() ? " (" + text(m, "format") + ")" : "")});
            rows.add(new String[]{"parent", text(m, "parentVersion")});
            rows.add(new String[]{"generation", text(m, "generation") + (m.path("current").asBoolean() ? " (current)" : "")});
            rows.add(new String[]{"fitted / issued", text(m, "fittedAt") + " / " + text(m, "issuedAt")});
            rows.add(new String[]{"teacher", text(m, "teacherVersion")});
            rows.add(new String[]{"parameters", text(m, "tinyParameters") + " (teacher " + text(m, "largeParameters") + ")"});
            JsonNode a = m.path("artifact");
            rows.add(new String[]{"artifact", a.isObject() ? text(a, "sizeBytes") + " bytes, sha256 " + text(a, "sha256")
                    : "store: " + text(m, "store")});
            JsonNode t = m.path("trainingSet");
            rows.add(new String[]{"training set", t.isObject() ? text(t, "readings") + " readings " + text(t, "from")
                    + " .. " + text(t, "to") + ", sha256 " + text(t, "sha256") : "store: " + text(m, "store")});
            JsonNode f = m.path("figures");
            if (f.isObject()) {
                rows.add(new String[]{"measured at fit", String.format(java.util.Locale.ROOT,
                        "%s, %d components, %.0f ns/window on the hub, agrees with the teacher on %.1f%% of %d "
                                + "commissioning windows, alarms on %.1f%%", text(f, "variant"), f.path("components").asInt(),
                        f.path("nanosPerWindow").asDouble(), 100 * f.path("teacherAgreement").asDouble(),
                        f.path("windows").asInt(), 100 * f.path("alarmShare").asDouble())});
            }
            StringBuilder chain = new StringBuilder(text(m, "version"));
            for (JsonNode p : m.path("lineage")) {
                chain.append(" <- ").append(text(p, "version")).append(p.path("known").asBoolean(true) ? "" : " (unknown here)");
            }
            rows.add(new String[]{"lineage", chain.toString()});
            table(System.out, rows);
        });
    }
}
