package dev.tandem.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.shared.wire.Wire;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;

/**
 * {@code ./tandem hub label}: records an operator's ground truth for a stretch of a device through the
 * hub's REST API ({@code POST /api/v1/devices/{id}/labels}); a stretch labelled normal while the device
 * holds an alarm re-baselines it.
 */
@Command(name = "label", mixinStandardHelpOptions = true,
        description = {"Labels a stretch of a device's time as an anomaly or as normal (an admin operator's token).",
                "Labels are kept in the hub's store as ground truth. A device that holds an alarm episode and is",
                "labelled normal over it is re-baselined: the hub re-fits its model on its readings inside the label",
                "(the operator's word, not the large model's), signs it and sends it; the episode ends REBASELINED."})
final class HubLabelCommand implements Callable<Integer> {
    @Mixin
    FleetCommand.HubOptions options;

    @Option(names = "--device", required = true, paramLabel = "ID", description = "The device (ID, or SITE:ID).")
    String device;

    @Option(names = "--from", required = true, paramLabel = "TIME",
            description = "Start of the stretch: an ISO-8601 instant (2026-12-04T10:00:00Z) or epoch milliseconds.")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "End of the stretch, after --from (default: now).")
    String to;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Kind kind;

    static final class Kind {
        @Option(names = "--anomaly", required = true, description = "The stretch was an anomaly.")
        boolean anomaly;

        @Option(names = "--normal", required = true, description = "The stretch was normal.")
        boolean normal;
    }

    @Option(names = "--note", paramLabel = "TEXT", description = "Why (at most 1000 characters).")
    String note;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        long fromMs = time("--from", from);
        long toMs = to == null ? System.currentTimeMillis() : time("--to", to);
        if (toMs <= fromMs) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to must be after --from (the range is empty "
                    + "or reversed)");
        }
        if (note != null && note.length() > 1000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--note is longer than 1000 characters");
        }
        return FleetCommand.guarded(spec, () -> {
            var body = Wire.mapper().createObjectNode();
            body.put("from", fromMs);
            body.put("to", toMs);
            body.put("anomaly", kind.anomaly);
            if (note != null) {
                body.put("note", note);
            }
            JsonNode l = options.client().post("devices/" + HubClient.encode(device) + "/labels", body);
            if (options.json) {
                System.out.println(FleetCommand.pretty(l));
                return;
            }
            String rebaseline = FleetCommand.text(l, "rebaseline");
            System.out.printf("label %s: %s %s .. %s %s by %s%s%n", FleetCommand.text(l, "id"), FleetCommand.text(l, "deviceId"),
                    FleetCommand.text(l, "from"), FleetCommand.text(l, "to"), kind.anomaly ? "anomaly" : "normal",
                    FleetCommand.text(l, "createdBy"), rebaseline.equals("-") ? "" : switch (rebaseline) {
                        case "REBASELINING" -> "; its held alarm is being re-baselined on the labelled readings";
                        case "NO_HELD_ALARM" -> "; no alarm held, nothing to re-baseline";
                        case "TOO_FEW_READINGS" -> "; too few readings in the label since the alarm's onset to re-baseline";
                        case "BUSY" -> "; a re-baseline of the device is under way already";
                        default -> "; re-baseline: " + rebaseline;
                    });
        });
    }

    private long time(String option, String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                long ms = Long.parseLong(text);
                if (ms >= 0) {
                    return ms;
                }
            } catch (NumberFormatException ignored) {
                // below
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(), option + " takes an ISO-8601 instant "
                + "(2026-12-04T10:00:00Z) or epoch milliseconds, got '" + text + "'");
    }
}
