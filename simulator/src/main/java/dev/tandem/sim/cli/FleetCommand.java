package dev.tandem.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tandem.shared.wire.Wire;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {
                "The fleet as a hub sees it, over the hub's REST API (./tandem hub --http PORT).",
                "Exit codes: 0 done, 1 the hub refused the request (e.g. an unknown device), 2 usage, "
                        + "3 hub unreachable, 4 token refused."},
        subcommands = {FleetCommand.ListCommand.class, FleetCommand.ShowCommand.class, FleetCommand.AlarmsCommand.class,
                FleetCommand.AckCommand.class})
final class FleetCommand implements Runnable {
    static final String DEFAULT_HUB = "http://127.0.0.1:8080";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a subcommand: list, show DEVICE, alarms or ack ID");
    }

    /** Where the hub is and who asks. */
    static final class HubOptions {
        @Option(names = "--hub", paramLabel = "URL", defaultValue = DEFAULT_HUB,
                description = "The hub's REST API (default: ${DEFAULT-VALUE}).")
        String hub;

        @Option(names = "--token-file", paramLabel = "FILE", required = true,
                description = "The operator's token (operators/NAME.token from ./tandem provision).")
        Path tokenFile;

        @Option(names = "--json", description = "Print the hub's JSON instead of a table.")
        boolean json;

        HubClient client() {
            return new HubClient(hub, tokenFile);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every device the hub knows, by site.")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        HubOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                JsonNode fleet = options.client().get("fleet");
                PrintStream out = System.out;
                if (options.json) {
                    out.println(pretty(fleet));
                    return;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[]{"SITE", "DEVICE", "STATE", "MODEL", "GENERATION", "CLASS", "LAST SEEN",
                        "WINDOWS", "ESCALATED", "BUDGET"});
                for (JsonNode site : fleet.path("sites")) {
                    for (JsonNode d : site.path("devices")) {
                        rows.add(new String[]{text(d, "site"), text(d, "device"), text(d, "state"),
                                text(d, "modelVersion"), text(d, "generation"), text(d, "deviceClass"),
                                text(d, "lastSeen"), text(d, "windows"), rate(d), percent(d.path("escalationBudget"))});
                    }
                }
                table(out, rows);
                out.printf("%d devices%n", fleet.path("devices").asInt());
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "One device: its state, its models (lineage) and its recent alarms.")
    static final class ShowCommand implements Callable<Integer> {
        @Mixin
        HubOptions options;

        @Parameters(paramLabel = "DEVICE", description = "The device: SITE:DEVICE, or DEVICE when unambiguous.")
        String device;

        @Option(names = "--alarms", paramLabel = "N", defaultValue = "5",
                description = "Recent alarms to show, 1..1000 (default: ${DEFAULT-VALUE}).")
        int alarms;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (alarms < 1 || alarms > 1000) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--alarms must be 1..1000, got " + alarms);
            }
            return guarded(spec, () -> {
                HubClient client = options.client();
                String id = HubClient.encode(device);
                JsonNode d = client.get("devices/" + id);
                JsonNode models = client.get("devices/" + id + "/models");
                JsonNode recent = client.get("alarms?limit=" + alarms + "&device=" + HubClient.encode(text(d, "id")));
                PrintStream out = System.out;
                if (options.json) {
                    var all = Wire.mapper().createObjectNode();
                    all.set("device", d);
                    all.set("models", models.path("models"));
                    all.set("alarms", recent.path("alarms"));
                    out.println(pretty(all));
                    return;
                }
                List<String[]> rows = new ArrayList<>();
                for (String f : List.of("id", "state", "modelVersion", "modelState", "assignedVersion", "generation",
                        "deviceClass", "lastSeen", "windows", "alarms", "escalations")) {
                    rows.add(new String[]{f, text(d, f)});
                }
                rows.add(new String[]{"escalationRate", rate(d) + " (budget " + percent(d.path("escalationBudget"))
                        + (d.path("overBudget").asBoolean(false) ? ", OVER BUDGET)" : ")")});
                table(out, rows);
                out.println();
                out.println("models (newest first):");
                List<String[]> m = new ArrayList<>();
                m.add(new String[]{"VERSION", "PARENT", "GENERATION", "CLASS", "FITTED", "ISSUED", ""});
                for (JsonNode e : models.path("models")) {
                    m.add(new String[]{text(e, "version"), text(e, "parentVersion"), text(e, "generation"),
                            text(e, "deviceClass"), text(e, "fittedAt"), text(e, "issuedAt"),
                            e.path("current").asBoolean() ? "current" : ""});
                }
                table(out, m);
                out.println();
                out.println("recent alarms:");
                List<String[]> a = new ArrayList<>();
                a.add(new String[]{"ID", "PHASE", "WINDOWS", "PEAK", "SOURCE", "RECEIVED", "ACKED BY"});
                for (JsonNode e : recent.path("alarms")) {
                    a.add(new String[]{text(e, "id"), text(e, "phase"), text(e, "windows"),
                            String.format(Locale.ROOT, "%.3f", e.path("peakScore").asDouble()), text(e, "source"),
                            text(e, "receivedAt"), text(e, "ackedBy")});
                }
                table(out, a);
            });
        }
    }

    @Command(name = "alarms", mixinStandardHelpOptions = true,
            description = "The newest alarm episodes (one line each, its latest phase), of one device or all.")
    static final class AlarmsCommand implements Callable<Integer> {
        @Mixin
        HubOptions options;

        @Option(names = "--device", paramLabel = "DEVICE", description = "Only this device's (SITE:DEVICE or DEVICE).")
        String device;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
                description = "How many, 1..1000 (default: ${DEFAULT-VALUE}).")
        int limit;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (limit < 1 || limit > 1000) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 1..1000, got " + limit);
            }
            return guarded(spec, () -> {
                JsonNode alarms = options.client().get("alarms?limit=" + limit
                        + (device == null ? "" : "&device=" + HubClient.encode(device)));
                if (options.json) {
                    System.out.println(pretty(alarms));
                    return;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[]{"ID", "DEVICE", "PHASE", "WINDOWS", "PEAK", "SOURCE", "RECEIVED", "UPDATED",
                        "ACKED BY", "NOTE"});
                for (JsonNode e : alarms.path("alarms")) {
                    rows.add(new String[]{text(e, "id"), text(e, "deviceId"), text(e, "phase"), text(e, "windows"),
                            String.format(Locale.ROOT, "%.3f", e.path("peakScore").asDouble()), text(e, "source"),
                            text(e, "receivedAt"), text(e, "updatedAt"), text(e, "ackedBy"), text(e, "note")});
                }
                table(System.out, rows);
                System.out.printf("%d alarms%n", alarms.path("count").asInt());
            });
        }
    }

    @Command(name = "ack", mixinStandardHelpOptions = true,
            description = "Acknowledges an alarm episode (an admin operator's token); the first acknowledgement stands.")
    static final class AckCommand implements Callable<Integer> {
        @Mixin
        HubOptions options;

        @Parameters(paramLabel = "ID", description = "The alarm's id (./tandem fleet alarms).")
        long id;

        @Option(names = "--note", paramLabel = "TEXT", description = "What was found or done (at most 500 characters).")
        String note;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (id < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "an alarm id is 1 or more, got " + id);
            }
            if (note != null && note.length() > 500) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--note is longer than 500 characters");
            }
            return guarded(spec, () -> {
                var body = Wire.mapper().createObjectNode();
                if (note != null) {
                    body.put("note", note);
                }
                JsonNode acked = options.client().post("alarms/" + id + "/ack", body);
                if (options.json) {
                    System.out.println(pretty(acked));
                    return;
                }
                System.out.printf("alarm %s of %s acknowledged by %s at %s%n", text(acked, "id"), text(acked, "deviceId"),
                        text(acked, "ackedBy"), text(acked, "ackedAt"));
            });
        }
    }

    /** Runs a call; a {@link HubClient.Failure} is one line on stderr and its exit code. */
    static int guarded(CommandLine.Model.CommandSpec spec, Runnable body) {
        try {
            body.run();
            return 0;
        } catch (HubClient.Failure f) {
            spec.commandLine().getErr().println(spec.qualifiedName(" ") + ": " + f.getMessage());
            return f.exit;
        }
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? "-" : v.asText();
    }

    static String rate(JsonNode d) {
        return percent(d.path("escalationRate"));
    }

    static String percent(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.1f%%", 100 * v.asDouble()) : "-";
    }

    static String pretty(JsonNode n) {
        try {
            return Wire.mapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return n.toString();
        }
    }

    /** Left-aligned columns, two spaces apart. */
    static void table(PrintStream out, List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                b.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            out.println(b.toString().stripTrailing());
        }
    }
}
