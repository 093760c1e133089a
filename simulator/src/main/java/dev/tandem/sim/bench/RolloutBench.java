package dev.tandem.sim.bench;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.large.LargeModelConfig;
import dev.tandem.hub.rollout.Rollout;
import dev.tandem.hub.rollout.RolloutChange;
import dev.tandem.hub.rollout.RolloutEngine;
import dev.tandem.hub.rollout.RolloutSettings;
import dev.tandem.hub.rollout.RolloutState;
import dev.tandem.hub.rollout.RolloutTarget;
import dev.tandem.hub.rollout.WaveGate;
import dev.tandem.hub.rollout.WavePlan;
import dev.tandem.hub.rollout.WaveSize;
import dev.tandem.hub.store.RolloutStore;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.signing.RolloutRules;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.ShadowReport;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.broker.EmbeddedBroker;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./tandem bench rollout} (a skeleton): a hub on the embedded broker, N devices played by one
 * MQTT session that answers each rollout manifest as a healthy device would (VERIFYING, SHADOW, ACTIVE;
 * with {@code bad}, the first wave's devices report ROLLED_BACK WATCHDOG_TRIPPED), one rollout through
 * its waves (a device counts once ACTIVE; with {@code bad}, once ACTIVE for 1 s, the watch time); the figures
 * are the waves' durations (from the transitions the hub kept) and, for a bad rollout, how long the fleet's
 * rollback took. Not yet: real edge agents, mosquitto, the heap per device.
 */
public final class RolloutBench {
    public static final int DEFAULT_DEVICES = 100;
    public static final int DEFAULT_LARGE_STEPS = 50;
    private static final String SITE = "bench";
    private static final int CHANNELS = 5;

    /** The bench's waves: 1 device, 5 %, 25 %, 100 %. */
    static final WaveSize[] WAVES = {WaveSize.devices(1), WaveSize.share(0.05), WaveSize.share(0.25), WaveSize.share(1.0)};

    /** What one run measured. */
    public record Result(String broker, int devices, boolean bad, String finalState, long commissionMs, long totalMs,
                         List<Long> waveMs, Long rollbackMs, Map<String, Integer> actions, long heapPerDeviceBytes) {
    }

    private RolloutBench() {
    }

    /** {@link #run(String, int, boolean, Duration, int, java.io.PrintStream)} on the embedded broker, the large model trained with 50 steps. */
    public static Result run(int devices, boolean bad, Duration shadow) throws Exception {
        return run("embedded", devices, bad, shadow, DEFAULT_LARGE_STEPS,
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    }

    /**
     * Runs the bench; where it is (phase by phase) goes to {@code progress}.
     *
     * @param brokerKind {@code embedded} (HiveMQ CE in this JVM) or {@code mosquitto} (a process for the run,
     *                   started as {@code bench pipeline --broker mosquitto} starts it)
     * @param largeSteps training steps of each device's large model at commissioning (its cost only)
     */
    public static Result run(String brokerKind, int devices, boolean bad, Duration shadow, int largeSteps,
                             java.io.PrintStream progress) throws Exception {
        return run(brokerKind, devices, bad ? 1 : 0, shadow, largeSteps, progress);
    }

    /**
     * As above, the model going bad in wave {@code badWave} (1-4; 0: a good model): every device answers
     * as with a good model but the last one that wave reaches, which trips its watchdog while the others
     * are ACTIVE, so that the fleet rollback sends back every device the rollout reached (with
     * {@code badWave} 4, the whole fleet).
     */
    public static Result run(String brokerKind, int devices, int badWave, Duration shadow, int largeSteps,
                             java.io.PrintStream progress) throws Exception {
        if (badWave < 0 || badWave > WAVES.length) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--bad-wave must be 1.." + WAVES.length + ", got " + badWave);
        }
        boolean bad = badWave > 0;
        if (devices < 1 || devices > 10_000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--devices must be 1..10000, got " + devices);
        }
        if (largeSteps < 1 || largeSteps > 10_000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--large-steps must be 1..10000, got " + largeSteps);
        }
        AutoCloseable broker;
        dev.tandem.shared.config.BrokerAddress address;
        switch (brokerKind) {
            case "embedded" -> {
                EmbeddedBroker b = EmbeddedBroker.anonymousOnPort(0).start();
                broker = b;
                address = b.address();
            }
            case "mosquitto" -> {
                dev.tandem.shared.testing.MosquittoBroker b = dev.tandem.shared.testing.MosquittoBroker.start();
                broker = b;
                address = b.address();
            }
            default -> throw new TandemException(ErrorCode.INVALID_CONFIG, "--broker takes embedded or mosquitto, got '"
                    + brokerKind + "'");
        }
        // on the embedded broker plainly (HiveMQ CE's QoS 1 shared subscriptions stall under a backlog), else $share/hub
        HubConfig config = HubConfig.builder(address).sharedSubscription(!brokerKind.equals("embedded"))
                .large(LargeModelConfig.builder().steps(largeSteps).build()).build();
        WaveGate gate = new WaveGate(1.0, 0.0, shadow, Duration.ofMinutes(10));
        WavePlan plan = WavePlan.uniform(gate, WAVES);
        List<Integer> reach = plan.counts(devices);
        // the last device of the bad wave trips, once the others it reaches are ACTIVE: the fleet rollback then
        // sends back every device the rollout reached (with --bad-wave 4, all of them)
        int badAnswer = bad ? reach.get(Math.min(badWave, reach.size()) - 1) - 1 : -1;
        try (CloudHub hub = CloudHub.start(config); Devices fleet = new Devices(address.url(), badAnswer)) {
            long t0 = System.nanoTime();
            progress.printf("bench rollout phase 1/2: commissioning %d scripted devices%n", devices);
            for (int i = 1; i <= devices; i++) {
                fleet.commission(String.format("d%05d", i));
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (hub.fleet().devicesWithModel() < devices && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long commissionMs = (System.nanoTime() - t0) / 1_000_000;
            progress.printf("bench rollout phase 2/2: a %s model through four waves (commissioning took %d ms)%n",
                    bad ? "bad" : "good", commissionMs);
            // a bad model's first wave must not be promoted before its watchdog's report: watch 1 s then
            RolloutSettings watch = new RolloutSettings(5, 0.9, bad ? Duration.ofSeconds(1) : Duration.ZERO, 20,
                    RolloutRules.Band.upTo(0.2),
                    RolloutRules.Band.upTo(0.3));
            Rollout r = hub.rollouts().create(new RolloutEngine.Request("bench", RolloutChange.recipe(
                            "default:threshold-scale=" + (badWave == 1 ? "0.02" : "0.9")), RolloutTarget.site(SITE),
                    plan, watch, true), "bench")
                    .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            dev.tandem.sim.rollout.RolloutOutcome o = dev.tandem.sim.rollout.RolloutOutcome.await(hub, r.id(),
                    Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            List<Long> waves = o.waves().stream().map(dev.tandem.sim.rollout.RolloutOutcome.WaveOutcome::durationMs)
                    .filter(java.util.Objects::nonNull).toList();
            Map<String, Integer> actions = o.actions();
            long perDevice = heapPerDevice(hub, devices);
            return new Result(brokerKind, devices, bad, o.state(), commissionMs, o.totalMs(), waves, o.rollbackMs(), actions,
                    perDevice);
        } finally {
            broker.close();
        }
    }

    /**
     * The heap a planned rollout retains per device: used heap after GC with a READY rollout over every
     * device, less before it, over the devices (then it is aborted). A rough figure: GC is a request.
     */
    private static long heapPerDevice(CloudHub hub, int devices) throws Exception {
        long before = usedAfterGc();
        Rollout held = hub.rollouts().create(new RolloutEngine.Request("heap", RolloutChange.recipe("default"),
                RolloutTarget.site(SITE), null, null, false), "bench").toCompletionStage().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        long after = usedAfterGc();
        hub.rollouts().abort(held.id()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return Math.max(0, (after - before) / devices);
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The devices: one MQTT session commissioning each and answering its rollout manifests. */
    private static final class Devices implements AutoCloseable {
        private final MqttAsyncClient client;
        /** The candidate manifest (in arrival order, from 0) answered as a bad model's; -1: none. */
        private final int badAnswer;
        private int answered;
        private final ExecutorService out = Executors.newSingleThreadExecutor();
        private final SplittableRandom random = new SplittableRandom(42);

        Devices(String url, int badAnswer) throws MqttException {
            this.badAnswer = badAnswer;
            client = new MqttAsyncClient(url, "bench-devices", new MemoryPersistence());
            client.setCallback(new MqttCallback() {
                @Override
                public void disconnected(MqttDisconnectResponse r) {
                }

                @Override
                public void mqttErrorOccurred(MqttException e) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage m) {
                    if (m.getPayload().length > 0) {
                        ModelAssignment a = Wire.decode(m.getPayload(), ModelAssignment.class);
                        ModelManifest manifest = Wire.decode(Base64.getDecoder().decode(a.manifest().payload()),
                                ModelManifest.class);
                        if (manifest.rules() != null) {
                            out.execute(() -> answer(a.device(), manifest));
                        }
                    }
                }

                @Override
                public void deliveryComplete(IMqttToken t) {
                }

                @Override
                public void connectComplete(boolean reconnect, String uri) {
                }

                @Override
                public void authPacketArrived(int code, MqttProperties p) {
                }
            });
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            o.setReceiveMaximum(1000);
            client.connect(o).waitForCompletion(10_000);
            client.subscribe(Topics.allDevices(SITE, Topics.Kind.MODEL), 1).waitForCompletion(10_000);
        }

        void commission(String device) throws MqttException {
            List<Sample> samples = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (int i = 0; i < 400; i++) {
                double[] v = new double[CHANNELS];
                for (int c = 0; c < CHANNELS; c++) {
                    v[c] = 10 * (c + 1) + Math.sin(i / 20.0 + c) + random.nextDouble() * 0.3;
                }
                samples.add(new Sample(i, now - (400 - i) * 100L, v));
            }
            client.publish(Topics.of(SITE, device, Topics.Kind.COMMISSIONING),
                    Wire.encode(Commissioning.of(SITE, device, samples)), 1, false).waitForCompletion(10_000);
        }

        private void answer(String device, ModelManifest m) {
            String version = m.version();
            boolean badNow = answered++ == badAnswer; // on the one thread that answers, in arrival order
            List<ModelState> reports = badNow
                    ? List.of(ModelState.verifying(SITE, device, version), ModelState.active(SITE, device, version),
                    ModelState.rolledBack(SITE, device, version, ErrorCode.WATCHDOG_TRIPPED, "alarm rate above the band"))
                    : List.of(ModelState.verifying(SITE, device, version),
                    ModelState.shadow(SITE, device, version, ShadowReport.EMPTY), ModelState.active(SITE, device, version));
            for (ModelState s : reports) {
                try {
                    client.publish(Topics.of(SITE, device, Topics.Kind.MODEL_STATE),
                            Wire.encode(s.about(m.generation(), m.rules().rollout())), 1, false);
                } catch (MqttException e) {
                    // counted by the hub as a missing report: the wave times out
                }
            }
        }

        @Override
        public void close() {
            out.shutdownNow();
            try {
                client.disconnect().waitForCompletion(2000);
                client.close(true);
            } catch (MqttException e) {
                // best effort
            }
        }
    }
}
