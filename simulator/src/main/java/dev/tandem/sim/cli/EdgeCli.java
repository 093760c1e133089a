package dev.tandem.sim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The edge-only distribution's entry point ({@code tandem-edge.jar} with {@code edge-lib/}): the
 * {@code edge} command alone, on a class path without TensorFlow, the embedded broker or the
 * hub's database (pure Java: it runs on any JVM 17, arm64 included). {@code ./tandem edge} runs it.
 */
@Command(name = "tandem",
        mixinStandardHelpOptions = true,
        versionProvider = TandemCli.Version.class,
        description = {"Tandem's edge agent alone (the edge-only distribution): ./tandem edge --help."},
        subcommands = {EdgeCommand.class, CommandLine.HelpCommand.class})
public final class EdgeCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    LogOptions logs = new LogOptions();

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** As {@link TandemCli#execute}: log options, numeric ranges, the same exit codes. */
    static int execute(String... args) {
        EdgeCli root = new EdgeCli();
        return TandemCli.run(new CommandLine(root), root.logs, args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
