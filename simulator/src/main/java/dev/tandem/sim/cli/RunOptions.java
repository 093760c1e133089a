package dev.tandem.sim.cli;

import dev.tandem.shared.config.BrokerAddress;
import picocli.CommandLine.Option;

import java.time.Duration;

/** The options every long-running part shares ({@code hub}, {@code edge}, {@code sim}): a picocli mixin. */
final class RunOptions {
    /** The broker the parts meet on unless told otherwise: a local one on the MQTT port. */
    static final String DEFAULT_BROKER = "tcp://127.0.0.1:1883";
    static final long DEFAULT_STATUS_EVERY_SECONDS = 10;
    /** {@code --duration 0}: no deadline. */
    static final long UNTIL_CTRL_C = 0;

    @Option(names = "--broker", paramLabel = "URL", converter = BrokerOption.class, defaultValue = DEFAULT_BROKER,
            description = "MQTT broker (default: ${DEFAULT-VALUE}).")
    BrokerAddress broker;

    @Option(names = "--status-every", paramLabel = "S", defaultValue = "" + DEFAULT_STATUS_EVERY_SECONDS,
            description = "Seconds between status lines (default: ${DEFAULT-VALUE}).")
    long statusEvery;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "" + UNTIL_CTRL_C,
            description = "Stop after S seconds; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    long duration;

    Duration statusInterval() {
        return Duration.ofSeconds(Math.max(1, statusEvery));
    }

    Duration runFor() {
        return Duration.ofSeconds(Math.max(0, duration));
    }
}
