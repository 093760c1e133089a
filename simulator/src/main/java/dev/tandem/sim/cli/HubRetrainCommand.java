package dev.tandem.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.shared.wire.Wire;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./tandem hub retrain --device ID}: an operator's retraining request through the hub's REST
 * API ({@code POST /api/v1/devices/{id}/retrain}); prints the run, the gate's figures and the outcome.
 */
@Command(name = "retrain", mixinStandardHelpOptions = true,
        description = {"Retrains a device now on what the hub holds of it (an admin operator's token).",
                "The hub fits a candidate on the device's recent readings (those labelled anomalous left out) and",
                "judges it against the active model on the newest 30%% held back: the operator's labels where they",
                "cover a window, else the large model's verdicts. Only a candidate that agrees with that truth on",
                "more windows, with no lower F1 and no more false alarms, is published (signed, the active model",
                "as its parent). Every run is kept in the store (GET /api/v1/devices/ID/retraining).",
                "Exit codes: 0 published, 1 refused or failed (TOO_FEW_READINGS, GATE_REFUSED, ...) or the hub",
                "refused the request, 2 usage, 3 hub unreachable, 4 token refused."})
final class HubRetrainCommand implements Callable<Integer> {
    @Mixin
    FleetCommand.HubOptions options;

    @Option(names = "--device", required = true, paramLabel = "ID", description = "The device (ID, or SITE:ID).")
    String device;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, kept with the run (1..64 characters; default: operator).")
    String reason;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (reason != null && (reason.isBlank() || reason.length() > 64)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--reason is 1..64 characters");
        }
        boolean[] published = {false};
        int exit = FleetCommand.guarded(spec, () -> {
            var body = Wire.mapper().createObjectNode();
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode r = options.client().post("devices/" + HubClient.encode(device) + "/retrain", body);
            published[0] = "PUBLISHED".equals(r.path("status").asText());
            if (options.json) {
                System.out.println(FleetCommand.pretty(r));
                return;
            }
            System.out.printf("retraining %s of %s (%s): %s%s%n", FleetCommand.text(r, "id"),
                    FleetCommand.text(r, "device"), FleetCommand.text(r, "reason"), FleetCommand.text(r, "status"),
                    r.path("code").isTextual() ? " " + FleetCommand.text(r, "code") : "");
            System.out.printf("  %s readings held, %s trained on (%s the teacher judged anomalous left out); active %s "
                            + "-> candidate %s%n", FleetCommand.text(r, "readings"), FleetCommand.text(r, "trainReadings"),
                    FleetCommand.text(r, "teacherDropped"),
                    FleetCommand.text(r, "parentVersion"), FleetCommand.text(r, "candidateVersion"));
            JsonNode g = r.path("gate");
            if (g.isObject()) {
                System.out.printf(Locale.ROOT, "  gate on %d held-back windows (%d labelled, %d the teacher called "
                                + "anomalous): agreement %.1f%% -> %.1f%%, F1 %.3f -> %.3f, false alarms %.1f%% -> %.1f%%%n",
                        g.path("windows").asInt(), g.path("labelledWindows").asInt(), g.path("teacherAnomalies").asInt(),
                        100 * g.path("active").path("agreement").asDouble(),
                        100 * g.path("candidate").path("agreement").asDouble(),
                        g.path("active").path("f1").asDouble(), g.path("candidate").path("f1").asDouble(),
                        100 * g.path("active").path("far").asDouble(), 100 * g.path("candidate").path("far").asDouble());
            }
            System.out.println("  " + FleetCommand.text(r, "message"));
        });
        return exit != 0 ? exit : published[0] ? 0 : 1;
    }
}
