package dev.tandem.sim.cli;

import dev.tandem.shared.config.BrokerAddress;
import picocli.CommandLine.Option;

import java.time.Duration;

/** The options every long-running part shares ({@code hub}, {@code edge}, {@code sim}): a picocli mixin. */
final class RunOptions {
    @Option(names = "--broker", paramLabel = "URL", converter = BrokerOption.class, defaultValue = "tcp://127.0.0.1:1883",
            description = "MQTT broker (default: ${DEFAULT-VALUE}).")
    BrokerAddress broker;

    @Option(names = "--status-every", paramLabel = "S", defaultValue = "10", description = "Seconds between status lines (default: ${DEFAULT-VALUE}).")
    long statusEvery;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "0", description = "Stop after S seconds; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    long duration;

    Duration statusInterval() {
        return Duration.ofSeconds(Math.max(1, statusEvery));
    }

    Duration runFor() {
        return Duration.ofSeconds(Math.max(0, duration));
    }
}
