package dev.tandem.sim.cli;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.identity.Credentials;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** How a part logs in to the broker ({@code hub}, {@code edge}, {@code sim}): a picocli mixin. Nothing is anonymous by default. */
final class LoginOptions {
    @Option(names = "--credentials", paramLabel = "FILE",
            description = "This identity's credentials (credentials/NAME.json from ./tandem provision).")
    Path credentials;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "The site CA to trust for mqtts:// (tls/ca.pem from ./tandem provision).")
    Path ca;

    @Option(names = "--insecure",
            description = "Connect anonymously (a broker that allows anonymous clients); warned at every start.")
    boolean insecure;

    BrokerLogin login(BrokerAddress broker) {
        if (credentials == null && !insecure) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--credentials FILE is required (./tandem provision "
                    + "makes them), or --insecure for a broker that allows anonymous clients");
        }
        if (credentials != null && insecure) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--credentials and --insecure exclude each other");
        }
        if (insecure) {
            System.err.println("WARNING: --insecure: connecting anonymously; anyone who reaches this broker can "
                    + "read and forge this fleet's messages");
        }
        BrokerLogin login = BrokerLogin.of(credentials == null ? null : Credentials.load(credentials), ca);
        login.checkFor(broker);
        return login;
    }
}
