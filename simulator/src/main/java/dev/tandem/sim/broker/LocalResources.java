package dev.tandem.sim.broker;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/** The local resources an {@link EmbeddedBroker} takes: a TCP port to listen on and a work folder. */
public final class LocalResources {
    private static final Logger LOG = LoggerFactory.getLogger(LocalResources.class);

    private LocalResources() {
    }

    /** Waits (bounded by {@code timeout}) until {@code address} accepts TCP connections. */
    public static void awaitListening(BrokerAddress address, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address.host(), address.port()), 200);
                return;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IOException("not listening on " + address + " within " + timeout, last);
    }

    /** Fails with {@link ErrorCode#BROKER_UNAVAILABLE} if {@code host:port} cannot be bound. */
    static void requireFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
        } catch (IOException e) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE,
                    "embedded broker cannot listen on " + host + ":" + port + ": port already in use (" + e.getMessage() + ")", e);
        }
    }

    /** A port free on {@code host} right now. */
    public static int freePort(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "no free port on " + host + ": " + e, e);
        }
    }

    /** Removes {@code dir} and everything in it, logging (at debug) what could not be removed. */
    public static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.debug("could not clean {}: {}", dir, e.toString());
        }
    }
}
