package dev.tandem.sim.cli;

import dev.tandem.shared.config.BrokerAddress;
import picocli.CommandLine;

/** Converts {@code --broker tcp://host:port} (an invalid URL is a usage error with code INVALID_CONFIG). */
final class BrokerOption implements CommandLine.ITypeConverter<BrokerAddress> {
    @Override
    public BrokerAddress convert(String value) {
        try {
            return BrokerAddress.parse(value);
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("[INVALID_CONFIG] " + e.getMessage());
        }
    }
}
