package dev.tandem.sim.cli;

import dev.tandem.shared.identity.Identity;
import dev.tandem.sim.factory.SimConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static java.util.Map.entry;

/**
 * The range of every numeric option of every command, in one table, checked once the command line is
 * parsed and before anything starts: a value out of range is a usage error (exit 2,
 * {@code [INVALID_CONFIG] --duration must be >= 0 (seconds; 0: until Ctrl-C), got -5}). A rule is
 * keyed by the option's name, or by {@code "command path --name"} where one command's range differs.
 * A numeric option without a rule is a programming error: {@code NumericOptionsTest} fails on it, and the
 * command runs unchecked (its own config still refuses what it cannot take).
 */
final class NumericOptions {
    /** A closed or half-open range of accepted values and what the number means (its unit). */
    record Rule(double min, boolean minOpen, double max, boolean maxOpen, String meaning) {
        boolean accepts(double v) {
            return !Double.isNaN(v) && (minOpen ? v > min : v >= min) && (maxOpen ? v < max : v <= max);
        }

        /** {@code >= 0}, {@code > 0}, {@code 1..500}, {@code in [0, 0.5)}, {@code any number}. */
        String range() {
            boolean low = min != Double.NEGATIVE_INFINITY;
            boolean high = max != Double.POSITIVE_INFINITY;
            if (low && high) {
                return minOpen || maxOpen ? "in " + (minOpen ? "(" : "[") + num(min) + ", " + num(max) + (maxOpen ? ")" : "]")
                        : num(min) + ".." + num(max);
            }
            if (low) {
                return (minOpen ? "> " : ">= ") + num(min);
            }
            return high ? (maxOpen ? "< " : "<= ") + num(max) : "any number";
        }

        /** Values of the option's type this rule refuses (for the tests): just past each end. */
        List<String> refused(boolean integral) {
            List<String> out = new ArrayList<>();
            if (min != Double.NEGATIVE_INFINITY) {
                out.add(num(minOpen ? min : integral ? min - 1 : min - 0.5));
            }
            if (max != Double.POSITIVE_INFINITY) {
                out.add(num(maxOpen ? max : integral ? max + 1 : max + 0.5));
            }
            return out;
        }
    }

    private static Rule atLeast(double min, String meaning) {
        return new Rule(min, false, Double.POSITIVE_INFINITY, false, meaning);
    }

    private static Rule positive(String meaning) {
        return new Rule(0, true, Double.POSITIVE_INFINITY, false, meaning);
    }

    private static Rule between(double min, double max, String meaning) {
        return new Rule(min, false, max, false, meaning);
    }

    private static Rule any(String meaning) {
        return new Rule(Double.NEGATIVE_INFINITY, false, Double.POSITIVE_INFINITY, false, meaning);
    }

