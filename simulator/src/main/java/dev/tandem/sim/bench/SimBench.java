package dev.tandem.sim.bench;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.publish.PublisherConfig;
import dev.tandem.sim.publish.SensorPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench sim}: the publish rate the simulator sustains for a fleet (devices x readings/s per
 * device, the factory line's pumps, QoS 1, the production {@link SensorPublisher}) on each broker,
 * side by side in one run: the target rate, the rate the broker acknowledged over the measured span
 * (after a warm-up), how far the fleet fell behind its clock at the end (lag), and what a plain QoS 1
 * subscriber did not receive (loss). Brokers are anonymous here: the figure is the simulator's.
 */
public final class SimBench {
    /** One fleet to measure. */
    public record Fleet(int devices, double rate) {
    }

    public record Options(List<Fleet> fleets, List<String> brokers, int seconds, int warmupSeconds, int connections,
                          Path report) {
    }

    /** One row of the table. */
    public record Result(String broker, int devices, double ratePerDevice, int connections, double targetPerSecond,
                         double achievedPerSecond, double lagSeconds, long published, long received, long lost,
                         long failed) {
    }

    private SimBench() {
    }

    public static List<Result> run(Options o, PrintStream out) throws Exception {
        return run(o, out, out);
    }

    /** Prints the table and the JSON on {@code out}, and where it is (fleet by fleet) on {@code progress}. */
    public static List<Result> run(Options o, PrintStream out, PrintStream progress) throws Exception {
        List<Result> results = new ArrayList<>();
        for (String broker : o.brokers()) {
            for (Fleet f : o.fleets()) {
                progress.printf("bench sim: %d devices x %.0f Hz on %s (%d s after %d s warm-up, %d connection%s)...%n",
                        f.devices(), f.rate(), broker, o.seconds(), o.warmupSeconds(), o.connections(),
                        o.connections() == 1 ? "" : "s");
                results.add(measure(broker, f, o));
            }
        }
        out.println();
        out.printf("%-9s %8s %6s %6s %12s %12s %8s %7s %10s %7s%n", "broker", "devices", "Hz", "conns", "target msg/s",
                "achieved", "achieved", "lag s", "received", "lost");
        for (Result r : results) {
            out.printf("%-9s %8d %6.0f %6d %12.0f %12.0f %7.1f%% %7.2f %10d %7d%n", r.broker(), r.devices(),
                    r.ratePerDevice(), r.connections(), r.targetPerSecond(), r.achievedPerSecond(),
                    100 * r.achievedPerSecond() / r.targetPerSecond(), r.lagSeconds(), r.received(), r.lost());
        }
        byte[] json = Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(results);
        if (o.report() != null) {
            try {
                Files.write(o.report(), json);
            } catch (IOException e) {
                progress.println("bench sim: cannot write " + o.report() + ": " + e.getMessage());
            }
        }
        out.println(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        return results;
    }

    private static Result measure(String brokerKind, Fleet f, Options o) throws Exception {
        EmbeddedBroker embedded = null;
        MosquittoBroker mosquitto = null;
        Vertx vertx = Vertx.vertx();
        List<SensorPublisher> publishers = new ArrayList<>();
        try {
            BrokerAddress broker;
            if (brokerKind.equals("embedded")) {
                embedded = new EmbeddedBroker(EmbeddedBrokerOptions.anonymous()).start();
                broker = embedded.address();
            } else {
                mosquitto = MosquittoBroker.start();
                broker = mosquitto.address();
            }
            String site = "bench";
            MqttCounter counter = MqttCounter.subscribe(vertx, broker, "bench-sim-counter",
                    Topics.allDevices(site, Topics.Kind.READINGS)).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            long baseline = awaitSubscription(vertx, broker, counter, site);
            SimConfig config = SimConfig.builder(42, 1).healthy().build();
            List<dev.tandem.sim.factory.MachineSimulator> machines = new ArrayList<>(f.devices());
            for (int i = 0; i < f.devices(); i++) { // ids of their own: the factory line names at most 9,999 machines
                machines.add(new dev.tandem.sim.factory.MachineSimulator(config, i, String.format("pump-%05d", i + 1),
                        dev.tandem.sim.factory.DeviceProfile.pump(1)));
            }
            FactoryLine line = new FactoryLine(config, machines);
            List<String> ids = line.deviceIds();
            int k = Math.max(1, Math.min(o.connections(), ids.size()));
            for (int c = 0; c < k; c++) {
                List<String> part = ids.subList(c * ids.size() / k, (c + 1) * ids.size() / k);
                publishers.add(new SensorPublisher(vertx, line.subset(part), PublisherConfig.builder(site, broker)
                        .clientId("bench-sim-" + c).ratePerDevice(f.rate()).qos(1).build()));
            }
            for (SensorPublisher p : publishers) {
                p.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            long start = System.nanoTime();
            Thread.sleep(o.warmupSeconds() * 1000L);
            long fromCount = published(publishers);
            long from = System.nanoTime();
            Thread.sleep(o.seconds() * 1000L);
            long to = System.nanoTime();
            long toCount = published(publishers);
            double target = f.devices() * f.rate();
            double due = (to - start) / 1e9 * target;
            double lag = Math.max(0, due - toCount) / target;
            Future.join(publishers.stream().map(SensorPublisher::stop).toList()).toCompletionStage().toCompletableFuture()
                    .orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
            long published = published(publishers);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (counter.count() < published && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long received = counter.count() - baseline;
            counter.close();
            return new Result(brokerKind, f.devices(), f.rate(), k, target, (toCount - fromCount) / ((to - from) / 1e9),
                    lag, published, received, Math.max(0, published - received),
                    publishers.stream().mapToLong(SensorPublisher::failed).sum());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            if (embedded != null) {
                embedded.close();
            }
            if (mosquitto != null) {
                mosquitto.close();
            }
        }
    }

    /**
     * A broker may acknowledge a SUBSCRIBE before the subscription routes messages (the embedded
     * HiveMQ does): probes are published until the counter sees one; returns how many it saw.
     */
    private static long awaitSubscription(Vertx vertx, BrokerAddress broker, MqttCounter counter, String site)
            throws Exception {
        io.vertx.mqtt.MqttClient probe = io.vertx.mqtt.MqttClient.create(vertx,
                new io.vertx.mqtt.MqttClientOptions().setClientId("bench-sim-probe"));
        probe.connect(broker.port(), broker.host()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (counter.count() == 0 && System.nanoTime() < deadline) {
            probe.publish(Topics.of(site, "probe", Topics.Kind.READINGS), io.vertx.core.buffer.Buffer.buffer("{}"),
                    io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE, false, false);
            Thread.sleep(100);
        }
        probe.disconnect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Thread.sleep(200); // the last probes in flight
        return counter.count();
    }

    private static long published(List<SensorPublisher> publishers) {
        return publishers.stream().mapToLong(SensorPublisher::published).sum();
    }
}
