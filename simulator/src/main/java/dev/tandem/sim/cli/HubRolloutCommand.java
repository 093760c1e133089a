package dev.tandem.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.shared.wire.Wire;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static dev.tandem.sim.cli.FleetCommand.guarded;
import static dev.tandem.sim.cli.FleetCommand.pretty;
import static dev.tandem.sim.cli.FleetCommand.table;
import static dev.tandem.sim.cli.FleetCommand.text;

@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = {
                "The fleet's model rollouts, over the hub's REST API (./tandem hub --http PORT): a recipe (each device's "
                        + "model fitted its way), an escalation policy (each device's running model re-banded) or a stored model, in waves, each gated by its success and error "
                        + "thresholds; a wave above its error threshold or past its timeout stops the rollout and "
                        + "sends every device back to its last good model.",
                "Exit codes: 0 done, 1 the hub refused the request (its stable code is printed), 2 usage, "
                        + "3 hub unreachable, 4 token refused."},
        subcommands = {HubRolloutCommand.Start.class, HubRolloutCommand.Status.class, HubRolloutCommand.Pause.class,
                HubRolloutCommand.Resume.class, HubRolloutCommand.Abort.class})
final class HubRolloutCommand implements Runnable {
    /** The states of a device's action, in the order the columns show them. */
    static final List<String> STATES = List.of("SCHEDULED", "DOWNLOADING", "VERIFYING", "SHADOW", "ACTIVE", "FAILED",
            "ROLLED_BACK", "CANCELED");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a subcommand: start, status [ID], pause ID, resume ID or abort ID");
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Plans a rollout over the devices the hub knows and starts it (--paused: planned, READY).",
                    "Recipes: default (the hub's own fit), with parameters after colons: default:threshold-quantile=Q, "
                            + "default:threshold-scale=S (S below 1 alarms more: default:threshold-scale=0.02 alarms "
                            + "on nearly everything)."})
    static final class Start implements Callable<Integer> {
        @Mixin
        FleetCommand.HubOptions options;

        @CommandLine.ArgGroup(multiplicity = "1")
        Change change;

        static final class Change {
            @Option(names = "--recipe", paramLabel = "RECIPE", description = "Fit each device's model this way.")
            String recipe;

            @Option(names = "--artifact", paramLabel = "VERSION", description = "A tiny model kept in the hub's store.")
            String artifact;

            @Option(names = "--policy", paramLabel = "POLICY", description = "Each device keeps its running model with "
                    + "another escalation band: edge-only, band:lower=L:upper=U (times its threshold), widen:factor=F.")
            String policy;
        }

        @Option(names = "--name", paramLabel = "TEXT", description = "What the rollout is (default: its id).")
        String name;

        @Option(names = "--site", paramLabel = "SITE", description = "The target's site (default: the hub's).")
        String site;

        @Option(names = "--class", paramLabel = "CLASS", description = "Only devices of this class.")
        String deviceClass;

        @Option(names = "--devices", paramLabel = "D1,D2", split = ",", description = "Only these devices.")
        List<String> devices;

        @Option(names = "--share", paramLabel = "S", description = "A share (0, 1] of the target (default: all).")
        Double share;

        @Option(names = "--waves", paramLabel = "W1,W2", split = ",",
                description = "Cumulative wave sizes, devices (1) or shares (5%%), the last 100%% "
                        + "(default: 1,5%%,25%%,100%%).")
        List<String> waves;

        @Option(names = "--success", paramLabel = "S", description = "Share of a wave ACTIVE to promote it (default 0.95).")
        Double success;

        @Option(names = "--error", paramLabel = "S",
                description = "Share FAILED or ROLLED_BACK above which the rollout stops and rolls back (default 0.05).")
        Double error;

        @Option(names = "--shadow-seconds", paramLabel = "N", description = "Shadow time per device (default 600).")
        Double shadow;

        @Option(names = "--timeout-seconds", paramLabel = "N", description = "A wave's timeout (default 3600).")
        Double timeout;

        @Option(names = "--watch-seconds", paramLabel = "N",
                description = "How long a device's watchdog watches a new model, and how long it must be ACTIVE to "
                        + "count (default 600).")
        Double watch;

        @Option(names = "--alarm-rate-max", paramLabel = "S",
                description = "The watchdog's alarm rate band's top (default 0.2).")
        Double alarmRate;

        @Option(names = "--escalation-rate-max", paramLabel = "S",
                description = "The watchdog's escalation rate band's top (default 0.3).")
        Double escalationRate;

        @Option(names = "--paused", description = "Plan it READY without starting it (POST /api/v1/rollouts/ID/start starts it).")
        boolean paused;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            ObjectNode body = Wire.mapper().createObjectNode();
            if (name != null) {
                body.put("name", name);
            }
            if (change.recipe != null) {
                body.put("recipe", change.recipe);
            } else if (change.policy != null) {
                body.put("policy", change.policy);
            } else {
                body.put("artifact", change.artifact);
            }
            ObjectNode target = body.putObject("target");
            if (site != null) {
                target.put("site", site);
            }
            if (deviceClass != null) {
                target.put("deviceClass", deviceClass);
            }
            if (devices != null) {
                target.set("devices", Wire.mapper().valueToTree(devices));
            }
            if (share != null) {
                target.put("share", share);
            }
            if (waves != null) {
                var arr = body.putArray("waves");
                for (String w : waves) {
                    String t = w.trim();
                    if (t.matches("\\d+")) {
                        arr.add(Integer.parseInt(t));
                    } else {
                        arr.add(t);
                    }
                }
            }
            ObjectNode gate = Wire.mapper().createObjectNode();
            put(gate, "successThreshold", success);
            put(gate, "errorThreshold", error);
            put(gate, "shadowSeconds", shadow);
            put(gate, "timeoutSeconds", timeout);
            if (!gate.isEmpty()) {
                body.set("gate", gate);
            }
            ObjectNode watchdog = Wire.mapper().createObjectNode();
            put(watchdog, "watchSeconds", watch);
            put(watchdog, "alarmRateMax", alarmRate);
            put(watchdog, "escalationRateMax", escalationRate);
            if (!watchdog.isEmpty()) {
                body.set("watchdog", watchdog);
            }
            body.put("start", !paused);
            return guarded(spec, () -> {
                JsonNode r = options.client().post("rollouts", body);
                if (options.json) {
                    System.out.println(pretty(r));
                    return;
                }
                print(System.out, r);
            });
        }

        private static void put(ObjectNode o, String f, Double v) {
            if (v != null) {
                o.put(f, v);
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Every rollout (no ID), or one: its waves, its devices' actions by state, and a page of them.")
    static final class Status implements Callable<Integer> {
        @Mixin
        FleetCommand.HubOptions options;

        @Parameters(paramLabel = "ID", arity = "0..1", description = "The rollout (./tandem hub rollout status lists them).")
        String id;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
                description = "Devices to list, 1..1000 (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--offset", paramLabel = "N", defaultValue = "0", description = "From this device on (default 0).")
        int offset;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (limit < 1 || limit > 1000 || offset < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 1..1000 and --offset >= 0");
            }
            return guarded(spec, () -> {
                HubClient client = options.client();
                if (id == null) {
                    JsonNode all = client.get("rollouts");
                    if (options.json) {
                        System.out.println(pretty(all));
                        return;
                    }
                    List<String[]> rows = new ArrayList<>();
                    rows.add(new String[]{"ID", "NAME", "STATE", "WAVE", "DEVICES", "ACTIVE", "FAILED", "ROLLED_BACK",
                            "CHANGE", "CREATED"});
                    for (JsonNode r : all.path("rollouts")) {
                        rows.add(new String[]{text(r, "id"), text(r, "name"), text(r, "state"), wave(r),
                                text(r, "devices"), text(r.path("counts"), "ACTIVE"), text(r.path("counts"), "FAILED"),
                                text(r.path("counts"), "ROLLED_BACK"), change(r), text(r, "createdAt")});
                    }
                    table(System.out, rows);
                    System.out.printf("%d rollouts%n", all.path("count").asInt());
                    return;
                }
                JsonNode r = client.get("rollouts/" + HubClient.encode(id) + "?offset=" + offset + "&limit=" + limit);
                if (options.json) {
                    System.out.println(pretty(r));
                    return;
                }
                print(System.out, r);
            });
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pauses a running rollout: no next wave; a wave over its error threshold still stops it.")
    static final class Pause extends CommandOn {
        Pause() {
            super("pause");
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resumes a paused rollout (its current wave's timeout runs again from now).")
    static final class Resume extends CommandOn {
        Resume() {
            super("resume");
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = "Aborts a rollout: devices not yet ACTIVE are CANCELED and sent back; ACTIVE ones keep the new model.")
    static final class Abort extends CommandOn {
        Abort() {
            super("abort");
        }
    }

    /** {@code POST /rollouts/{id}/<command>}. */
    abstract static class CommandOn implements Callable<Integer> {
        private final String command;

        @Mixin
        FleetCommand.HubOptions options;

        @Parameters(paramLabel = "ID", description = "The rollout.")
        String id;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        CommandOn(String command) {
            this.command = command;
        }

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                JsonNode r = options.client().post("rollouts/" + HubClient.encode(id) + "/" + command,
                        Wire.mapper().createObjectNode());
                if (options.json) {
                    System.out.println(pretty(r));
                    return;
                }
                print(System.out, r);
            });
        }
    }

    static String wave(JsonNode r) {
        int current = r.path("currentWave").asInt(-1);
        return (current < 0 ? "-" : Integer.toString(current + 1)) + "/" + text(r, "waveCount");
    }

    static String change(JsonNode r) {
        return text(r.path("change"), "kind").toLowerCase(Locale.ROOT) + " " + text(r.path("change"), "ref");
    }

    /** One rollout: a status line, its waves, and its page of devices. */
    static void print(PrintStream out, JsonNode r) {
        out.printf("rollout %s (%s): %s, wave %s, %s devices, %s; created by %s at %s%n", text(r, "id"), text(r, "name"),
                text(r, "state"), wave(r), text(r, "devices"), change(r), text(r, "createdBy"), text(r, "createdAt"));
        StringBuilder counts = new StringBuilder();
        for (String s : STATES) {
            int n = r.path("counts").path(s).asInt();
            if (n > 0) {
                counts.append(counts.length() == 0 ? "" : ", ").append(s).append(' ').append(n);
            }
        }
        out.println("devices: " + (counts.length() == 0 ? "-" : counts));
        List<String[]> waves = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("WAVE", "DEVICES", "REACH", "SUCCESS", "ERROR", "SHADOW", "TIMEOUT"));
        header.addAll(STATES);
        waves.add(header.toArray(String[]::new));
        for (JsonNode w : r.path("waveDetails")) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(w.path("index").asInt() + 1), text(w, "devices"),
                    text(w, "reach"), text(w, "successThreshold"), text(w, "errorThreshold"), text(w, "shadowSeconds") + "s",
                    text(w, "timeoutSeconds") + "s"));
            for (String s : STATES) {
                row.add(text(w.path("counts"), s));
            }
            waves.add(row.toArray(String[]::new));
        }
        if (waves.size() > 1) {
            out.println();
            table(out, waves);
        }
        JsonNode items = r.path("actions").path("items");
        if (items.size() > 0) {
            out.println();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"DEVICE", "WAVE", "STATE", "SINCE", "CANDIDATE", "PREVIOUS", "CODE", "REASON"});
            for (JsonNode a : items) {
                rows.add(new String[]{text(a, "device"), Integer.toString(a.path("wave").asInt() + 1), text(a, "state"),
                        text(a, "since"), text(a, "candidateVersion"), text(a, "previousVersion"), text(a, "code"),
                        text(a, "reason")});
            }
            table(out, rows);
            JsonNode page = r.path("actions");
            out.printf("devices %d..%d of %d%n", page.path("offset").asInt() + 1, page.path("offset").asInt()
                    + items.size(), page.path("total").asInt());
        }
    }
}
