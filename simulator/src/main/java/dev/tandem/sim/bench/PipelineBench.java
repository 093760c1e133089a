package dev.tandem.sim.bench;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import dev.tandem.sim.provision.SecuredMosquitto;
import dev.tandem.sim.provision.SiteAccess;
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

    /** How the clients meet the broker: anonymous, with identities and ACLs, with both over TLS. */
    public enum Security {
        PLAIN, ACL, TLS;

        public static Security parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (RuntimeException e) {
                throw new dev.tandem.shared.error.TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG,
                        "unknown security '" + s + "' (plain, acl, tls)");
            }
        }
    }

    /**
     * @param brokers  "embedded" (an embedded HiveMQ CE for the run), "mosquitto" (a mosquitto process for the
     *                 run, binary on this machine) or a broker URL (plain only: its ACLs are not the benchmark's)
     * @param security the modes to run on each broker the benchmark starts, side by side
     */
    public record Options(List<String> brokers, int readings, int escalations, double inferenceSeconds, long seed,
                          Path report, boolean sharedOnEmbedded, List<Security> security) {
        public Options {
            security = security == null || security.isEmpty() ? List.of(Security.PLAIN) : List.copyOf(security);
        }

        public Options(List<String> brokers, int readings, int escalations, double inferenceSeconds, long seed,
                       Path report, boolean sharedOnEmbedded) {
            this(brokers, readings, escalations, inferenceSeconds, seed, report, sharedOnEmbedded, List.of(Security.PLAIN));
        }
    }

    private PipelineBench() {
    }

    public static Report run(Options options, PrintStream out) throws Exception {
        return run(options, out, out);
    }

    /** Prints the tables and the JSON on {@code out}, and where it is (phase by phase) on {@code progress}. */
    public static Report run(Options options, PrintStream out, PrintStream progress) throws Exception {
        String machine = Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", " + System.getProperty("os.arch");
        progress.printf("Tandem pipeline benchmark (%s)%n", machine);
        progress.printf("inference: fitting a tiny model on simulated commissioning data, %.0f s per runtime...%n",
                options.inferenceSeconds());
        InferenceBench.Result inference = InferenceBench.run(options.seed(), options.inferenceSeconds());

        List<BrokerBench.Result> results = new ArrayList<>();
        Vertx vertx = Vertx.vertx();
        Path siteDir = null;
        try {
            SiteAccess site = null;
            if (options.security().stream().anyMatch(x -> x != Security.PLAIN)) {
                siteDir = Files.createTempDirectory("tandem-bench-site");
                site = BenchFleet.provision(siteDir.resolve("site"));
                progress.printf("security: a site provisioned for the run in %s (identities, ACLs, CA)%n", siteDir);
            }
            for (String spec : options.brokers()) {
                for (Security security : options.security()) {
                    BrokerBench.Result r = runOne(vertx, spec, security, site, options, progress);
                    if (r != null) {
                        results.add(r);
                    }
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            if (siteDir != null) {
                deleteTree(siteDir);
            }
        }
        Report report = new Report(machine, inference, results);
        print(report, out);
        String json = Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
        out.println(json);
        if (options.report() != null) {
            write(options.report(), json, progress);
        }
        return report;
    }

    /** One broker in one security mode; null (said why) for a mode an external broker cannot be put in. */
    private static BrokerBench.Result runOne(Vertx vertx, String spec, Security security, SiteAccess site, Options options,
                                             PrintStream out) throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        BenchFleet fleet = security == Security.PLAIN ? BenchFleet.plain(run)
                : BenchFleet.secured(site, security == Security.TLS, run);
        AutoCloseable started = null;
        BrokerAddress address;
        String label;
        try {
            switch (spec) {
                case "embedded", "embedded-file" -> {
                    EmbeddedBrokerOptions o = security == Security.PLAIN ? EmbeddedBrokerOptions.anonymous()
                            : EmbeddedBrokerOptions.secured(site.layout().root()).toBuilder().tlsPort(0).build();
                    Path data = spec.equals("embedded-file") ? Files.createTempDirectory("tandem-bench-broker-data") : null;
                    EmbeddedBroker b = new EmbeddedBroker(o.toBuilder().dataDir(data).build()).start();
                    started = () -> {
                        b.close();
                        if (data != null) {
                            deleteTree(data);
                        }
                    };
                    address = security == Security.TLS ? BrokerAddress.parse(b.tlsUrl()) : b.address();
                    label = data == null ? "embedded HiveMQ CE" : "embedded HiveMQ CE, file persistence (--broker-data)";
                }
                case "mosquitto" -> {
                    if (security == Security.PLAIN) {
                        MosquittoBroker b = MosquittoBroker.start();
                        started = b;
                        address = b.address();
                    } else {
                        SecuredMosquitto b = SecuredMosquitto.start(site.layout());
                        started = b;
                        address = security == Security.TLS ? BrokerAddress.parse(b.tlsUrl()) : b.broker().address();
                    }
                    label = "mosquitto";
                }
                default -> {
                    address = BrokerAddress.parse(spec);
                    if (security != Security.PLAIN) {
                        out.printf("[%s] %s skipped: the benchmark's identities are only on brokers it starts (embedded, "
                                + "mosquitto)%n", address.url(), security.name().toLowerCase(java.util.Locale.ROOT));
                        return null;
                    }
                    label = address.url();
                }
            }
            boolean shared = !spec.startsWith("embedded") || options.sharedOnEmbedded();
            return new BrokerBench(vertx, address, label, shared, options.seed(), out, fleet)
                    .run(options.readings(), options.escalations());
        } finally {
            if (started != null) {
                started.close();
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind
        }
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
        out.printf("| broker | security | hub subscription | readings/s raw | readings/s agent | agent/raw | escalations/s raw | verdicts/s hub | hub/raw | hub batch |%n");
        out.printf("|---|---|---|---|---|---|---|---|---|---|%n");
        for (BrokerBench.Result b : r.brokers()) {
            out.printf("| %s | %s | %s | %,.0f | %,.0f | %.2f | %,.0f | %,.0f | %.2f | %.1f |%n", b.broker(), b.security(),
                    b.hubSubscription(),
                    b.rawReadingsPerSecond(), b.agentReadingsPerSecond(), b.agentToRaw(), b.rawEscalationsPerSecond(),
                    b.hubVerdictsPerSecond(), b.hubToRaw(), b.hubMeanBatchSize());
        }
        printRatios(r.brokers(), out);
        out.println();
    }

    /** Per broker, each secured mode against its plain run; then each broker against the first, plain. */
    private static void printRatios(List<BrokerBench.Result> results, PrintStream out) {
        for (BrokerBench.Result plain : results.stream().filter(b -> b.security().equals("plain")).toList()) {
            for (BrokerBench.Result b : results) {
                if (b != plain && b.broker().equals(plain.broker())) {
                    out.printf("%s, %s / plain: raw readings %.2f, agent readings %.2f, raw escalations %.2f, hub verdicts %.2f%n",
                            b.broker(), b.security(), b.rawReadingsPerSecond() / plain.rawReadingsPerSecond(),
                            b.agentReadingsPerSecond() / plain.agentReadingsPerSecond(),
                            b.rawEscalationsPerSecond() / plain.rawEscalationsPerSecond(),
                            b.hubVerdictsPerSecond() / plain.hubVerdictsPerSecond());
                }
            }
        }
        List<BrokerBench.Result> plains = results.stream().filter(b -> b.security().equals("plain")).toList();
        if (plains.size() >= 2) {
            BrokerBench.Result a = plains.get(0);
            for (BrokerBench.Result b : plains.subList(1, plains.size())) {
                out.printf("%s / %s: raw readings %.2f, agent readings %.2f, raw escalations %.2f, hub verdicts %.2f%n",
                        a.broker(), b.broker(), a.rawReadingsPerSecond() / b.rawReadingsPerSecond(),
                        a.agentReadingsPerSecond() / b.agentReadingsPerSecond(),
                        a.rawEscalationsPerSecond() / b.rawEscalationsPerSecond(),
                        a.hubVerdictsPerSecond() / b.hubVerdictsPerSecond());
            }
        }
    }
}
