package dev.tandem.sim.cli;

import dev.tandem.edge.EdgeConfig;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.sim.demo.Demo;
import dev.tandem.sim.demo.DemoConfig;
import dev.tandem.sim.factory.SimConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
                "The whole loop in one process: broker, hub, edge agents and simulator.",
                "Starts a broker (embedded HiveMQ unless --broker is given), the hub, one edge agent per simulated machine and the simulator. Each device commissions on its first readings, receives its tiny model, then detects; uncertain windows are answered by the hub. Prints a status line every few seconds and a summary at the end (Ctrl-C or --duration)."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    FleetOptions fleet = new FleetOptions(DemoConfig.DEFAULT_SITE, SimConfig.DEFAULT_DEVICES);

    @Option(names = "--duration", paramLabel = "S", defaultValue = "" + RunOptions.UNTIL_CTRL_C,
            description = "Stop after S seconds of streaming; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Option(names = "--broker", paramLabel = "URL", converter = BrokerOption.class, description = "Use this MQTT broker (tcp://, mqtt://, ssl:// or mqtts://host:port) instead of the embedded one; needs --site-dir or --insecure.")
    BrokerAddress broker;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the final summary as JSON to FILE.")
    Path report;

    @Option(names = "--status-every", paramLabel = "S", description = "Seconds between status lines (default: ${DEFAULT-VALUE}).")
    double statusEvery = DemoConfig.DEFAULT_STATUS_INTERVAL.toMillis() / 1000.0;

    @Option(names = "--verdict-timeout", paramLabel = "MS", description = "How long an edge agent waits for the hub's verdict (default: ${DEFAULT-VALUE}).")
    long verdictTimeoutMs = EdgeConfig.DEFAULT_VERDICT_TIMEOUT.toMillis();

    @Option(names = "--site-dir", paramLabel = "DIR",
            description = "With --broker: a site provisioned for that broker (./tandem provision) whose identities the "
                    + "demo logs in with (an agent per device, a sensor publisher of all of them, a hub).")
    Path siteDir;

    @Option(names = "--insecure",
            description = "Anonymous clients everywhere (the embedded broker allows them); warned at start.")
    boolean insecure;

    @Option(names = "--http", paramLabel = "PORT", description = "The hub's REST API and /metrics on 127.0.0.1:PORT "
            + "(default: a free port; the address and the operator token's file are printed at start).")
    int httpPort = 0;

    @Option(names = "--no-http", description = "No REST API.")
    boolean noHttp;

    @Option(names = "--no-rollout", description = "No rollout (default: once every machine runs its model, a re-fitted "
            + "model goes out in waves of 1 device, half the line and the whole line, followed in the status lines).")
    boolean noRollout;

    @Override
    public Integer call() throws Exception {
        DemoConfig config = DemoConfig.builder().devices(fleet.devices()).duration(Duration.ofSeconds(durationSeconds))
                .broker(broker).seed(fleet.seed()).report(report).ratePerDevice(fleet.rate())
                .commissioningSamples(fleet.commissioning()).statusInterval(Duration.ofMillis(Math.round(statusEvery * 1000)))
                .site(fleet.site()).verdictTimeout(Duration.ofMillis(verdictTimeoutMs)).siteDir(siteDir).insecure(insecure)
                .httpPort(noHttp ? DemoConfig.NO_HTTP : httpPort).rollout(!noRollout).build();
        Demo demo = new Demo(config, System.out);
        UntilStopped.onCtrlC(demo::requestStop, demo::run);
        return 0;
    }
}
