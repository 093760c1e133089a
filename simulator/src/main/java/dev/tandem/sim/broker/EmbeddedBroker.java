package dev.tandem.sim.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * HiveMQ Community Edition, embedded in this JVM, configured so that it loses nothing
 * (see shared/notes/brokers.md): in-memory persistence, a server receive-maximum of 65535, a large
 * per-client queue, anonymous usage statistics off, a bounded packet size. Listens on loopback only.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = new EmbeddedBroker().start()) {
 *     connect(broker.url());
 * }
 * }</pre>
 *
 * <p>HiveMQ's own logging bootstrap is disabled: it logs through slf4j into the application's
 * logback configuration. A stopped broker can be started again; with port 0 it then listens on a
 * new free port. Work folders live in a temporary directory removed on {@link #stop()}.
 *
 * <p>Known limits of HiveMQ CE 2025.5 shared subscriptions ({@code $share/group/filter}), not
 * fixable by configuration:
 * <ul>
 *   <li>the members of a group are polled (in random order) only when the group's queue goes from
 *       empty to one message; once a backlog exists only the member already consuming polls again, so
 *       an idle member can starve completely (all 4000 messages of a burst to one member, seen here).
 *       Groups split the load only while consumers keep up with the flow;</li>
 *   <li>a member that just subscribed is not served for up to 1 s (member list cached 1 s);</li>
 *   <li>QoS 1 throughput collapses to ~1.3k msg/s once a backlog of ~10^4 builds (shared/notes/brokers.md).</li>
 * </ul>
 * <p>{@link #stop()} takes ~4 s (two fixed 2 s quiet periods inside HiveMQ); {@link #stopAsync()}
 * releases the port in a few hundred ms and finishes in the background.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    /**
     * Broker settings.
     *
     * @param host             address to bind, loopback by default
     * @param port             TCP port; 0 picks a free port at each start
     * @param maxQueueSize     messages queued per client (offline or slower than its publishers)
     *                         before HiveMQ drops; large by default because a drop is silent
     * @param maxPacketSize    largest MQTT packet accepted, bytes
     * @param receiveMaximum   unacknowledged QoS 1/2 publishes a client may have in flight to the broker
     * @param startTimeout     bound on {@link #start()}
     * @param stopTimeout      bound on {@link #stop()}
     */
    public record Options(String host, int port, long maxQueueSize, int maxPacketSize, int receiveMaximum,
                          Duration startTimeout, Duration stopTimeout) {
        public static final long DEFAULT_MAX_QUEUE_SIZE = 1_000_000L;
        public static final int DEFAULT_MAX_PACKET_SIZE = 2 * 1024 * 1024;

        public Options {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw invalid("port must be in [0, 65535], got " + port);
            }
            if (maxQueueSize < 1) {
                throw invalid("maxQueueSize must be >= 1, got " + maxQueueSize);
            }
            if (maxPacketSize < 1024) {
                throw invalid("maxPacketSize must be >= 1024 bytes, got " + maxPacketSize);
            }
            if (receiveMaximum < 1 || receiveMaximum > 65535) {
                throw invalid("receiveMaximum must be in [1, 65535], got " + receiveMaximum);
            }
            if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()
                    || stopTimeout == null || stopTimeout.isNegative() || stopTimeout.isZero()) {
                throw invalid("start and stop timeouts must be positive");
            }
        }

        public static Options defaults() {
            return new Options("127.0.0.1", 0, DEFAULT_MAX_QUEUE_SIZE, DEFAULT_MAX_PACKET_SIZE, 65535,
                    Duration.ofSeconds(60), Duration.ofSeconds(30));
        }

        public Options withPort(int port) {
            return new Options(host, port, maxQueueSize, maxPacketSize, receiveMaximum, startTimeout, stopTimeout);
        }

        public Options withMaxQueueSize(long maxQueueSize) {
            return new Options(host, port, maxQueueSize, maxPacketSize, receiveMaximum, startTimeout, stopTimeout);
        }

        public Options withMaxPacketSize(int maxPacketSize) {
            return new Options(host, port, maxQueueSize, maxPacketSize, receiveMaximum, startTimeout, stopTimeout);
        }

        private static TandemException invalid(String message) {
            return new TandemException(ErrorCode.INVALID_CONFIG, "EmbeddedBroker: " + message);
        }
    }

    private final Options options;
    private EmbeddedHiveMQ hivemq;
    private Path workDir;
    private BrokerAddress address;
    private Duration lastStart = Duration.ZERO;
    private Duration lastStop = Duration.ZERO;
    private Thread exitCleanup;

    public EmbeddedBroker() {
        this(Options.defaults());
    }

    public EmbeddedBroker(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A broker with default options on {@code port} (0 = a free port). */
    public static EmbeddedBroker onPort(int port) {
        return new EmbeddedBroker(Options.defaults().withPort(port));
    }

    public Options options() {
        return options;
    }

    /**
     * Starts the broker and returns once it accepts connections. Fails with
     * {@link ErrorCode#BROKER_UNAVAILABLE} if it cannot (port taken, start timeout).
     */
    public synchronized EmbeddedBroker start() {
        if (hivemq != null) {
            throw new IllegalStateException("embedded broker already running on " + address);
        }
        long t0 = System.nanoTime();
        int port = options.port() == 0 ? freePort(options.host()) : options.port();
        if (options.port() != 0) {
            requireFree(options.host(), port);
        }
        try {
            workDir = Files.createTempDirectory("tandem-hivemq");
            Path conf = Files.createDirectories(workDir.resolve("conf"));
            Path data = Files.createDirectories(workDir.resolve("data"));
            Path ext = Files.createDirectories(workDir.resolve("ext"));
            Files.writeString(conf.resolve("config.xml"), configXml(options, port));
            hivemq = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(data)
                    .withExtensionsFolder(ext)
                    .withoutLoggingBootstrap()
                    .build();
            hivemq.start().get(options.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
            address = new BrokerAddress(options.host(), port);
            awaitListening(address, Duration.ofSeconds(5));
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            String why = e instanceof ExecutionException && e.getCause() != null ? e.getCause().toString() : e.toString();
            cleanUpAfterFailure();
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE,
                    "embedded broker could not start on " + options.host() + ":" + port + ": " + why, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cleanUpAfterFailure();
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "interrupted while starting the embedded broker", e);
        }
        lastStart = Duration.ofNanos(System.nanoTime() - t0);
        Path dir = workDir;
        exitCleanup = new Thread(() -> deleteQuietly(dir), "tandem-hivemq-cleanup");
        Runtime.getRuntime().addShutdownHook(exitCleanup);
        LOG.info("embedded broker (HiveMQ CE) listening on {} in {} ms", address.url(), lastStart.toMillis());
        return this;
    }

    /**
     * Stops the broker, waits until HiveMQ has shut down completely and removes its work folders;
     * a no-op if it is not running. Takes ~4 s: HiveMQ CE waits out two fixed 2 s quiet periods
     * (Netty event loops, extension executor). See {@link #stopAsync()} to not wait for them.
     */
    public void stop() {
        CompletableFuture<Void> stopped = stopAsync();
        try {
            stopped.get(options.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("[{}] embedded broker did not stop cleanly: {}", ErrorCode.BROKER_UNAVAILABLE, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts stopping the broker and returns at once. Clients are disconnected and the port is
     * released within a few hundred ms; the future completes when HiveMQ has shut down completely
     * and the work folders are removed. The broker may be {@link #start() started} again right away.
     */
    public synchronized CompletableFuture<Void> stopAsync() {
        EmbeddedHiveMQ h = hivemq;
        if (h == null) {
            return CompletableFuture.completedFuture(null);
        }
        hivemq = null;
        Path dir = workDir;
        workDir = null;
        BrokerAddress was = address;
        removeExitCleanup();
        long t0 = System.nanoTime();
        return h.stop()
                .thenRunAsync(() -> {
                    try {
                        h.close();
                    } catch (ExecutionException e) {
                        LOG.debug("closing HiveMQ: {}", e.toString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    deleteQuietly(dir);
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    synchronized (this) {
                        lastStop = took;
                    }
                    LOG.info("embedded broker on {} stopped in {} ms", was.url(), took.toMillis());
                })
                .whenComplete((v, e) -> {
                    if (e != null) {
                        deleteQuietly(dir);
                    }
                });
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return hivemq != null;
    }

    /** {@code tcp://host:port} of the running broker. */
    public synchronized String url() {
        return address().url();
    }

    public synchronized BrokerAddress address() {
        if (hivemq == null || address == null) {
            throw new IllegalStateException("embedded broker is not running");
        }
        return address;
    }

    public synchronized int port() {
        return address().port();
    }

    /** How long the last {@link #start()} took (config written to listening). */
    public synchronized Duration lastStartDuration() {
        return lastStart;
    }

    /** How long the last {@link #stop()} took. */
    public synchronized Duration lastStopDuration() {
        return lastStop;
    }

    /** Work folder of the running broker (config, data, extensions), for diagnostics. */
    synchronized Path workDir() {
        return workDir;
    }

    /**
     * The HiveMQ {@code config.xml} for these options (schema: config.xsd in the HiveMQ CE jar).
     * Every value that loses messages by default is set explicitly.
     */
    static String configXml(Options options, int port) {
        return """
                <?xml version="1.0"?>
                <hivemq xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="config.xsd">
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <name>tandem</name>
                        </tcp-listener>
                    </listeners>
                    <mqtt>
                        <queued-messages>
                            <!-- default 1000 with 'discard': QoS 1 messages dropped silently while publishers get PUBACK -->
                            <max-queue-size>%d</max-queue-size>
                            <!-- if a queue ever fills, keep the newest readings (a live detector wants those) -->
                            <strategy>discard-oldest</strategy>
                        </queued-messages>
                        <receive-maximum>
                            <!-- default 10: MQTT 5 clients (Paho) fail past 10 unacknowledged publishes -->
                            <server-receive-maximum>%d</server-receive-maximum>
                        </receive-maximum>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                        <shared-subscriptions>
                            <enabled>true</enabled>
                        </shared-subscriptions>
                        <retained-messages>
                            <enabled>true</enabled>
                        </retained-messages>
                    </mqtt>
                    <persistence>
                        <!-- file persistence costs >10x CPU per message and GBs of disk -->
                        <mode>in-memory</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, options.host(), options.maxQueueSize(), options.receiveMaximum(),
                options.maxPacketSize());
    }

    private void removeExitCleanup() {
        if (exitCleanup != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitCleanup);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs anyway
            }
            exitCleanup = null;
        }
    }

    /** After a failed start: HiveMQ stops itself (or is stopped) in the background; folders go after. */
    private void cleanUpAfterFailure() {
        EmbeddedHiveMQ h = hivemq;
        Path dir = workDir;
        hivemq = null;
        workDir = null;
        if (h == null) {
            deleteQuietly(dir);
            return;
        }
        h.stop().whenCompleteAsync((v, e) -> {
            try {
                h.close();
            } catch (Exception ce) {
                LOG.debug("closing HiveMQ after a failed start: {}", ce.toString());
            }
            deleteQuietly(dir);
        });
    }

    private static void awaitListening(BrokerAddress address, Duration timeout) throws IOException {
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

    private static void requireFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
        } catch (IOException e) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE,
                    "embedded broker cannot listen on " + host + ":" + port + ": port already in use (" + e.getMessage() + ")", e);
        }
    }

    private static int freePort(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "no free port on " + host + ": " + e, e);
        }
    }

    private static void deleteQuietly(Path dir) {
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