    private static final Map<String, Rule> RULES = Map.ofEntries(
            // the run options of hub, edge, sim; demo's own
            entry("--duration", atLeast(0, "seconds; 0: until Ctrl-C")),
            entry("--status-every", positive("seconds")),
            entry("demo --status-every", atLeast(0.1, "seconds")),
            entry("--timeout", atLeast(1, "seconds of wall time")),
            entry("--http", between(0, 65535, "a TCP port; 0: a free one")),
            entry("--port", between(0, 65535, "a TCP port; 0: a free one")),
            entry("--large-steps", between(1, 10_000, "training steps")),
            entry("--chunk-bytes", between(1, dev.tandem.shared.wire.Limits.MAX_CHUNK_BYTES, "bytes per artifact request")),
            entry("--max-artifact-bytes", between(1, dev.tandem.shared.wire.Limits.MAX_ARTIFACT_BYTES, "bytes")),
            entry("--tls-port", between(-1, 65535, "a TCP port; 0: a free one; -1: none")),
            entry("--metrics", between(0, 65535, "a TCP port; 0: a free one")),
            entry("--verdict-timeout", between(10, 600_000, "milliseconds")),
            // the fleet
            entry("--devices", between(1, SimConfig.MAX_DEVICES, "machines")),
            entry("demo --devices", between(1, 500, "machines")),
            entry("--seed", any("any integer")),
            entry("--rate", new Rule(0, true, 10_000, false, "readings per second per machine, Hz")),
            entry("--commissioning", between(1, 5000, "readings")),
            entry("demo --commissioning", between(50, 5000, "readings")),
            entry("--samples", atLeast(0, "readings per machine; 0: until stopped")),
            entry("eval --samples", atLeast(1, "readings per machine")),
            entry("--qos", between(0, 2, "an MQTT QoS")),
            entry("--await-models", atLeast(0, "seconds; 0: do not wait")),
            entry("--cuts", between(1, dev.tandem.sim.fault.PowerCuts.Options.MAX_CUTS, "SIGKILLs of the edge agent")),
            // the hub's models and store
            entry("--escalation-budget", new Rule(0, false, 0.5, true, "a share of normal windows; 0: a fixed band")),
            entry("--context", between(2, 4096, "samples")),
            entry("--retention-days", between(1, 36_500, "days")),
            entry("--batch-max", between(1, 4096, "escalations")),
            entry("--batch-linger-ms", between(0, 1000, "milliseconds")),
            entry("--session-expiry", between(0, 86_400, "seconds; 0: a clean session")),
            entry("--rebaseline-after", atLeast(0, "seconds of sample time")),
            entry("--rebaseline-samples", between(0, 5000, "readings; 0: never re-baseline")),
            entry("--notify-retries", between(0, 10, "attempts")),
            entry("--retrain-drift-factor", new Rule(0, false, 1000, false, "budgets of escalation rate, 0 or at least 1; 0: no drift trigger")),
            entry("--retrain-after-labels", between(0, 10_000, "labels; 0: no labels trigger")),
            entry("--retrain-after-verdicts", between(0, 10_000_000, "verdicts; 0: no verdicts trigger")),
            entry("--retrain-hold-off", between(0, 604_800, "seconds")),
            entry("--notify-timeout-ms", between(100, 60_000, "milliseconds")),
            // benchmarks
            entry("--readings", atLeast(1, "readings")),
            entry("--escalations", atLeast(1, "escalations")),
            entry("--inference-seconds", positive("seconds")),
            entry("--preload", atLeast(0, "rows")),
            entry("--singles", atLeast(1, "inserts")),
            entry("--batches", atLeast(1, "batches")),
            entry("--batch-size", between(1, 100_000, "rows")),
            entry("--messages", atLeast(1, "messages")),
            entry("--always-messages", atLeast(1, "messages")),
            entry("--replay", atLeast(1, "records")),
            entry("--payload", between(1, 1 << 20, "bytes")),
            entry("--seconds", atLeast(1, "seconds")),
            entry("--warmup", atLeast(0, "seconds")),
            entry("--connections", between(1, 1000, "MQTT connections")),
            // eval, score, provision, fleet
            entry("--clear-after", between(0, 1_000_000, "normal windows in a row")),
            entry("--tolerance", atLeast(0, "seconds")),
            entry("--agents", between(0, Identity.MAX_DEVICES, "agents")),
            entry("--hubs", between(0, 100, "hub instances")),
            entry("--alarms", between(1, 1000, "alarms")),
            entry("--limit", between(1, 1000, "alarms")),
            // rollouts
            entry("--share", new Rule(0, true, 1, false, "a share of the target")),
            entry("--success", new Rule(0, true, 1, false, "a share of a wave's devices ACTIVE")),
            entry("--error", new Rule(0, false, 1, true, "a share of a wave's devices FAILED or ROLLED_BACK")),
            entry("--shadow-seconds", between(0, 7 * 86_400, "seconds")),
            entry("--timeout-seconds", new Rule(0, true, 30 * 86_400, false, "seconds")),
            entry("--watch-seconds", between(0, 86_400, "seconds")),
            entry("--alarm-rate-max", between(0, 1, "a share of windows")),
            entry("--escalation-rate-max", between(0, 1, "a share of windows")),
            entry("hub rollout status --limit", between(1, 1000, "devices")),
            entry("--offset", atLeast(0, "devices")),
            entry("bench rollout --devices", between(1, 10_000, "devices")),
            entry("--shadow-ms", between(0, 60_000, "milliseconds")),
            entry("--bad-wave", between(0, 4, "a wave of the four; 0: none, or the first with --bad")));

