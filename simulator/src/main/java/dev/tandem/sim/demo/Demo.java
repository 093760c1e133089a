package dev.tandem.sim.demo;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.edge.EdgeConfig;
import dev.tandem.edge.EdgeMetrics;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.HubMetrics;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import dev.tandem.edge.uplink.MqttLogin;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.hub.api.ApiConfig;
import dev.tandem.hub.api.HubApi;
import dev.tandem.hub.api.OperatorAuthenticator;
import dev.tandem.shared.identity.OperatorRole;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.sim.provision.Provisioner;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.provision.SiteOperators;
import dev.tandem.sim.provision.SiteLayout;
import dev.tandem.sim.eval.Confusion;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.publish.PublisherConfig;
import dev.tandem.sim.publish.SensorPublisher;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The whole loop in one process: a broker (embedded unless one is given), a hub, one edge agent per
 * simulated machine and the simulator feeding them. Prints a status line every few seconds and a
 * final summary; stops at {@code duration} or when {@link #requestStop()} is called (Ctrl-C).
 */
public final class Demo {
    private final DemoConfig config;
    private final PrintStream out;
    /** The simulated line (its process clock: {@link SimConfig#speedup}). */
    private final SimConfig sim;
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    private EmbeddedBroker embedded;
    private SiteAccess access;
    private java.nio.file.Path throwawaySite;
    /** The agents' accepted model generations: a demo starts from scratch, so a throwaway directory. */
    private java.nio.file.Path stateDir;
    private CloudHub hub;
    private HubApi api;
    private SiteOperators siteOperators;
    private Path insecureToken;
    private Vertx vertx;
    private final List<EdgeAgent> agents = new ArrayList<>();
    private SensorPublisher publisher;
    private Scoreboard scoreboard;
    private DemoRollout rollout;
    private long startNanos;
    private volatile String consoleUrl;
    private volatile Path consoleToken;
    /** The device the demo scripts its fault on, the fault, and the index of its first sample. */
    private String faultyDevice;
    private dev.tandem.sim.factory.Fault fault;
    private long faultIndex;
    /** Stamp of the fault's first reading (known once publishing started), and of the first anomalous window after it. */
    private volatile long faultStartTs = Long.MAX_VALUE;
    private final java.util.concurrent.atomic.AtomicLong faultSeenTs = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

    /** After the faulty device's model could be active: its commissioning plus this much (wall time). */
    static final java.time.Duration FAULT_AFTER_COMMISSIONING = java.time.Duration.ofSeconds(30);
    /** How long the scripted fault lasts (wall time). */
    static final java.time.Duration FAULT_LASTS = java.time.Duration.ofSeconds(60);

    public Demo(DemoConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
        this.sim = SimConfig.builder(config.seed(), config.devices())
                .commissioningSamples(config.commissioningSamples()).build();
    }

    /**
     * A span of the machines' process time in stamp (wall) time. Readings are stamped with the wall
     * clock, but the machines' process runs one simulated second per reading, {@code --rate} times
     * faster; the two waits for a settled state (the hub's re-baselining hold and the edge's reviews of a
     * held alarm, ten minutes of process time) are shortened by the same factor, so that a demo of a
     * few minutes shows them (24 s at the default 25 Hz).
     */
    private java.time.Duration machineTime(java.time.Duration process) {
        return java.time.Duration.ofMillis(Math.max(1, Math.round(process.toMillis() / speedup())));
    }

    /** How much faster the machines' process runs than the wall clock their readings are stamped with. */
    private double speedup() {
        return sim.speedup(config.ratePerDevice());
    }

    /**
     * Scripts the demo's one known fault: a strong level shift of the second machine's vibration (the
     * first machine's on a line of one), {@link #FAULT_AFTER_COMMISSIONING} after its commissioning
     * readings, lasting {@link #FAULT_LASTS}; both given in wall time, scripted in process time.
     */
    private void scriptFault(FactoryLine line) {
        List<String> ids = line.deviceIds();
        faultyDevice = ids.get(Math.min(1, ids.size() - 1));
        double speedup = speedup();
        fault = dev.tandem.sim.factory.Fault.levelShift(dev.tandem.sim.factory.SensorChannel.VIBRATION_RMS.wireName())
                .severity(dev.tandem.sim.factory.Severity.HIGH)
                .lasting(java.time.Duration.ofMillis(Math.round(FAULT_LASTS.toMillis() * speedup)));
        long afterSeconds = config.commissioningSamples() + Math.round(FAULT_AFTER_COMMISSIONING.toSeconds() * speedup);
        line.machine(faultyDevice).inject(fault, java.time.Duration.ofSeconds(afterSeconds));
        faultIndex = afterSeconds; // one sample per simulated second
    }

    /** The console's address once the demo serves it (empty before, or with no API). */
    public java.util.Optional<String> consoleUrl() {
        return java.util.Optional.ofNullable(consoleUrl);
    }

    /** The file holding the token to sign in to the console with (empty before the console is up). */
    public java.util.Optional<Path> consoleToken() {
        return java.util.Optional.ofNullable(consoleToken);
    }

    /** The stamp (epoch ms) of the scripted fault's first reading, once publishing started (else Long.MAX_VALUE). */
    public long faultStartTs() {
        return faultStartTs;
    }

    /** The device the demo scripts its fault on. */
    public String faultyDevice() {
        return faultyDevice;
    }

    /** Asks a running demo to stop and summarise (safe from any thread, e.g. a shutdown hook). */
    public void requestStop() {
        stopRequested.countDown();
    }

    /** Runs until the duration elapses or a stop is requested; returns the final summary. */
    public DemoReport run() throws Exception {
        try {
            FactoryLine line = new FactoryLine(sim);
            scriptFault(line);
            access = siteAccess(line.deviceIds());
            BrokerAddress broker = startBroker();
            out.printf("hub: starting (TensorFlow loads on first fit)%n");
            // One hub in-process: on the embedded broker it subscribes plainly (HiveMQ CE's QoS 1 shared
            // subscriptions stall once a backlog builds); behind an external broker through $share/hub.
            HubConfig.Builder hubConfig = HubConfig.builder(broker).instanceId("demo-hub").site(config.site())
                    .rebaseline(new dev.tandem.hub.rebaseline.RebaselineSettings(
                            machineTime(dev.tandem.hub.rebaseline.RebaselineSettings.DEFAULT_HELD_FOR),
                            dev.tandem.hub.rebaseline.RebaselineSettings.DEFAULT_SAMPLES,
                            dev.tandem.hub.rebaseline.RebaselineSettings.DEFAULT_MAX_ANOMALOUS_SHARE))
                    .sharedSubscription(embedded == null);
            if (access != null) {
                hubConfig.login(access.hub()).signingKey(access.signingKey()).keyHistory(access.keyHistory());
            }
            hub = CloudHub.start(hubConfig.build());
            if (!hub.isConnected()) {
                throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "no MQTT broker answers at " + broker
                        + " (start one, or leave --broker out to use the embedded broker)");
            }

            startApi();
            scoreboard = new Scoreboard(line.groundTruth());

            vertx = Vertx.vertx();
            stateDir = java.nio.file.Files.createTempDirectory("tandem-demo-edge");
            if (embedded == null) {
                clearRetainedModels(broker, line.deviceIds());
            }
            for (String device : line.deviceIds()) {
                EdgeAgent agent = new EdgeAgent(EdgeConfig.builder(broker, config.site(), List.of(device))
                        .clientId("edge-" + config.site() + "-" + device)
                        .login(access == null ? BrokerLogin.none() : access.agentFor(device))
                        .hubKey(hub.publicKey())
                        .stateDir(stateDir.resolve(device))
                        .commissioningSamples(config.commissioningSamples())
                        .verdictTimeout(config.verdictTimeout())
                        .alarms(dev.tandem.edge.alarm.AlarmSettings.defaults().withReviewAfter(
                                machineTime(dev.tandem.edge.alarm.AlarmSettings.DEFAULT_REVIEW_AFTER)))
                        .build());
                agent.onDecision(d -> {
                    scoreboard.accept(d);
                    if (d.finalAnomaly() && d.device().equals(faultyDevice) && d.ts() >= faultStartTs) {
                        faultSeenTs.compareAndSet(Long.MIN_VALUE, d.ts());
                    }
                });
                vertx.deployVerticle(agent).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                agents.add(agent);
                agent.ready().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            out.printf("edge: %d agents connected (one per machine, site '%s'); each commissions on its first %d readings%n",
                    agents.size(), config.site(), config.commissioningSamples());

            publisher = new SensorPublisher(vertx, line, PublisherConfig.builder(config.site(), broker)
                    .login(access == null ? BrokerLogin.none() : access.sensorFor(line.deviceIds()))
                    .ratePerDevice(config.ratePerDevice()).wallClock(true).build());
            publisher.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            startNanos = System.nanoTime();
            faultStartTs = line.machine(faultyDevice).timestamp(faultIndex).toEpochMilli();
            out.printf("sim: %d machines publishing %.0f readings/s each (seed %d)%s%n", config.devices(),
                    config.ratePerDevice(), config.seed(),
                    config.duration().isZero() ? "; Ctrl-C stops" : "; running " + config.duration().toSeconds() + " s");
            out.printf("sim: %s gets a fault at %s, %d s from now (%s of %s for %d s; random anomalies on every machine besides)%n",
                    faultyDevice, java.time.LocalTime.ofInstant(java.time.Instant.ofEpochMilli(faultStartTs),
                            java.time.ZoneId.systemDefault()).withNano(0),
                    Math.max(0, (faultStartTs - System.currentTimeMillis()) / 1000), fault.kind().wireName(),
                    String.join(", ", fault.channels()), FAULT_LASTS.toSeconds());

            if (config.rollout()) {
                rollout = new DemoRollout(hub, config.site(), out,
                        () -> agents.stream().allMatch(a -> a.modelsLoaded().isComplete()), this::elapsedSeconds);
                rollout.start();
            }
            loop();
            return finish();
        } finally {
            shutdown();
        }
    }

    /**
     * A demo starts from scratch: on a broker that outlives it, the retained models of an earlier run
     * on the same site would skip commissioning, and this run's hub (which keeps no models) could
     * answer none of those devices' escalations.
     */
    private void clearRetainedModels(BrokerAddress broker, List<String> devices) throws Exception {
        // as the hub (the only identity that may assign models); its own connection is not up yet
        BrokerLogin login = access == null ? BrokerLogin.none() : access.hub();
        MqttClient client = MqttClient.create(vertx, MqttLogin.apply(new MqttClientOptions(), broker, login,
                login.clientId("demo-clear-" + config.site())));
        client.connect(broker.port(), broker.host()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        List<io.vertx.core.Future<Integer>> sent = new ArrayList<>();
        for (String device : devices) {
            sent.add(client.publish(Topics.of(config.site(), device, Topics.Kind.MODEL), Buffer.buffer(),
                    MqttQoS.AT_LEAST_ONCE, false, true));
        }
        io.vertx.core.Future.all(sent).compose(v -> client.disconnect())
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Who logs in as what: a site provisioned for an external broker, a throwaway one, or none (insecure). */
    private SiteAccess siteAccess(List<String> devices) throws java.io.IOException {
        if (config.insecure()) {
            return null;
        }
        if (config.siteDir() != null) {
            SiteAccess a = SiteAccess.open(new SiteLayout(config.siteDir()));
            if (!a.site().equals(config.site())) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "--site-dir " + config.siteDir() + " is site '"
                        + a.site() + "', the demo runs site '" + config.site() + "' (--site)");
            }
            return a;
        }
        throwawaySite = java.nio.file.Files.createTempDirectory("tandem-demo-site");
        return SiteAccess.provisionFor(new SiteLayout(throwawaySite), config.site(), devices);
    }

    /**
     * The hub's REST API on a free loopback port, for the site's operators (the throwaway site's
     * {@code admin}); with {@code --insecure}, for a one-run admin token written to a temporary file.
     */
    private void startApi() throws IOException {
        if (config.httpPort() == DemoConfig.NO_HTTP) {
            return;
        }
        OperatorAuthenticator operators;
        String tokenFile;
        if (access == null) {
            OperatorToken.Issued issued = OperatorToken.issue("demo", OperatorRole.ADMIN);
            insecureToken = Files.createTempFile("tandem-demo-", ".token",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(insecureToken, issued.token() + "\n");
            operators = OperatorAuthenticator.of(List.of(issued.stored()));
            tokenFile = insecureToken.toString();
        } else {
            SiteLayout layout = access.layout();
            try {
                siteOperators = SiteOperators.follow(layout.registry(), access.site());
            } catch (TandemException e) {
                out.printf("api: off (%s)%n", e.getMessage());
                return;
            }
            operators = siteOperators;
            tokenFile = Files.exists(layout.operatorToken(Provisioner.FIRST_OPERATOR))
                    ? layout.operatorToken(Provisioner.FIRST_OPERATOR).toString() : layout.root() + "/operators/";
        }
        api = HubApi.start(hub, ApiConfig.loopback(config.httpPort(), operators));
        out.printf("api: %s/api/v1 (Authorization: Bearer $(cat %s)); metrics: %s/metrics%n", api.url(), tokenFile,
                api.url());
        out.printf("console: %s/ (open it in a browser; sign in with the token in %s)%n", api.url(), tokenFile);
        consoleToken = Path.of(tokenFile);
        consoleUrl = api.url() + "/";
    }

    private BrokerAddress startBroker() {
        if (config.broker() != null) {
            out.printf("broker: using %s%s%n", config.broker(), access == null ? " (anonymous: --insecure)"
                    : " as the identities of site '" + access.site() + "' (" + config.siteDir() + ")");
            return config.broker();
        }
        embedded = new EmbeddedBroker(access == null ? EmbeddedBrokerOptions.anonymous()
                : EmbeddedBrokerOptions.secured(access.layout().root())).start();
        out.printf("broker: embedded HiveMQ CE on %s (started in %d ms); %s%n", embedded.url(),
                embedded.lastStartDuration().toMillis(), access == null
                        ? "ANONYMOUS clients allowed (--insecure)"
                        : "identities and ACLs on (a throwaway site: an identity per agent, the sensors, the hub)");
        return embedded.address();
    }

    private void loop() throws InterruptedException {
        long intervalMs = config.statusInterval().toMillis();
        long deadline = config.duration().isZero() ? Long.MAX_VALUE
                : startNanos + config.duration().toNanos();
        long lastReadings = 0;
        long lastAt = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            long wait = Math.min(intervalMs, Math.max(0, (deadline - now) / 1_000_000));
            if (stopRequested.await(wait, TimeUnit.MILLISECONDS) || System.nanoTime() >= deadline) {
                return;
            }
            Totals t = totals();
            long at = System.nanoTime();
            double rate = (t.edge.readings() - lastReadings) / ((at - lastAt) / 1e9);
            lastReadings = t.edge.readings();
            lastAt = at;
            out.println(statusLine(t, rate));
        }
    }

    private String statusLine(Totals t, double readingsPerSecond) {
        Confusion c = scoreboard.collaborative();
        return String.format("[%4.0fs] readings/s %6.0f | windows %7d | onsets %4d | clears %4d | escalations %5d"
                        + " | verdicts %5d | timeouts %3d | models %d/%d | precision %s recall %s",
                elapsedSeconds(), readingsPerSecond, t.edge.windows(), t.edge.onsets(), t.edge.clears(),
                t.edge.escalations(),
                t.edge.verdicts(), t.edge.verdictTimeouts(), t.modelsLoaded, agents.size(),
                fmt(c.precision()), fmt(c.recall()));
    }

    private DemoReport finish() throws InterruptedException {
        if (rollout != null) {
            rollout.close(); // no status line after this one
        }
        out.println("stopping: sensors off, waiting for the last verdicts...");
        publisher.stop().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS)
                .exceptionally(e -> null).join();
        Thread.sleep(Math.min(5_000, config.verdictTimeout().toMillis() + 300));
        Totals t = totals();
        Confusion c = scoreboard.collaborative();
        Confusion e = scoreboard.edgeOnly();
        Map<String, Long> errors = new TreeMap<>();
        t.hub.errorsByCode().forEach((k, v) -> errors.merge("hub." + k, v, Long::sum));
        t.edge.errorsByCode().forEach((k, v) -> errors.merge("edge." + k, v, Long::sum));
        DemoReport report = new DemoReport(
                config.broker() == null ? "embedded " + embedded.url() : config.broker().url(),
                config.devices(), elapsedSeconds(), t.edge.readings(), t.edge.windows(), t.edge.onsets(),
                t.edge.clears(), t.edge.rebaselines(),
                t.edge.escalations(), t.edge.reviews(), t.edge.verdicts(), t.edge.reviewVerdicts(),
                t.edge.verdictTimeouts(), t.modelsLoaded,
                t.edge.windows() == 0 ? 0 : (double) t.edge.escalations() / t.edge.windows(),
                nan0(c.precision()), nan0(c.recall()), nan0(c.f1()), nan0(c.far()),
                new DemoReport.Quality(nan0(e.precision()), nan0(e.recall()), nan0(e.f1()), nan0(e.far())),
                new DemoReport.Escalated(scoreboard.answered(), scoreboard.hubRight(), scoreboard.edgeRight()),
                t.hub.batches(), t.hub.meanBatchSize(), errors, scriptedFault(),
                rollout == null ? null : rollout.outcome());
        printSummary(report);
        if (config.report() != null) {
            try {
                Path parent = config.report().toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.write(config.report(), Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
                out.printf("report: %s%n", config.report());
            } catch (IOException ex) {
                out.printf("report: cannot write %s: %s%n", config.report(), ex.getMessage());
            }
        }
        return report;
    }

    private DemoReport.ScriptedFault scriptedFault() {
        long seen = faultSeenTs.get();
        return new DemoReport.ScriptedFault(faultyDevice, fault.kind().wireName() + " of " + String.join(", ", fault.channels()),
                faultStartTs, seen == Long.MIN_VALUE ? null : (seen - faultStartTs) / 1000.0);
    }

    private void printSummary(DemoReport r) {
        out.println();
        out.println("=== Tandem demo summary ===");
        out.printf("broker            %s%n", r.broker());
        out.printf("devices           %d (models delivered: %d)%n", r.devices(), r.modelsDelivered());
        out.printf("duration          %.1f s%n", r.durationSeconds());
        out.printf("readings          %d%n", r.readings());
        out.printf("windows scored    %d%n", r.windows());
        out.printf("alarm episodes    %d onsets, %d cleared, %d re-baselined, %d held at the end%n", r.onsets(),
                r.clears(), r.rebaselines(), r.onsets() - r.clears() - r.rebaselines());
        out.printf("escalations       %d (%.1f%% of windows)%s%n", r.escalations(), 100 * r.escalationRate(),
                r.reviews() == 0 ? "" : "; " + r.reviews() + " of them reviews of a held alarm");
        out.printf("verdicts          %d (timeouts %d)%s%n", r.verdicts(), r.verdictTimeouts(),
                r.reviews() == 0 ? "" : "; and " + r.reviewVerdicts() + " on the reviews");
        out.printf("hub batches       %d (mean size %.1f)%n", r.hubBatches(), r.hubMeanBatchSize());
        DemoReport.Escalated x = r.escalated();
        if (x.answered() > 0) {
            out.printf("escalated windows %d answered: the hub's verdict right on %d (%.0f%%), the edge alone would be on %d (%.0f%%)%n",
                    x.answered(), x.hubRight(), 100.0 * x.hubRight() / x.answered(), x.edgeRight(),
                    100.0 * x.edgeRight() / x.answered());
        }
        DemoReport.ScriptedFault f = r.scriptedFault();
        out.printf("scripted fault    %s on %s: %s%n", f.fault(), f.device(), f.alarmAfterSeconds() != null
                ? String.format("anomalous %.1f s after it began", f.alarmAfterSeconds())
                : System.currentTimeMillis() < f.startTs() ? "the demo stopped before it began" : "not detected");
        if (r.rollout() != null) {
            out.printf("rollout           %s (%s): %s%n", r.rollout().name(), DemoRollout.RECIPE, r.rollout().summary());
        }
        out.printf("%-17s %9s %9s %9s %9s%n", "decisions", "precision", "recall", "F1", "FAR");
        out.printf("%-17s %9s %9s %9s %9s%n", "collaborative", fmt(r.precision()), fmt(r.recall()), fmt(r.f1()), pct(r.far()));
        out.printf("%-17s %9s %9s %9s %9s%n", "edge only", fmt(r.edgeOnly().precision()), fmt(r.edgeOnly().recall()),
                fmt(r.edgeOnly().f1()), pct(r.edgeOnly().far()));
        if (!r.errors().isEmpty()) {
            out.printf("errors            %s%n", r.errors());
        }
    }

    /** The fleet's edge counters summed, the hub's snapshot, and how many agents have their model. */
    private record Totals(EdgeTotals edge, HubMetrics.Snapshot hub, int modelsLoaded) {
    }

    private record EdgeTotals(long readings, long windows, long onsets, long clears, long rebaselines,
                              long escalations, long verdicts,
                              long verdictTimeouts, long reviews, long reviewVerdicts, Map<String, Long> errorsByCode) {
    }

    private Totals totals() {
        long readings = 0, windows = 0, onsets = 0, clears = 0, rebaselines = 0, escalations = 0, verdicts = 0;
        long timeouts = 0, reviews = 0, reviewVerdicts = 0;
        Map<String, Long> byCode = new TreeMap<>();
        int loaded = 0;
        for (EdgeAgent a : agents) {
            EdgeMetrics.Snapshot s = a.metrics().snapshot();
            readings += s.readings();
            windows += s.windows();
            onsets += s.onsets();
            clears += s.clears();
            rebaselines += s.rebaselines();
            escalations += s.escalations();
            verdicts += s.verdicts();
            timeouts += s.verdictTimeouts();
            reviews += a.metrics().reviews();
            reviewVerdicts += a.metrics().reviewVerdicts();
            s.errorsByCode().forEach((k, v) -> byCode.merge(k.name(), v, Long::sum));
            if (a.modelsLoaded().isComplete()) {
                loaded++;
            }
        }
        return new Totals(new EdgeTotals(readings, windows, onsets, clears, rebaselines, escalations, verdicts, timeouts, reviews,
                reviewVerdicts, byCode),
                hub.metrics().snapshot(), loaded);
    }

    private double elapsedSeconds() {
        return startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1e9;
    }

    private void shutdown() {
        if (rollout != null) {
            rollout.close();
        }
        if (publisher != null) {
            publisher.stop();
        }
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                out.println("edge: close timed out: " + e);
            }
        }
        if (api != null) {
            api.close();
        }
        if (siteOperators != null) {
            siteOperators.close();
        }
        if (insecureToken != null) {
            dev.tandem.sim.broker.LocalResources.deleteQuietly(insecureToken);
        }
        if (hub != null) {
            hub.close();
        }
        if (embedded != null) {
            embedded.close();
        }
        if (throwawaySite != null) {
            dev.tandem.sim.broker.LocalResources.deleteQuietly(throwawaySite);
        }
        if (stateDir != null) {
            dev.tandem.sim.broker.LocalResources.deleteQuietly(stateDir);
        }
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "  -  " : String.format("%.3f", v);
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "  -  " : String.format("%.1f%%", 100 * v);
    }

    private static double nan0(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
