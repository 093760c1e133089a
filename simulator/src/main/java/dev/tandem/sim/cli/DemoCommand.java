package dev.tandem.sim.cli;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.sim.demo.Demo;
import dev.tandem.sim.demo.DemoConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
                "The whole loop in one process: broker, hub, edge agents and simulator.",
                "Starts a broker (embedded HiveMQ unless --broker is given), the hub, one edge agent per simulated machine and the simulator. Each device commissions on its first readings, receives its tiny model, then detects; uncertain windows are answered by the hub. Prints a status line every few seconds and a summary at the end (Ctrl-C or --duration)."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--devices", paramLabel = "N", defaultValue = "10", description = "Simulated machines, one edge agent each (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "0", description = "Stop after S seconds of streaming; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Option(names = "--broker", paramLabel = "URL", converter = BrokerOption.class, description = "Use this MQTT broker (tcp://host:port) instead of the embedded one.")
    BrokerAddress broker;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Simulator seed: the same seed gives the same readings and anomalies (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the final summary as JSON to FILE.")
    Path report;

    @Option(names = "--rate", paramLabel = "HZ", defaultValue = "25", description = "Readings per second per machine (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--commissioning", paramLabel = "N", defaultValue = "300", description = "Readings each device streams to the hub before it has a model (default: ${DEFAULT-VALUE}).")
    int commissioning;

    @Option(names = "--status-every", paramLabel = "S", defaultValue = "5", description = "Seconds between status lines (default: ${DEFAULT-VALUE}).")
    double statusEvery;

    @Option(names = "--verdict-timeout", paramLabel = "MS", defaultValue = "2000", description = "How long an edge agent waits for the hub's verdict (default: ${DEFAULT-VALUE}).")
    long verdictTimeoutMs;

    @Option(names = "--site", defaultValue = "demo", description = "Site id in the topics (default: ${DEFAULT-VALUE}).")
    String site;

    @Option(names = "--verbose", description = "Also print the components' INFO logs (on stderr) between the status lines.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (!verbose && System.getProperty("tandem.log.level") == null) {
            System.setProperty("tandem.log.level", "WARN"); // before the first logger: logback reads it once
        }
        DemoConfig config = new DemoConfig(devices, Duration.ofSeconds(durationSeconds), broker, seed, report, rate,
                commissioning, Duration.ofMillis(Math.round(statusEvery * 1000)), site, Duration.ofMillis(verdictTimeoutMs));
        Demo demo = new Demo(config, System.out);
        UntilStopped.onCtrlC(demo::requestStop, demo::run);
        return 0;
    }
}
