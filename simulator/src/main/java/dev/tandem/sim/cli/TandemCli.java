package dev.tandem.sim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./tandem}: the launcher of every part of Tandem. */
@Command(name = "tandem",
        mixinStandardHelpOptions = true,
        versionProvider = TandemCli.Version.class,
        description = {
                "Tandem: edge-cloud collaborative anomaly detection.",
                "Tiny models at the edge decide the easy cases; uncertain windows go over MQTT to the hub's large model."},
        subcommands = {
                DemoCommand.class,
                HubCommand.class,
                EdgeCommand.class,
                SimCommand.class,
                BenchCommand.class,
                EvalCommand.class,
                ProvisionCommand.class,
                ScoreCommand.class,
                FleetCommand.class,
                CommandLine.HelpCommand.class})
public final class TandemCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (0 ok, 1 failure, 2 usage). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new TandemCli());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TandemCli.class.getPackage().getImplementationVersion();
            return new String[]{"tandem " + (v == null ? "dev" : v)};
        }
    }
}
