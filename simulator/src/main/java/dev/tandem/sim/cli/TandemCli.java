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
                BrokerCommand.class,
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

    @CommandLine.Mixin
    LogOptions logs = new LogOptions();

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns the exit code (0 ok, 1 failure, 2 usage or configuration,
     * 3 broker unreachable). Before the command runs: the log options applied, every numeric option
     * checked against its range ({@link NumericOptions}).
     */
    public static int execute(String... args) {
        TandemCli root = new TandemCli();
        return run(new CommandLine(root), root.logs, args);
    }

    /** Runs a command line the way every Tandem entry point does (this one, {@link EdgeCli}). */
    static int run(CommandLine cli, LogOptions logs, String... args) {
        // help as wide as the terminal (80 columns where it cannot tell), long option names kept on their line
        cli.setUsageHelpAutoWidth(true);
        cli.setUsageHelpLongOptionsMaxWidth(32);
        versionEverywhere(cli);
        cli.setExecutionExceptionHandler(new ErrorHandler());
        cli.setParameterExceptionHandler(TandemCli::usageError);
        cli.setExecutionStrategy(parsed -> {
            logs.apply();
            for (CommandLine c : parsed.asCommandLineList()) {
                NumericOptions.check(c);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cli.execute(args);
    }

    /** {@code ./tandem hub --version} prints the same as {@code ./tandem --version}. */
    private static void versionEverywhere(CommandLine cmd) {
        cmd.getCommandSpec().versionProvider(new Version());
        cmd.getSubcommands().values().forEach(TandemCli::versionEverywhere);
    }

    /** A bad command line: one line saying what is wrong and where the help is, not the whole usage. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        java.io.PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName(" ");
        err.println(name + ": " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Try './" + name + " --help' for its options.");
        }
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code --version}: the build's version and git commit ({@code tandem-version.properties}, filtered by Maven). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"tandem " + describe()};
        }

        /** {@code 0.1.0-SNAPSHOT (commit 1a2b3c4)}, {@code -dirty} when built with uncommitted changes. */
        static String describe() {
            java.util.Properties p = new java.util.Properties();
            try (java.io.InputStream in = TandemCli.class.getResourceAsStream("/tandem-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (java.io.IOException e) {
                // fall through: unknown
            }
            String version = known(p.getProperty("version"));
            String commit = known(p.getProperty("commit"));
            boolean dirty = "true".equals(p.getProperty("dirty"));
            return (version == null ? "(version unknown)" : version) + " (commit "
                    + (commit == null ? "unknown" : commit + (dirty ? "-dirty" : "")) + ")";
        }

        /** A value Maven filled in (null where it left the placeholder or nothing). */
        private static String known(String v) {
            return v == null || v.isBlank() || v.contains("${") ? null : v.trim();
        }
    }
}
