package dev.tandem.sim.cli;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.edge.EdgeConfig;
import dev.tandem.shared.signing.TrustedKey;
import java.nio.file.Path;
import dev.tandem.edge.EdgeMetrics;
import io.vertx.core.Vertx;
import dev.tandem.edge.status.MetricsEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "edge", mixinStandardHelpOptions = true,
        description = {
                "Runs one edge agent for one or more devices against a broker.",
                "It reads the devices' readings topics, commissions each device with the hub, then scores every window with the tiny model, raises alarms at once and escalates the uncertain windows to the hub."})
final class EdgeCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Mixin
    FleetOptions.Site siteOption = new FleetOptions.Site(FleetOptions.PLANT_SITE);

    @Option(names = "--device", required = true, paramLabel = "ID", description = "A device this agent serves (repeat for several).")
    List<String> devices;

    @Mixin
    FleetOptions.Commissioning commissioningOption = new FleetOptions.Commissioning();

    @Mixin
    LoginOptions login;

    @Option(names = "--hub-key", required = true, paramLabel = "FILE",
            description = "The hub's public key to pin (hub.pub from ./tandem provision): the agent runs only models it signed.")
    Path hubKey;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the agent keeps the model generation each device accepted and its durable outbox "
                    + "(default: ${DEFAULT-VALUE}).")
    Path stateDir = Path.of(System.getProperty("user.home"), ".tandem", "edge");

    @Option(names = "--device-class", paramLabel = "NAME",
            description = "The hardware this agent runs on, named at commissioning (default: ${DEFAULT-VALUE}).")
    String deviceClass = dev.tandem.shared.wire.Commissioning.DEFAULT_CLASS;

    @Option(names = "--verdict-timeout", paramLabel = "MS", description = "How long to wait for the hub's verdict (default: ${DEFAULT-VALUE}).")
    long verdictTimeoutMs = EdgeConfig.DEFAULT_VERDICT_TIMEOUT.toMillis();

    @Option(names = "--chunk-bytes", paramLabel = "N",
            description = "Bytes of a model artifact asked for per request when fetching it from the hub (1.."
                    + dev.tandem.shared.wire.Limits.MAX_CHUNK_BYTES + "; default: ${DEFAULT-VALUE}).")
    int chunkBytes = dev.tandem.edge.delivery.DeliverySettings.DEFAULT_CHUNK_BYTES;

    @Option(names = "--max-artifact-bytes", paramLabel = "N",
            description = "Refuse models whose signed size is larger, before fetching them (ARTIFACT_TOO_LARGE; default: "
                    + "${DEFAULT-VALUE}).")
    int maxArtifactBytes = dev.tandem.shared.wire.Limits.MAX_ARTIFACT_BYTES;

    @Option(names = "--metrics", paramLabel = "PORT",
            description = "Serve the agent's meters as Prometheus text on http://127.0.0.1:PORT/metrics (0: a free port).")
    Integer metricsPort;

    @Override
    public Integer call() throws Exception {
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new dev.tandem.shared.error.TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG,
                    "--metrics must be a port 0..65535, got " + metricsPort);
        }
        String site = siteOption.value;
        int commissioning = commissioningOption.value;
        EdgeConfig config = EdgeConfig.builder(run.broker, site, devices)
                .login(login.login(run.broker))
                .hubKey(TrustedKey.load(hubKey))
                .stateDir(stateDir.resolve(site))
                .deviceClass(deviceClass)
                .commissioningSamples(commissioning)
                .verdictTimeout(Duration.ofMillis(verdictTimeoutMs))
                .delivery(dev.tandem.edge.delivery.DeliverySettings.defaults().withChunkBytes(chunkBytes)
                        .withMaxArtifactBytes(maxArtifactBytes))
                .build();
        Vertx vertx = Vertx.vertx();
        try {
            PrometheusMeterRegistry registry = metricsPort == null ? null
                    : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            EdgeAgent agent = new EdgeAgent(config, registry);
            vertx.deployVerticle(agent).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.out.printf("edge: agent for %s on site %s, broker %s%n", devices, site, run.broker);
            if (registry != null) {
                System.out.printf("edge: metrics on %s%n", MetricsEndpoint.start(vertx, registry, metricsPort).url());
            }
            UntilStopped.run(System.out, run.statusInterval(), run.runFor(),
                    () -> status(agent), () -> false, () -> {
                        // undeploying stops the agent: outbox drained (bounded) and synced, OFFLINE published
                        vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
                        System.out.println("edge: stopped, " + status(agent));
                    });
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
        return 0;
    }

    private String status(EdgeAgent agent) {
        EdgeMetrics.Snapshot s = agent.metrics().snapshot();
        StringBuilder models = new StringBuilder();
        for (String d : devices) {
            models.append(d).append('=').append(agent.modelVersion(d).orElse(agent.state(d).name())).append(' ');
        }
        dev.tandem.edge.uplink.OutboxStats o = agent.outboxStats();
        dev.tandem.edge.delivery.ArtifactDownloads.Stats dl = agent.downloads();
        return String.format("edge: connected %s | readings %d | windows %d | onsets %d | clears %d | escalations %d"
                        + " | verdicts %d | timeouts %d | errors %d | outbox %s %d queued, dropped %s"
                        + " | chunks %d (refused %d hash, %d stale, %d by hub) | %s",
                s.connected(), s.readings(), s.windows(), s.onsets(), s.clears(), s.escalations(), s.verdicts(),
                s.verdictTimeouts(), s.errors(), o.degraded() ? "DEGRADED(memory)" : o.durable() ? "disk" : "memory",
                o.queued(), o.droppedSummary(), dl.chunks(), dl.refusedHash(), dl.refusedStale(), dl.refusedByHub(),
                models.toString().trim());
    }
}
