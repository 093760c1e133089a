package dev.tandem.sim.cli;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.bench.PipelineBench;
import picocli.CommandLine;
import dev.tandem.sim.factory.SimConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print figures (a table and JSON).",
        subcommands = {BenchCommand.Pipeline.class, CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = {
                    "Measures the pipeline: inference, the edge agent and the hub, each beside its raw rate.",
                    "Tiny-model inferences/s on one thread (pure Java vs the same model through TensorFlow Java);",
                    "readings/s one edge agent sustains through the broker beside the raw rate to a plain subscriber;",
                    "escalations/s answered by the hub through its shared subscription beside the raw rate of the",
                    "same payloads to a plain shared subscriber. Give --broker several times to compare brokers in one run,",
                    "and --security plain,acl,tls to measure what identities, ACLs and TLS cost on each broker it starts."})
    static final class Pipeline implements Callable<Integer> {
        @Option(names = "--broker", paramLabel = "URL",
                description = {"'embedded' (HiveMQ CE in-process), 'mosquitto' (a mosquitto process started for the run) or",
                        "tcp://host:port (plain only); repeat to measure several side by side (default: embedded)."})
        List<String> brokers;

        @Option(names = "--security", paramLabel = "MODE", split = ",", defaultValue = "plain",
                description = {"plain (anonymous), acl (a site's identities and ACLs), tls (both, over TLS); a list runs",
                        "each on every broker the benchmark starts, side by side (default: ${DEFAULT-VALUE})."})
        List<String> security;

        @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON to FILE.")
        Path report;

        @Option(names = "--readings", paramLabel = "N", defaultValue = "" + PipelineBench.DEFAULT_READINGS,
                description = "Readings per flow (default: ${DEFAULT-VALUE}).")
        int readings;

        @Option(names = "--escalations", paramLabel = "N", defaultValue = "" + PipelineBench.DEFAULT_ESCALATIONS,
                description = "Escalations per flow (default: ${DEFAULT-VALUE}).")
        int escalations;

        @Option(names = "--inference-seconds", paramLabel = "S", defaultValue = "" + PipelineBench.DEFAULT_INFERENCE_SECONDS,
                description = "Measuring time per runtime (default: ${DEFAULT-VALUE}).")
        double inferenceSeconds;

        @Mixin
        FleetOptions.Seed seed = new FleetOptions.Seed(SimConfig.DEFAULT_SEED);

        @Option(names = "--shared-on-embedded", description = {
                "Use the $share/hub subscription on the embedded broker too. By default the single in-process hub",
                "subscribes plainly there: HiveMQ CE's QoS 1 shared subscriptions collapse once a backlog builds."})
        boolean sharedOnEmbedded;

        @Override
        public Integer call() throws Exception {
            List<String> list = brokers == null || brokers.isEmpty() ? List.of("embedded") : brokers;
            for (String b : list) {
                if (!b.equals("embedded") && !b.equals("mosquitto")) {
                    BrokerAddress.parse(b);
                }
            }
            if (readings < 1000 || escalations < 100 || inferenceSeconds <= 0) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "--readings >= 1000, --escalations >= 100, --inference-seconds > 0");
            }
            List<PipelineBench.Security> modes = security.stream().map(PipelineBench.Security::parse).distinct().toList();
            PipelineBench.run(new PipelineBench.Options(list, readings, escalations, inferenceSeconds, seed.value, report,
                    sharedOnEmbedded, modes), System.out);
            return 0;
        }
    }
}
