package dev.tandem.sim.fleet;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.edge.EdgeConfig;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import dev.tandem.sim.broker.LocalResources;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.Fault;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.provision.SecuredMosquitto;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.provision.SiteLayout;
import dev.tandem.sim.publish.PublisherConfig;
import dev.tandem.sim.publish.SensorPublisher;
import dev.tandem.sim.scenario.ScenarioFleet;
import dev.tandem.sim.score.AlarmLine;
import dev.tandem.sim.score.AlarmRecorder;
import dev.tandem.sim.score.AlarmScorer;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A whole fleet in this JVM, for tests: a broker (embedded HiveMQ or a mosquitto process, on a free
 * loopback port), secured by default with a throwaway provisioned site (an identity per agent, the
 * sensors, the hub, the alarm recorder; removed on close), the hub and one edge agent per device if
 * asked, the simulator publishing the devices' readings, and an alarm recorder on the site's alarms.
 * {@link #start} returns once every part is up and, with hub and edge agents, once every device has
 * its model (bounded by {@link LocalFleetOptions#startupTimeout()}); {@link #close} stops everything,
 * each part with a bounded wait. The handle gives the broker's address and the site's credentials,
 * injects faults ({@link #device}), waits for alarms ({@link #awaitAlarm}), and scores the alarms
 * recorded against the ground truth so far ({@link #score}).
 */
public final class LocalFleet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFleet.class);

    private final LocalFleetOptions options;
    private final FactoryLine line;
    private final List<EdgeAgent> agents = new ArrayList<>();
    private Path siteDir;
    private Path stateDir;
    private SiteAccess access;
    private EmbeddedBroker embedded;
    private AutoCloseable mosquitto;
    private BrokerAddress broker;
    private volatile CloudHub hub;
    private HubConfig hubConfig;
    private Path hubDir;
    private Vertx vertx;
    private AlarmRecorder recorder;
    /** What the recorders before a broker restart saw. */
    private final List<Alarm> alarmsBefore = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long publishedBefore;
    private SensorPublisher publisher;

    /** One device of the fleet. */
    public final class Device {
        private final MachineSimulator machine;

        private Device(MachineSimulator machine) {
            this.machine = machine;
        }

        public String id() {
            return machine.deviceId();
        }

        /** Injects {@code fault} from the device's next reading; INVALID_CONFIG if it overlaps one scripted. */
        public Injected inject(Fault fault) {
            return inject(fault, Duration.ZERO);
        }

        /** Injects {@code fault} {@code after} simulated seconds (readings at 1 Hz) from the next reading. */
        public Injected inject(Fault fault, Duration after) {
            Instant notBefore = machine.timestamp(machine.nextSeq()).plus(after);
            machine.inject(fault, after);
            return new Injected(machine.deviceId(), fault, notBefore);
        }

        /** Readings of this device the broker acknowledged. */
        public long published() {
            return publisher.published(machine.deviceId());
        }
    }

    /** A fault injected on a device: waits for the alarm it should cause. */
    public final class Injected {
        private final String device;
        private final Fault fault;
        private final Instant notBefore;

        private Injected(String device, Fault fault, Instant notBefore) {
            this.device = device;
            this.fault = fault;
            this.notBefore = notBefore;
        }

        public Fault fault() {
            return fault;
        }

        /** The timestamp of the device's first reading that can carry the fault. */
        public Instant from() {
            return notBefore;
        }

        /**
         * The first alarm of the device about a reading at or after the fault's start, waiting at most
         * {@code timeout}; an {@link AssertionError} when none came (earlier alarms do not count).
         */
        public Alarm awaitAlarm(Duration timeout) throws InterruptedException {
            long from = notBefore.toEpochMilli();
            return recorder.await(a -> a.device().equals(device) && a.ts() >= from, timeout)
                    .orElseThrow(() -> new AssertionError("no alarm of " + device + " for its " + fault.kind().wireName()
                            + " within " + timeout.toMillis() + " ms (" + recorder.count() + " alarms recorded in all"
                            + edgeAlarms() + ")"));
        }
    }

    private LocalFleet(LocalFleetOptions options) {
        this.options = options;
        if (options.scenario() != null && options.scenario().isReplay()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "scenario " + options.scenario().name()
                    + " replays recorded files: run it with ./tandem sim scenario or sim run");
        }
        if (options.scenario() != null) {
            ScenarioFleet f = ScenarioFleet.of(options.scenario());
            if (!f.networkEvents().isEmpty()) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "scenario " + options.scenario().name()
                        + " has network events: a local fleet has no fault proxy (run it with ./tandem sim run)");
            }
            this.line = f.line();
        } else {
            this.line = new FactoryLine(SimConfig.builder(options.seed(), options.devices()).healthy()
                    .commissioningSamples(options.commissioning()).build());
        }
    }

    /** Starts the fleet; on any failure what was started is stopped again and the error thrown. */
    public static LocalFleet start(LocalFleetOptions options) {
        LocalFleet f = new LocalFleet(options);
        try {
            f.startAll();
            return f;
        } catch (Exception e) {
            f.close();
            if (e instanceof TandemException t) {
                throw t;
            }
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "the local fleet did not start: " + e, e);
        }
    }

    private void startAll() throws Exception {
        long deadline = System.nanoTime() + options.startupTimeout().toNanos();
        String site = options.site();
        List<String> devices = line.deviceIds();
        if (options.secured()) {
            siteDir = Files.createTempDirectory("tandem-fleet-site");
            access = SiteAccess.provisionFor(new SiteLayout(siteDir), site, devices);
        }
        if (options.broker() == LocalFleetOptions.BrokerKind.EMBEDDED) {
            embedded = new EmbeddedBroker(access == null ? EmbeddedBrokerOptions.anonymous()
                    : EmbeddedBrokerOptions.secured(siteDir)).start();
            broker = embedded.address();
        } else {
            if (access == null) {
                MosquittoBroker m = MosquittoBroker.start();
                mosquitto = m;
                broker = m.address();
            } else {
                SecuredMosquitto m = SecuredMosquitto.start(access.layout());
                mosquitto = m;
                broker = m.broker().address();
            }
        }
        vertx = Vertx.vertx();
        recorder = AlarmRecorder.start(vertx, broker, access == null ? BrokerLogin.none() : access.recorder(), site);
        if (options.hub()) {
            // on the embedded broker plainly (HiveMQ CE's QoS 1 shared subscriptions stall under a backlog), else $share/hub
            HubConfig.Builder b = HubConfig.builder(broker).instanceId("fleet-hub").site(site)
                    .sharedSubscription(embedded == null);
            if (options.largeSteps() > 0) {
                b.large(dev.tandem.hub.large.LargeModelConfig.builder().steps(options.largeSteps()).build());
            }
            if (access != null) {
                b.login(access.hub()).signingKey(access.signingKey()).keyHistory(access.keyHistory());
            }
            if (options.hubKeepsState()) {
                hubDir = Files.createTempDirectory("tandem-fleet-hub");
                b.dataDir(hubDir).sessionExpiry(Duration.ofMinutes(2));
            }
            hubConfig = b.build();
            hub = CloudHub.start(hubConfig);
            if (!hub.isConnected()) {
                throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "the hub did not connect to " + broker.url());
            }
        }
        if (options.edge()) {
            stateDir = Files.createTempDirectory("tandem-fleet-edge");
            for (String device : devices) {
                EdgeAgent agent = new EdgeAgent(EdgeConfig.builder(broker, site, List.of(device))
                        .clientId("edge-" + site + "-" + device)
                        .login(access == null ? BrokerLogin.none() : access.agentFor(device))
                        .hubKey(hub.publicKey())
                        .deviceClass(options.deviceClass())
                        .stateDir(stateDir.resolve(device))
                        .commissioningSamples(options.commissioning())
                        .verdictTimeout(options.verdictTimeout())
                        .delivery(dev.tandem.edge.delivery.DeliverySettings.defaults().withChunkBytes(options.chunkBytes()))
                        .build());
                vertx.deployVerticle(agent).toCompletionStage().toCompletableFuture().get(left(deadline), TimeUnit.MILLISECONDS);
                agent.ready().toCompletionStage().toCompletableFuture().get(left(deadline), TimeUnit.MILLISECONDS);
                agents.add(agent);
            }
        }
        publisher = new SensorPublisher(vertx, line, PublisherConfig.builder(site, broker)
                .login(access == null ? BrokerLogin.none() : access.sensorFor(devices))
                .ratePerDevice(options.rate()).build());
        publisher.start().toCompletionStage().toCompletableFuture().get(left(deadline), TimeUnit.MILLISECONDS);
        for (EdgeAgent a : agents) {
            try {
                a.modelsLoaded().toCompletionStage().toCompletableFuture().get(left(deadline), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "not every device had its model within "
                        + options.startupTimeout().toSeconds() + " s (commissioning " + options.commissioning()
                        + " readings at " + options.rate() + "/s, then the hub's fit)", e);
            }
        }
        LOG.info("local fleet up: {} devices on {} ({}), hub {}, edge agents {}", devices.size(), broker.url(),
                access == null ? "anonymous" : "site " + site, hub != null, agents.size());
    }

    private static long left(long deadline) {
        return Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    }

    public LocalFleetOptions options() {
        return options;
    }

    public BrokerAddress broker() {
        return broker;
    }

    public String brokerUrl() {
        return broker.url();
    }

    public String site() {
        return options.site();
    }

    /** The throwaway site's files (credentials/, hub.pub, site.json); empty when not secured. */
    public Optional<SiteLayout> siteLayout() {
        return access == null ? Optional.empty() : Optional.of(access.layout());
    }

    /**
     * How a component of the user's logs in: {@code identity} is one of the site's names
     * ({@code agent-<device>}, {@code sensors}, {@code hub-1}, {@code alarm-recorder}); anonymous
     * when the fleet is not secured.
     */
    public BrokerLogin login(String identity) {
        if (access == null) {
            return BrokerLogin.none();
        }
        Path file = access.layout().credentials(identity);
        if (!Files.exists(file)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "the fleet's site has no identity " + identity);
        }
        return BrokerLogin.of(dev.tandem.shared.identity.Credentials.load(file), null);
    }

    public List<String> deviceIds() {
        return line.deviceIds();
    }

    public Device device(String id) {
        return new Device(line.machine(id));
    }

    public List<EdgeAgent> agents() {
        return List.copyOf(agents);
    }

    /** The hub, if started. */
    public Optional<CloudHub> hub() {
        return Optional.ofNullable(hub);
    }

    /** Readings acknowledged by the broker, all devices. */
    public long published() {
        return publishedBefore + publisher.published();
    }

    /** The first alarm of {@code device} (any device when null) recorded on the broker, waiting at most {@code timeout}. */
    public Optional<Alarm> findAlarm(String device, Duration timeout) throws InterruptedException {
        return recorder.await(device, timeout);
    }

    /** Like {@link #findAlarm}, failing with an {@link AssertionError} when none came within {@code timeout}. */
    public Alarm awaitAlarm(String device, Duration timeout) throws InterruptedException {
        return recorder.await(device, timeout).orElseThrow(() -> new AssertionError("no alarm of "
                + (device == null ? "any device" : device) + " within " + timeout.toMillis() + " ms ("
                + recorder.count() + " alarms recorded in all" + edgeAlarms() + ")"));
    }

    private String edgeAlarms() {
        if (agents.isEmpty()) {
            return "";
        }
        long raised = 0, windows = 0;
        for (EdgeAgent a : agents) {
            var s = a.metrics().snapshot();
            raised += s.onsets();
            windows += s.windows();
        }
        return "; the edge agents scored " + windows + " windows and raised " + raised + " alarm episodes";
    }

    /** The alarms recorded so far (every device of the site). */
    public List<Alarm> alarms() {
        if (alarmsBefore.isEmpty()) {
            return recorder.alarms();
        }
        List<Alarm> all = new ArrayList<>(alarmsBefore);
        all.addAll(recorder.alarms());
        return all;
    }

    /** Writes the alarms recorded so far as JSON lines (what {@code ./tandem score --alarms} reads). */
    public void writeAlarms(Path file) {
        recorder.writeTo(file);
    }

    /** Forgets the alarms recorded so far (e.g. those of commissioning). */
    public void clearAlarms() {
        alarmsBefore.clear();
        recorder.clear();
    }

    /**
     * The ground truth so far, in the format runs write ({@code sim run}, {@code ./tandem score}):
     * per device the span observed (its readings so far) and every fault or event scripted that has begun.
     */
    public List<TruthEvent> groundTruth() {
        List<TruthEvent> out = new ArrayList<>();
        for (MachineSimulator m : line.machines()) {
            long next = m.nextSeq();
            if (next == 0) {
                continue;
            }
            Instant first = m.timestamp(0);
            Instant last = m.timestamp(next - 1);
            out.add(TruthEvent.observed(m.deviceId(), first.isBefore(last) ? first : last, first.isBefore(last) ? last : first));
            for (TruthEvent t : m.scriptedTruth()) {
                if (!t.start().isAfter(last)) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** The alarms recorded so far scored against {@link #groundTruth()} ({@link AlarmScorer}, default tolerance). */
    public AlarmScorer.Report score() {
        List<AlarmLine> lines = recorder.alarms().stream()
                .map(a -> new AlarmLine(a.device(), Instant.ofEpochMilli(a.ts()))).toList();
        return AlarmScorer.score(groundTruth(), lines, AlarmScorer.DEFAULT_TOLERANCE, dev.tandem.sim.score.NabTruthScore.SCORER);
    }

    /**
     * Kills the hub (as a process that dies: {@link CloudHub#halt}) and starts it again with the same
     * configuration; returns once it is connected. With {@link LocalFleetOptions#hubKeepsState} it loads
     * its models from its store and gets what the broker queued for its session meanwhile; without, it
     * comes back knowing no device.
     */
    public synchronized CloudHub restartHub() {
        CloudHub was = hub;
        if (was == null) {
            throw new IllegalStateException("this fleet has no hub");
        }
        was.halt();
        hub = CloudHub.start(hubConfig);
        if (!hub.awaitConnected(options.startupTimeout())) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "the restarted hub did not connect to " + broker.url());
        }
        return hub;
    }

    /**
     * Stops the broker (a mosquitto of the fleet's) and starts it again on the same port, as a broker
     * that restarts: what it held in memory (sessions, retained messages) is gone. The sensor publisher
     * and the alarm recorder, which do not reconnect by design, are started again on it; the hub and
     * the agents reconnect by themselves. Clients behind a fault proxy should be held off (a partition)
     * until this returns, so that the new recorder is subscribed before their alarms come.
     */
    public synchronized void restartBroker() throws Exception {
        if (embedded != null || mosquitto == null) {
            throw new IllegalStateException("only a mosquitto fleet's broker restarts");
        }
        publisher.stop().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        publishedBefore += publisher.published();
        alarmsBefore.addAll(recorder.alarms());
        recorder.close();
        if (mosquitto instanceof SecuredMosquitto m) {
            mosquitto = m.restart();
        } else {
            ((MosquittoBroker) mosquitto).close();
            mosquitto = MosquittoBroker.start(broker.port());
        }
        recorder = AlarmRecorder.start(vertx, broker, access == null ? BrokerLogin.none() : access.recorder(),
                options.site());
        publisher = new SensorPublisher(vertx, line, publisher.config());
        publisher.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Stops the simulator, the agents, the hub, the recorder and the broker, each wait bounded; removes the throwaway site. */
    @Override
    public void close() {
        if (publisher != null) {
            quietly("publisher", () -> publisher.stop().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS));
        }
        if (recorder != null) {
            quietly("alarm recorder", recorder::close);
        }
        if (vertx != null) {
            quietly("edge agents", () -> vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS));
        }
        if (hub != null) {
            quietly("hub", hub::close);
        }
        if (embedded != null) {
            quietly("embedded broker", embedded::close);
        }
        if (mosquitto != null) {
            quietly("mosquitto", mosquitto::close);
        }
        if (siteDir != null) {
            LocalResources.deleteQuietly(siteDir);
        }
        if (stateDir != null) {
            LocalResources.deleteQuietly(stateDir);
        }
        if (hubDir != null) {
            LocalResources.deleteQuietly(hubDir);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.warn("local fleet: stopping the {} failed: {}", what, e.toString());
        }
    }
}
