package dev.tandem.sim.bench;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.edge.EdgeConfig;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.HubMetrics;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.publish.PublisherConfig;
import dev.tandem.sim.publish.SensorPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The flows of one broker, each measured beside its raw baseline on the same broker in the same run:
 * readings to one edge agent vs to a plain subscriber; escalations answered by the hub through its
 * subscription vs the same payloads to a plain subscriber of the same kind (shared or not).
 */
final class BrokerBench {
    /** Figures of one broker. */
    record Result(String broker, String security, String hubSubscription, long readings, double rawReadingsPerSecond, double agentReadingsPerSecond,
                  double agentToRaw, long escalations, int samplesPerEscalation, double rawEscalationsPerSecond,
                  double hubVerdictsPerSecond, double hubToRaw, double hubMeanBatchSize, double hubVerdictP50Ms) {
    }

    private final Vertx vertx;
    private final BrokerAddress broker;
    private final String label;
    private final long seed;
    private final PrintStream progress;
    private final boolean shared;
    private final BenchFleet fleet;

    BrokerBench(Vertx vertx, BrokerAddress broker, String label, boolean shared, long seed, PrintStream progress) {
        this(vertx, broker, label, shared, seed, progress,
                BenchFleet.plain(Long.toString(System.currentTimeMillis() % 1_000_000, 36)));
    }

    /** @param fleet who the clients are: anonymous, or a provisioned site's identities (a secured run) */
    BrokerBench(Vertx vertx, BrokerAddress broker, String label, boolean shared, long seed, PrintStream progress,
                BenchFleet fleet) {
        this.fleet = fleet;
        this.shared = shared;
        this.vertx = vertx;
        this.broker = broker;
        this.label = label;
        this.seed = seed;
        this.progress = progress;
    }

