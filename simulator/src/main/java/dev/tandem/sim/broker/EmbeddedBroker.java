package dev.tandem.sim.broker;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
import dev.tandem.sim.broker.security.AnonymousConnectCheck;
import dev.tandem.sim.broker.security.BrokerSecurity;
import dev.tandem.sim.broker.security.RegistryWatcher;
import dev.tandem.sim.provision.SiteLayout;
import dev.tandem.sim.provision.SiteRegistry;
import dev.tandem.sim.provision.TlsMaterial;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HiveMQ Community Edition, embedded in this JVM, configured so that it loses nothing
 * (see shared/notes/brokers.md): in-memory persistence, a server receive-maximum of 65535, a large
 * per-client queue, anonymous usage statistics off, a bounded packet size ({@link EmbeddedBrokerOptions}
 * holds the settings and writes the HiveMQ config). Listens on loopback only. This class is the lifecycle:
 * start, stop, restart.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = new EmbeddedBroker(EmbeddedBrokerOptions.secured(siteDir)).start()) {
 *     connect(broker.url());
 * }
 * }</pre>
 *
 * <p>HiveMQ's own logging bootstrap is disabled: it logs through slf4j into the application's
 * logback configuration. A stopped broker can be started again; with port 0 it then listens on a
 * new free port. Work folders live in a temporary directory removed on {@link #stop()}; with a data
 * directory ({@link EmbeddedBrokerOptions#dataDir()}) HiveMQ's file persistence lives there and is kept.
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

    private final EmbeddedBrokerOptions options;
    private EmbeddedHiveMQ hivemq;
    private Path workDir;
    private BrokerAddress address;
    private Duration lastStart = Duration.ZERO;
    private Duration lastStop = Duration.ZERO;
    private Thread exitCleanup;
    private BrokerSecurity security;
    private RegistryWatcher watcher;
    private int tlsPort = EmbeddedBrokerOptions.NO_TLS;

    public EmbeddedBroker(EmbeddedBrokerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** An anonymous broker (tests of the broker itself) with default options on {@code port} (0 = a free port). */
    public static EmbeddedBroker anonymousOnPort(int port) {
        return new EmbeddedBroker(EmbeddedBrokerOptions.builder().insecure(true).port(port).build());
    }

    public EmbeddedBrokerOptions options() {
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
        int port = options.port() == 0 ? LocalResources.freePort(options.host()) : options.port();
        if (options.port() != 0) {
            LocalResources.requireFree(options.host(), port);
        }
        try {
            workDir = Files.createTempDirectory("tandem-hivemq");
            Path conf = Files.createDirectories(workDir.resolve("conf"));
            Path data = Files.createDirectories(options.dataDir() != null ? options.dataDir() : workDir.resolve("data"));
            Path ext = Files.createDirectories(workDir.resolve("ext"));
            SiteLayout site = options.site() == null ? null : new SiteLayout(options.site());
            tlsPort = options.tlsPort() == 0 ? LocalResources.freePort(options.host()) : options.tlsPort();
            String keystore = "";
            String keystorePassword = "";
            if (tlsPort > 0) {
                keystore = site.tls().resolve(TlsMaterial.KEYSTORE).toAbsolutePath().toString();
                keystorePassword = Files.readString(site.tls().resolve(TlsMaterial.KEYSTORE_PASSWORD)).trim();
            }
            Files.writeString(conf.resolve("config.xml"), options.configXml(port, tlsPort, keystore, keystorePassword));
            EmbeddedHiveMQBuilder builder = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(data)
                    .withExtensionsFolder(ext)
                    .withoutLoggingBootstrap();
            if (site != null) {
                security = new BrokerSecurity(SiteRegistry.load(site.registry()));
                builder.withEmbeddedExtension(EmbeddedExtension.builder().withId("tandem-security")
                        .withName("Tandem identities and topic table").withVersion("1").withPriority(1000)
                        .withStartPriority(1000).withExtensionMain(security).build());
            }
            hivemq = builder.build();
            hivemq.start().get(options.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
            address = new BrokerAddress(options.host(), port);
            LocalResources.awaitListening(address, Duration.ofSeconds(5));
            if (site != null) {
                requireSecured();
                watcher = RegistryWatcher.start(site.registry(), security);
            } else {
                LOG.warn("embedded broker on {} accepts ANONYMOUS clients (insecure): anyone who reaches it owns the "
                        + "fleet", address.url());
            }
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            if (e instanceof TandemException t && t.code() == ErrorCode.INVALID_CONFIG) {
                cleanUpAfterFailure();
                throw t;
            }
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
        exitCleanup = new Thread(() -> LocalResources.deleteQuietly(dir), "tandem-hivemq-cleanup");
        Runtime.getRuntime().addShutdownHook(exitCleanup);
        LOG.info("embedded broker (HiveMQ CE) listening on {} in {} ms ({})", address.url(), lastStart.toMillis(),
                options.dataDir() == null ? "in memory" : "file persistence in " + options.dataDir());
        return this;
    }

    /**
     * HiveMQ lets everyone in when an extension fails to start: the broker runs only if the security
     * extension says it started and an anonymous CONNECT is refused.
     */
    private void requireSecured() throws IOException {
        if (!security.started()) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "the broker's security extension did not start: "
                    + "refusing to run an open broker");
        }
        if (!AnonymousConnectCheck.refused(address.host(), address.port())) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "self-test failed: an anonymous client was "
                    + "accepted; refusing to run an open broker");
        }
    }

    /** The security extension (refusal counts, revocation), if the broker serves a provisioned site. */
    public synchronized Optional<BrokerSecurity> security() {
        return Optional.ofNullable(security);
    }

    /** {@code ssl://host:port} of the TLS listener; IllegalStateException if there is none. */
    public synchronized String tlsUrl() {
        if (tlsPort <= 0) {
            throw new IllegalStateException("the embedded broker has no TLS listener");
        }
        return new BrokerAddress(address().host(), tlsPort, true).url();
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
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        security = null;
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
                    LocalResources.deleteQuietly(dir);
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    synchronized (this) {
                        lastStop = took;
                    }
                    LOG.info("embedded broker on {} stopped in {} ms", was.url(), took.toMillis());
                })
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LocalResources.deleteQuietly(dir);
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
            LocalResources.deleteQuietly(dir);
            return;
        }
        h.stop().whenCompleteAsync((v, e) -> {
            try {
                h.close();
            } catch (Exception ce) {
                LOG.debug("closing HiveMQ after a failed start: {}", ce.toString());
            }
            LocalResources.deleteQuietly(dir);
        });
    }
}
