package dev.tandem.shared.testing;

import dev.tandem.shared.config.BrokerAddress;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Mosquitto 2 broker for tests and benchmarks ({@code ./tandem bench pipeline --broker mosquitto}):
 * its own process on a free loopback port, configured not to lose messages (see shared/notes/brokers.md).
 * Needs the {@code mosquitto} binary (Debian package {@code mosquitto}, installed by {@code .ci/run});
 * fails loudly if it is missing.
 */
public final class MosquittoBroker implements AutoCloseable {
    private static final List<String> BINARIES = List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto");

    private final Process process;
    private final BrokerAddress address;
    private final Path dir;

    private MosquittoBroker(Process process, BrokerAddress address, Path dir) {
        this.process = process;
        this.address = address;
        this.dir = dir;
    }

    public static MosquittoBroker start() {
        return start(freePort());
    }

    /**
     * Starts mosquitto on a given loopback port, e.g. to bring a broker up where a client has been
     * trying to connect (or to restart one on the same port).
     */
    public static MosquittoBroker start(int port) {
        return start(port, List.of());
    }

    /**
     * Starts mosquitto on a given loopback port with extra configuration lines appended to the
     * defaults (a later line overrides an earlier one, e.g. {@code "max_packet_size 10000000"}).
     */
    public static MosquittoBroker start(int port, List<String> extraConfig) {
        String binary = BINARIES.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "mosquitto is not installed (apt-get install -y mosquitto); the tests need a real broker"));
        try {
            Path dir = Files.createTempDirectory("tandem-mosquitto");
            Path conf = dir.resolve("mosquitto.conf");
            Files.writeString(conf, String.join("\n",
                    "listener " + port + " 127.0.0.1",
                    "allow_anonymous true",
                    "persistence false",
                    "set_tcp_nodelay true",
                    "max_inflight_messages 1000",
                    "max_queued_messages 0",
                    "max_packet_size 2097152",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    String.join("\n", extraConfig),
                    ""));
            Process p = new ProcessBuilder(binary, "-c", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.log").toFile())
                    .start();
            MosquittoBroker broker = new MosquittoBroker(p, new BrokerAddress("127.0.0.1", port), dir);
            broker.awaitListening(Duration.ofSeconds(10));
            return broker;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start mosquitto", e);
        }
    }

    public BrokerAddress address() {
        return address;
    }

    public String url() {
        return address.url();
    }

    private void awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + process.exitValue() + "; see " + dir.resolve("mosquitto.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address.host(), address.port()), 200);
                return;
            } catch (IOException e) {
                sleep(50);
            }
        }
        close();
        throw new IllegalStateException("mosquitto did not listen on " + address + " within " + timeout);
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 5 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