    Result run(int readings, int escalations) throws Exception {
        progress.printf("[%s] starting the hub (%s subscription to escalations)%n", label, shared ? "shared" : "plain");
        double raw;
        double agent;
        EscalationFlow esc;
        HubMetrics.Snapshot s;
        try (CloudHub hub = CloudHub.start(fleet.hub(HubConfig.builder(broker)).sharedSubscription(shared).build())) {
            if (!hub.isConnected()) {
                throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "no MQTT broker answers at " + broker);
            }
            // warm-up: the first flow of a JVM (or of a fresh broker) runs cold; measure the second
            rawReadings(Math.max(1000, readings / 4));
            raw = rawReadings(readings);
            progress.printf("[%s] readings -> plain subscriber: %.0f/s%n", label, raw);
            agent = agentReadings(readings);
            progress.printf("[%s] readings -> edge agent: %.0f/s (%.2f of raw)%n", label, agent, agent / raw);
            esc = escalations(hub, escalations);
            s = hub.metrics().snapshot();
        }
        // the baseline after the hub has gone: a subscriber of the same kind alone on the escalation topics
        double rawEsc = rawEscalations(esc.payloads(), esc.topic());
        progress.printf("[%s] escalations -> a %s subscriber alone: %.0f/s; -> hub verdicts: %.0f/s (%.2f of raw)%n",
                label, shared ? "shared" : "plain", rawEsc, esc.hub(), esc.hub() / rawEsc);
        return new Result(label, fleet.mode(), shared ? "$share/hub" : "plain", readings, raw, agent, agent / raw, escalations,
                1, rawEsc, esc.hub(), esc.hub() / rawEsc, s.meanBatchSize(), s.verdictLatencyP50Ms());
    }

    private int flows;

    private double rawReadings(int readings) throws Exception {
        String site = fleet.site("raw" + (++flows));
        FactoryLine line = new FactoryLine(SimConfig.defaults(seed, 1));
        String device = line.deviceIds().get(0);
        MqttCounter counter = await(MqttCounter.subscribe(vertx, broker, fleet.client("agent"),
                Topics.of(site, device, Topics.Kind.READINGS)), 10);
        SensorPublisher publisher = fastPublisher(line, site, readings);
        long t0 = System.nanoTime();
        await(publisher.start(), 10);
        await(counter.await(readings), 300);
        double rate = readings / ((counter.lastNanos() - t0) / 1e9);
        await(publisher.stop(), 10);
        await(counter.close(), 10);
        return rate;
    }

    private double agentReadings(int readings) throws Exception {
        String site = fleet.site("edge");
        FactoryLine line = new FactoryLine(SimConfig.defaults(seed, 1));
        String device = line.deviceIds().get(0);
        int commissioning = line.config().commissioningSamples();
        EdgeAgent agent = new EdgeAgent(fleet.agent(EdgeConfig.builder(broker, site, List.of(device)))
                .commissioningSamples(commissioning).build());
        String deployment = await(vertx.deployVerticle(agent), 30);
        try {
            await(agent.ready(), 30);
            SensorPublisher first = fastPublisher(line, site, commissioning);
            await(first.start(), 10);
            await(first.completion(), 60);
            await(first.stop(), 10);
            progress.printf("[%s] edge agent commissioned on %d readings; waiting for its model%n", label, commissioning);
            await(agent.modelsLoaded(), 180);
            long before = agent.metrics().snapshot().readings();
            SensorPublisher flood = fastPublisher(line, site, readings);
            long t0 = System.nanoTime();
            await(flood.start(), 10);
            long deadline = t0 + TimeUnit.SECONDS.toNanos(300);
            while (agent.metrics().snapshot().readings() - before < readings) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the agent processed only "
                            + (agent.metrics().snapshot().readings() - before) + " of " + readings + " readings in 300 s");
                }
                Thread.sleep(2);
            }
            double rate = readings / ((System.nanoTime() - t0) / 1e9);
            await(flood.stop(), 10);
            return rate;
        } finally {
            await(vertx.undeploy(deployment), 15);
        }
    }

    private record EscalationFlow(double hub, byte[][] payloads, String topic) {
    }

    private EscalationFlow escalations(CloudHub hub, int count) throws Exception {
        String site = fleet.site("esc");
        FactoryLine line = new FactoryLine(SimConfig.defaults(seed + 1, 1));
        MachineSimulator machine = line.machine(line.deviceIds().get(0));
        String device = fleet.escalationsDevice(machine.deviceId());
        List<Sample> commissioning = new ArrayList<>();
        for (int i = 0; i < line.config().commissioningSamples(); i++) {
            commissioning.add(machine.next().sample());
        }
        AtomicReference<ModelAssignment> assignment = new AtomicReference<>();
        byte[] set = Wire.encode(Commissioning.of(site, device, commissioning));
        // the device's agent commissions it and reads its model (retained) on one session
        MqttCounter models = await(new MqttFlood(vertx, broker, fleet.client("esc-agent"), 16).sendAndListen(1,
                i -> new MqttFlood.Message(Topics.of(site, device, Topics.Kind.COMMISSIONING), set),
                Topics.of(site, device, Topics.Kind.MODEL)), 10);
        models.inspect(m -> assignment.set(Wire.decode(m.payload().getBytes(), ModelAssignment.class)));
        await(models.await(1), 180);
        if (assignment.get() == null) { // arrived before the inspector was set: wait for the retained copy again
            throw new IllegalStateException("the model arrived before it could be read; rerun");
        }
        await(models.close(), 10);
        int context = assignment.get().contextSize();
        progress.printf("[%s] hub fitted the escalation device's models (context %d samples)%n", label, context);

        // The edge's steady state: the first escalation carries the whole context, the next ones
        // only the new sample (the hub holds the rest). Encoded up front: the flow measures MQTT + hub.
        List<Sample> stream = new ArrayList<>();
        for (int i = 0; i < context + count; i++) {
            stream.add(machine.next().sample());
        }
        byte[][] payloads = new byte[count][];
        for (int i = 0; i < count; i++) {
            int end = context - 1 + i;
            List<Sample> carried = i == 0 ? stream.subList(0, context) : stream.subList(end, end + 1);
            payloads[i] = Wire.encode(new Escalation(Escalation.VERSION, device + "-" + i, site, device,
                    stream.get(end).seq(), 10, context, "bench", 1.0, carried, System.currentTimeMillis()));
        }

        // the device's agent sends the escalations and reads the verdicts on one session, as an edge agent does
        String escTopic = Topics.of(site, device, Topics.Kind.ESCALATIONS);
        long t0 = System.nanoTime();
        MqttCounter verdicts = await(new MqttFlood(vertx, broker, fleet.client("esc-agent"), 1000).sendAndListen(count,
                i -> new MqttFlood.Message(escTopic, payloads[i]), Topics.of(site, device, Topics.Kind.VERDICTS)), 300);
        await(verdicts.await(count), 300);
        double viaHub = count / ((verdicts.lastNanos() - t0) / 1e9);
        await(verdicts.close(), 10);
        return new EscalationFlow(viaHub, payloads, escTopic);
    }

    /** The same escalations to a plain subscriber of the hub's kind (its shared group, or plain), no hub running. */
    private double rawEscalations(byte[][] payloads, String topic) throws Exception {
        int count = payloads.length;
        String site = Topics.parse(topic).site();
        String filter = Topics.allDevices(site, Topics.Kind.ESCALATIONS);
        MqttCounter rawCounter = await(MqttCounter.subscribe(vertx, broker, fleet.client("hub-raw"),
                shared ? "$share/hub/" + filter : filter), 10);
        long t0 = System.nanoTime();
        await(new MqttFlood(vertx, broker, fleet.client("esc-agent"), 1000)
                .send(count, i -> new MqttFlood.Message(topic, payloads[i])), 300);
        await(rawCounter.await(count), 300);
        double raw = count / ((rawCounter.lastNanos() - t0) / 1e9);
        await(rawCounter.close(), 10);
        return raw;
    }

    private SensorPublisher fastPublisher(FactoryLine line, String site, long samples) {
        return new SensorPublisher(vertx, line, PublisherConfig.builder(site, broker).login(fleet.login("sensors"))
                .clientId(fleet.client("sensors").clientId()).asFastAsPossible().samplesPerDevice(samples).build());
    }

    static <T> T await(Future<T> f, long seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }
}
