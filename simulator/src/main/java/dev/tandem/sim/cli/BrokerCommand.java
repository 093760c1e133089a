package dev.tandem.sim.cli;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {
                "Runs the embedded MQTT broker (HiveMQ CE) on its own, for a site without mosquitto.",
                "Only the identities of --site-dir log in, each only where the topic table lets it (--insecure: anonymous "
                        + "clients, warned). Messages, retained models and sessions live in memory unless --broker-data "
                        + "DIR is given: file persistence there survives a restart, at several times the CPU per message "
                        + "(see the README's broker-persistence figures). Runs until Ctrl-C or --duration."})
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = EmbeddedBrokerOptions.DEFAULT_HOST;

    @Option(names = "--port", paramLabel = "PORT", description = "The MQTT (TCP) port; 0: a free one, printed (default: ${DEFAULT-VALUE}).")
    int port = 1883;

    @Option(names = "--tls-port", paramLabel = "PORT",
            description = "Also listen with TLS (the site's certificate) on PORT; 0: a free one; -1: no TLS (default: ${DEFAULT-VALUE}).")
    int tlsPort = EmbeddedBrokerOptions.NO_TLS;

    @Option(names = "--site-dir", paramLabel = "DIR", description = "The provisioned site (./tandem provision) whose identities log in.")
    Path siteDir;

    @Option(names = "--insecure", description = "Anonymous clients may do anything (warned at start).")
    boolean insecure;

    @Option(names = "--broker-data", paramLabel = "DIR",
            description = "Keep the broker's state (retained messages, sessions, queued messages) in DIR across restarts "
                    + "(HiveMQ file persistence; default: in memory).")
    Path dataDir;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after S seconds; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    long durationSeconds = RunOptions.UNTIL_CTRL_C;

    @Override
    public Integer call() throws Exception {
        if (siteDir == null && !insecure) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--site-dir DIR (a provisioned site) is required; "
                    + "--insecure lets anonymous clients in");
        }
        if (siteDir != null && insecure) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--site-dir and --insecure exclude each other");
        }
        if (dataDir != null && Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--broker-data " + dataDir + " is not a directory");
        }
        EmbeddedBrokerOptions options = EmbeddedBrokerOptions.builder().host(host).port(port).tlsPort(tlsPort)
                .site(siteDir).insecure(insecure).dataDir(dataDir).build();
        EmbeddedBroker broker = new EmbeddedBroker(options).start();
        System.out.printf("broker: embedded HiveMQ CE on %s%s (started in %d ms); %s; %s%n", broker.url(),
                tlsPort == EmbeddedBrokerOptions.NO_TLS ? "" : " and " + broker.tlsUrl(),
                broker.lastStartDuration().toMillis(),
                insecure ? "ANONYMOUS clients allowed (--insecure)" : "identities and ACLs of " + siteDir,
                dataDir == null ? "state in memory (lost at stop)" : "state kept in " + dataDir);
        long t0 = System.nanoTime();
        UntilStopped.run(System.out, Duration.ofHours(1), Duration.ofSeconds(durationSeconds),
                () -> String.format("broker: up %d min on %s", (System.nanoTime() - t0) / 60_000_000_000L, broker.url()),
                () -> false, broker::stop);
        return 0;
    }
}
