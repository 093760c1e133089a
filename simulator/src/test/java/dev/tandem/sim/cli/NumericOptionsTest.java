package dev.tandem.sim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every numeric option of every command (found in the picocli model, so that a new one cannot be
 * forgotten) refuses a value just past each end of its range: exit 2, one line naming the option and its
 * range, and nothing started (the commands run in-process and would otherwise connect, fit or bench).
 */
class NumericOptionsTest {
    /** What a command needs besides the option under test to get past parsing. */
    private static final Map<String, List<String>> REQUIRED = Map.ofEntries(
            Map.entry("hub backup", List.of("--out", "x.zip")),
            Map.entry("hub restore", List.of("--in", "x.zip")),
            Map.entry("edge", List.of("--device", "d1", "--hub-key", "hub.pub")),
            Map.entry("sim run", List.of("scenario.yaml")),
            Map.entry("sim replay", List.of("--path", "data")),
            Map.entry("eval", List.of("--dataset", "sim")),
            Map.entry("provision", List.of("--out", "site")),
            Map.entry("score", List.of("--truth", "truth.jsonl", "--alarms", "alarms.jsonl")),
            Map.entry("fleet show", List.of("--token-file", "t", "machine-01")),
            Map.entry("fleet alarms", List.of("--token-file", "t")),
            Map.entry("hub rollout start", List.of("--token-file", "t", "--recipe", "default")),
            Map.entry("hub rollout status", List.of("--token-file", "t")));

    record Case(String command, String option, String value) {
        @Override
        public String toString() {
            return command + " " + option + "=" + value;
        }
    }

    private static List<CommandLine> commands() {
        List<CommandLine> out = new ArrayList<>();
        walk(new CommandLine(new TandemCli()), out);
        return out;
    }

    private static void walk(CommandLine c, List<CommandLine> out) {
        out.add(c);
        c.getSubcommands().values().stream().filter(s -> !s.getCommandName().equals("help")).forEach(s -> walk(s, out));
    }

    static Stream<Case> badValues() {
        List<Case> cases = new ArrayList<>();
        for (CommandLine c : commands()) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                if (!NumericOptions.numeric(o)) {
                    continue;
                }
                NumericOptions.Rule r = NumericOptions.rule(c, o);
                List<String> refused = r == null ? List.of() : r.refused(NumericOptions.integral(o));
                if (refused.isEmpty()) {
                    refused = List.of("not-a-number"); // e.g. --seed: any integer
                }
                for (String v : refused) {
                    cases.add(new Case(NumericOptions.path(c), o.longestName(), v));
                }
            }
        }
        return cases.stream();
    }

    @Test
    void everyNumericOptionHasARange_andTheCasesCoverEveryCommandWithOne() {
        int options = 0;
        for (CommandLine c : commands()) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                if (NumericOptions.numeric(o)) {
                    options++;
                    assertNotNull(NumericOptions.rule(c, o), NumericOptions.path(c) + " " + o.longestName() + " has no range");
                }
            }
        }
        assertTrue(options >= 60, "numeric options found: " + options);
        List<String> commands = badValues().map(Case::command).distinct().toList();
        for (String expected : List.of("demo", "hub", "hub backup", "edge", "broker", "sim", "sim run", "sim replay",
                "bench pipeline", "bench store", "bench outbox", "bench sim", "eval", "provision", "score",
                "fleet show", "fleet alarms")) {
            assertTrue(commands.contains(expected), expected + " missing from " + commands);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValue_isRefusedWithExit2_andAMessageNamingTheOption(Case c) {
        List<String> args = new ArrayList<>(Arrays.asList(c.command().split(" ")));
        args.addAll(REQUIRED.getOrDefault(c.command(), List.of()));
        args.add(c.option() + "=" + c.value());
        TandemCliProbe.Result r = TandemCliProbe.run(args.toArray(String[]::new));

        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains(c.option()), r.out());
        if (!c.value().equals("not-a-number")) {
            assertTrue(r.out().contains("[INVALID_CONFIG] " + c.option() + " must be "), r.out());
        }
        assertFalse(r.out().contains("Usage:"), "one line and a hint, not the whole help: " + r.out());
    }

    /** The numeric options typed as text (a number or a word): checked by their commands, exit 2 all the same. */
    static Stream<List<String>> textualNumbers() {
        return Stream.of(
                List.of("sim", "run", "scenario.yaml", "--speed", "0"),
                List.of("sim", "run", "scenario.yaml", "--speed", "-2"),
                List.of("sim", "scenario", "line-fault", "--speed", "fast"),
                List.of("sim", "replay", "--path", "data", "--speed", "0"),
                List.of("sim", "replay", "--path", "data", "--commissioning", "-5"),
                List.of("eval", "--dataset", "sim", "--review-after", "-1"),
                List.of("bench", "sim", "--fleet", "0x5"),
                List.of("bench", "sim", "--fleet", "10x0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("textualNumbers")
    void badTextualNumber_isRefusedWithExit2(List<String> args) {
        TandemCliProbe.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(30), () -> TandemCliProbe.run(args.toArray(String[]::new)));
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains(args.get(args.size() - 2)), "names the option: " + r.out());
    }

    @Test
    void hubDurationNegative_isRefused_insteadOfRunningForever() {
        TandemCliProbe.Result r = TandemCliProbe.run("hub", "--insecure", "--broker", "tcp://127.0.0.1:1", "--duration", "-5");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("--duration must be >= 0 (seconds; 0: until Ctrl-C), got -5"), r.out());
    }

    @Test
    void goodValues_atTheEndsOfTheirRanges_areAccepted() {
        CommandLine cli = new CommandLine(new TandemCli());
        CommandLine.ParseResult parsed = cli.parseArgs("hub", "--duration", "0", "--batch-max", "4096",
                "--notify-retries", "0", "--http", "65535", "--escalation-budget", "0");
        for (CommandLine c : parsed.asCommandLineList()) {
            NumericOptions.check(c); // throws if refused
        }
        CommandLine.ParseResult demo = new CommandLine(new TandemCli()).parseArgs("demo", "--rate", "10000",
                "--devices", "500", "--status-every", "0.1");
        demo.asCommandLineList().forEach(NumericOptions::check);
    }
}
