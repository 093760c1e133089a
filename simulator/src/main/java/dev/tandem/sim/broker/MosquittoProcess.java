package dev.tandem.sim.broker;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.provision.MosquittoSiteConfig;
import dev.tandem.sim.provision.SiteLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto 2 broker in its own process on a free loopback port, for a fleet in one JVM (the JUnit
 * extension, {@code bench sim}): configured not to lose messages (Nagle off, no queue limit, a wide
 * in-flight window; see {@code docs/mosquitto.conf}), anonymous or with a provisioned site's
 * dynamic-security file (plain TCP, credentials required). Needs the {@code mosquitto} binary
 * (Debian package {@code mosquitto}); BROKER_UNAVAILABLE when it is missing or does not listen in time.
 */
public final class MosquittoProcess implements AutoCloseable {
    private static final List<String> BINARIES = List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto",
            "/usr/local/sbin/mosquitto");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final BrokerAddress address;
    private final Path dir;

    private MosquittoProcess(Process process, BrokerAddress address, Path dir) {
        this.process = process;
        this.address = address;
        this.dir = dir;
    }

    /** Whether a mosquitto binary is installed here. */
    public static boolean installed() {
        return BINARIES.stream().anyMatch(p -> Files.isExecutable(Path.of(p)));
    }

    /** Anonymous clients allowed. */
    public static MosquittoProcess anonymous() {
        return start(List.of("allow_anonymous true"));
    }

    /** The identities and access rules of a provisioned site (its {@code mosquitto/dynsec.json}); nothing anonymous. */
    public static MosquittoProcess secured(SiteLayout site) {
        return start(List.of("allow_anonymous false", "plugin " + MosquittoSiteConfig.DYNSEC_PLUGIN,
                "plugin_opt_config_file " + site.dynsec().toAbsolutePath()));
    }

    private static MosquittoProcess start(List<String> access) {
        String binary = BINARIES.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new TandemException(ErrorCode.BROKER_UNAVAILABLE,
                        "mosquitto is not installed (apt-get install -y mosquitto)"));
        int port = LocalResources.freePort(EmbeddedBrokerOptions.DEFAULT_HOST);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("tandem-mosquitto");
            List<String> conf = new ArrayList<>(List.of(
                    // started as root, mosquitto would switch to the user 'mosquitto', who cannot read the site's files
                    "user " + System.getProperty("user.name"),
                    "per_listener_settings false",
                    "listener " + port + " " + EmbeddedBrokerOptions.DEFAULT_HOST,
                    "persistence false",
                    "set_tcp_nodelay true",
                    "max_inflight_messages 1000",
                    "max_queued_messages 0",
                    "max_packet_size 2097152",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning"));
            conf.addAll(access);
            Path file = dir.resolve("mosquitto.conf");
            Files.writeString(file, String.join("\n", conf) + "\n");
            Process p = new ProcessBuilder(binary, "-c", file.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
            MosquittoProcess m = new MosquittoProcess(p, new BrokerAddress(EmbeddedBrokerOptions.DEFAULT_HOST, port), dir);
            try {
                LocalResources.awaitListening(m.address, START_TIMEOUT);
            } catch (IOException e) {
                m.close();
                throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "mosquitto did not listen on port " + port
                        + " within " + START_TIMEOUT.toSeconds() + " s (exit " + (p.isAlive() ? "-" : p.exitValue())
                        + "; log " + dir.resolve("mosquitto.log") + ")", e);
            }
            return m;
        } catch (IOException e) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "cannot start mosquitto: " + e.getMessage(), e);
        }
    }

    public BrokerAddress address() {
        return address;
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 5 s) and removes its folder. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LocalResources.deleteQuietly(dir);
    }
}
