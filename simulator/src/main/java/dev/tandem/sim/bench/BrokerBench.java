package dev.tandem.sim.bench;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.edge.EdgeConfig;
import dev.tandem.shared.signing.HubKey;
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
    record Result(String broker, String hubSubscription, long readings, double rawReadingsPerSecond, double agentReadingsPerSecond,
                  double agentToRaw, long escalations, int samplesPerEscalation, double rawEscalationsPerSecond,
                  double hubVerdictsPerSecond, double hubToRaw, double hubMeanBatchSize, double hubVerdictP50Ms) {
    }

    private final Vertx vertx;
    private final BrokerAddress broker;
    private final String label;
    private final long seed;
    private final PrintStream progress;
    private final boolean shared;
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    BrokerBench(Vertx vertx, BrokerAddress broker, String label, boolean shared, long seed, PrintStream progress) {
        this.shared = shared;
        this.vertx = vertx;
        this.broker = broker;
        this.label = label;
        this.seed = seed;
        this.progress = progress;
    }

    Result run(int readings, int escalations) throws Exception {
        progress.printf("[%s] starting the hub (%s subscription to escalations)%n", label, shared ? "shared" : "plain");
        try (CloudHub hub = CloudHub.start(HubConfig.builder(broker).instanceId("bench-hub-" + run)
                .sharedSubscription(shared).build())) {
            if (!hub.isConnected()) {
                throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "no MQTT broker answers at " + broker);
            }
            // warm-up: the first flow of a JVM (or of a fresh broker) runs cold; measure the second
            rawReadings(Math.max(1000, readings / 4));
            double raw = rawReadings(readings);
            progress.printf("[%s] readings -> plain subscriber: %.0f/s%n", label, raw);
            double agent = agentReadings(readings);
            progress.printf("[%s] readings -> edge agent: %.0f/s (%.2f of raw)%n", label, agent, agent / raw);
            EscalationFlow esc = escalations(hub, escalations);
            progress.printf("[%s] escalations -> plain shared subscriber: %.0f/s; -> hub verdicts: %.0f/s (%.2f of raw)%n",
                    label, esc.raw, esc.hub, esc.hub / esc.raw);
            HubMetrics.Snapshot s = hub.metrics().snapshot();
            return new Result(label, shared ? "$share/hub" : "plain", readings, raw, agent, agent / raw, escalations, 1, esc.raw, esc.hub,
                    esc.hub / esc.raw, s.meanBatchSize(), s.verdictLatencyP50Ms());
        }
    }

    private int flows;

    private double rawReadings(int readings) throws Exception {
        String site = "bench-raw-" + run + "-" + (++flows);
        FactoryLine line = new FactoryLine(SimConfig.defaults(seed, 1));
        String device = line.deviceIds().get(0);
        MqttCounter counter = await(MqttCounter.subscribe(vertx, broker, "bench-sub-" + run + "-" + flows,
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
        String site = "bench-edge-" + run;
        FactoryLine line = new FactoryLine(SimConfig.defaults(seed, 1));
        String device = line.deviceIds().get(0);
        int commissioning = line.config().commissioningSamples();
        EdgeAgent agent = new EdgeAgent(EdgeConfig.builder(broker, site, List.of(device))
                .clientId("bench-edge-" + run).commissioningSamples(commissioning)
                .hubKey(HubKey.generate().publicKey()) // no hub in this phase: the agent only reads
                .build());
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

    private record EscalationFlow(double raw, double hub) {
    }

    private EscalationFlow escalations(CloudHub hub, int count) throws Exception {
        String site = "bench-esc-" + run;
        FactoryLine line = new FactoryLine(SimConfig.defaults(seed + 1, 1));
        String device = line.deviceIds().get(0);
        MachineSimulator machine = line.machine(device);
        List<Sample> commissioning = new ArrayList<>();
        for (int i = 0; i < line.config().commissioningSamples(); i++) {
            commissioning.add(machine.next().sample());
        }
        AtomicReference<ModelAssignment> assignment = new AtomicReference<>();
        MqttCounter models = await(MqttCounter.subscribe(vertx, broker, "bench-model-" + run,
                Topics.of(site, device, Topics.Kind.MODEL)), 10);
        models.inspect(m -> assignment.set(Wire.decode(m.payload().getBytes(), ModelAssignment.class)));
        byte[] set = Wire.encode(Commissioning.of(site, device, commissioning));
        await(new MqttFlood(vertx, broker, "bench-comm-" + run, 16)
                .send(1, i -> new MqttFlood.Message(Topics.of(site, device, Topics.Kind.COMMISSIONING), set)), 10);
        await(models.await(1), 180);
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

        String rawTopic = "bench/" + site + "/escalations";
        MqttCounter rawCounter = await(MqttCounter.subscribe(vertx, broker, "bench-rawesc-" + run,
                shared ? "$share/raw/" + rawTopic : rawTopic), 10);
        long t0 = System.nanoTime();
        await(new MqttFlood(vertx, broker, "bench-floodraw-" + run, 1000)
                .send(count, i -> new MqttFlood.Message(rawTopic, payloads[i])), 300);
        await(rawCounter.await(count), 300);
        double raw = count / ((rawCounter.lastNanos() - t0) / 1e9);
        await(rawCounter.close(), 10);

        MqttCounter verdicts = await(MqttCounter.subscribe(vertx, broker, "bench-verdicts-" + run,
                Topics.of(site, device, Topics.Kind.VERDICTS)), 10);
        String escTopic = Topics.of(site, device, Topics.Kind.ESCALATIONS);
        t0 = System.nanoTime();
        await(new MqttFlood(vertx, broker, "bench-floodesc-" + run, 1000)
                .send(count, i -> new MqttFlood.Message(escTopic, payloads[i])), 300);
        await(verdicts.await(count), 300);
        double viaHub = count / ((verdicts.lastNanos() - t0) / 1e9);
        await(verdicts.close(), 10);
        return new EscalationFlow(raw, viaHub);
    }

    private SensorPublisher fastPublisher(FactoryLine line, String site, long samples) {
        return new SensorPublisher(vertx, line, PublisherConfig.builder(site, broker)
                .asFastAsPossible().samplesPerDevice(samples).build());
    }

    static <T> T await(Future<T> f, long seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }
}