    /** The numeric options typed as text: a number in the rule's range, or one of the words. */
    record TextRule(java.util.Set<String> words, Rule rule) {
    }

    private static final Map<String, TextRule> TEXT_RULES = Map.of(
            "--speed", new TextRule(java.util.Set.of("max"), positive("times real time; max: as fast as the broker takes them")),
            "sim replay --commissioning", new TextRule(java.util.Set.of("auto"), between(1, 5000, "rows; auto: the format's")),
            "--review-after", new TextRule(java.util.Set.of("off"), atLeast(0, "seconds of sample time; off: no reviews")));

    private NumericOptions() {
    }

    /** The text rule of a String option of a command (null: not a textual number). */
    static TextRule textRule(CommandLine cmd, OptionSpec o) {
        if (o.type() != String.class) {
            return null;
        }
        TextRule r = TEXT_RULES.get(path(cmd) + " " + o.longestName());
        return r != null ? r : TEXT_RULES.get(o.longestName());
    }

    static boolean numeric(OptionSpec o) {
        Class<?> t = o.type();
        return t == int.class || t == long.class || t == double.class || t == float.class || t == short.class
                || Number.class.isAssignableFrom(t);
    }

    static boolean integral(OptionSpec o) {
        Class<?> t = o.type();
        return t == int.class || t == long.class || t == short.class || t == Integer.class || t == Long.class
                || t == Short.class;
    }

    /** The command's path below {@code tandem}, e.g. {@code "bench sim"}. */
    static String path(CommandLine cmd) {
        String q = cmd.getCommandSpec().qualifiedName(" ");
        int first = q.indexOf(' ');
        return first < 0 ? "" : q.substring(first + 1);
    }

    /** The rule of an option of a command (null: none). */
    static Rule rule(CommandLine cmd, OptionSpec o) {
        Rule r = RULES.get(path(cmd) + " " + o.longestName());
        return r != null ? r : RULES.get(o.longestName());
    }

    /** Refuses (a usage error, exit 2) the first numeric option of {@code cmd} out of its range. */
    static void check(CommandLine cmd) {
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            TextRule text = textRule(cmd, o);
            if (text != null && o.getValue() != null) {
                checkText(cmd, o, text, o.getValue().toString().trim());
                continue;
            }
            if (!numeric(o)) {
                continue;
            }
            Object value = o.getValue();
            if (value == null) {
                continue;
            }
            Rule r = rule(cmd, o);
            if (r == null) {
                continue; // NumericOptionsTest names it
            }
            if (!r.accepts(((Number) value).doubleValue())) {
                throw new CommandLine.ParameterException(cmd, "[INVALID_CONFIG] " + o.longestName() + " must be "
                        + r.range() + " (" + r.meaning() + "), got " + num(((Number) value).doubleValue()));
            }
        }
    }

    private static void checkText(CommandLine cmd, OptionSpec o, TextRule text, String value) {
        if (text.words().contains(value.toLowerCase(Locale.ROOT))) {
            return;
        }
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!text.rule().accepts(v)) {
            throw new CommandLine.ParameterException(cmd, "[INVALID_CONFIG] " + o.longestName() + " must be "
                    + text.rule().range() + " or " + String.join("/", new java.util.TreeSet<>(text.words())) + " ("
                    + text.rule().meaning() + "), got '" + value + "'");
        }
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
