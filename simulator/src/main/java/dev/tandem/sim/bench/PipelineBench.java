package dev.tandem.sim.bench;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./tandem bench pipeline}: tiny-model inference (pure Java vs TensorFlow Java) and, for each
 * broker, readings through one edge agent and escalations through the hub, each beside its raw rate.
 */
public final class PipelineBench {
    /** The whole run. */
    public record Report(String machine, InferenceBench.Result inference, List<BrokerBench.Result> brokers) {
    }

    /** Readings per flow unless told otherwise. */
    public static final int DEFAULT_READINGS = 50_000;
    /** Escalations per flow unless told otherwise. */
    public static final int DEFAULT_ESCALATIONS = 20_000;
    /** Measuring time per inference runtime unless told otherwise, seconds. */
    public static final int DEFAULT_INFERENCE_SECONDS = 3;

    /** {@code brokers}: "embedded" or a broker URL each. */
    public record Options(List<String> brokers, int readings, int escalations, double inferenceSeconds, long seed,
                          Path report, boolean sharedOnEmbedded) {
    }

    private PipelineBench() {
    }

    public static Report run(Options options, PrintStream out) throws Exception {
        String machine = Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", " + System.getProperty("os.arch");
        out.printf("Tandem pipeline benchmark (%s)%n", machine);
        out.printf("inference: fitting a tiny model on simulated commissioning data, %.0f s per runtime...%n",
                options.inferenceSeconds());
        InferenceBench.Result inference = InferenceBench.run(options.seed(), options.inferenceSeconds());

        List<BrokerBench.Result> results = new ArrayList<>();
        Vertx vertx = Vertx.vertx();
        try {
            for (String spec : options.brokers()) {
                EmbeddedBroker embedded = null;
                BrokerAddress address;
                String label;
                if (spec.equals("embedded")) {
                    embedded = new EmbeddedBroker(EmbeddedBrokerOptions.anonymous()).start();
                    address = embedded.address();
                    label = "embedded HiveMQ CE";
                } else {
                    address = BrokerAddress.parse(spec);
                    label = address.url();
                }
                try {
                    boolean shared = embedded == null || options.sharedOnEmbedded();
                    results.add(new BrokerBench(vertx, address, label, shared, options.seed(), out)
                            .run(options.readings(), options.escalations()));
                } finally {
                    if (embedded != null) {
                        embedded.close();
                    }
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
        Report report = new Report(machine, inference, results);
        print(report, out);
        String json = Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
        out.println(json);
        if (options.report() != null) {
            write(options.report(), json, out);
        }
        return report;
    }

    private static void write(Path file, String json, PrintStream out) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, json);
            out.printf("report: %s%n", file);
        } catch (IOException e) {
            out.printf("report: cannot write %s: %s%n", file, e.getMessage());
        }
    }

    static void print(Report r, PrintStream out) {
        InferenceBench.Result i = r.inference();
        out.println();
        out.printf("Tiny model (%d channels, window %d, %d parameters), one thread, one window at a time:%n",
                i.channels(), i.windowSize(), i.parameters());
        out.printf("| runtime          | windows/s   | µs/window |%n");
        out.printf("|------------------|-------------|-----------|%n");
        out.printf("| pure Java (edge) | %,11.0f | %9.2f |%n", i.javaPerSecond(), i.javaMicrosPerWindow());
        out.printf("| TensorFlow Java  | %,11.0f | %9.2f |%n", i.tfPerSecond(), i.tfMicrosPerWindow());
        out.printf("pure Java / TensorFlow = %.1fx (scores agree within %.1e)%n", i.speedup(), i.maxAbsDifference());
        out.println();
        out.printf("| broker | hub subscription | readings/s raw | readings/s agent | agent/raw | escalations/s raw | verdicts/s hub | hub/raw | hub batch |%n");
        out.printf("|---|---|---|---|---|---|---|---|---|%n");
        for (BrokerBench.Result b : r.brokers()) {
            out.printf("| %s | %s | %,.0f | %,.0f | %.2f | %,.0f | %,.0f | %.2f | %.1f |%n", b.broker(), b.hubSubscription(),
                    b.rawReadingsPerSecond(), b.agentReadingsPerSecond(), b.agentToRaw(), b.rawEscalationsPerSecond(),
                    b.hubVerdictsPerSecond(), b.hubToRaw(), b.hubMeanBatchSize());
        }
        if (r.brokers().size() >= 2) {
            BrokerBench.Result a = r.brokers().get(0);
            for (BrokerBench.Result b : r.brokers().subList(1, r.brokers().size())) {
                out.printf("%s / %s: raw readings %.2f, agent readings %.2f, raw escalations %.2f, hub verdicts %.2f%n",
                        a.broker(), b.broker(), a.rawReadingsPerSecond() / b.rawReadingsPerSecond(),
                        a.agentReadingsPerSecond() / b.agentReadingsPerSecond(),
                        a.rawEscalationsPerSecond() / b.rawEscalationsPerSecond(),
                        a.hubVerdictsPerSecond() / b.hubVerdictsPerSecond());
            }
        }
        out.println();
    }
}
