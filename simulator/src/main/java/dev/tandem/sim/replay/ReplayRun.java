package dev.tandem.sim.replay;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import dev.tandem.sim.eval.SkabFile;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.score.AlarmRecorder;
import dev.tandem.sim.score.JsonLines;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Replays a {@link ReplayPlan} to a broker (an embedded HiveMQ for the run unless one is given):
 * anonymous on one connection, or as a provisioned site's sensor identities (one connection each);
 * writes the plan's ground truth, records the site's alarms if asked, and returns a {@link Report}.
 * Blocks until every row is acknowledged or {@code timeout}.
 */
public final class ReplayRun {
    /**
     * @param broker null: an embedded broker for the run (anonymous, or enforcing {@code site})
     * @param site   null: anonymous, on site {@code siteId}
     * @param speed  recorded seconds per wall second; infinite: as fast as the broker acknowledges
     * @param awaitModels zero: publish straight on; else each device's rows after commissioning wait
     *               (at most this long from the start) until its edge agent reports its model ACTIVE
     */
    public record Options(BrokerAddress broker, SiteAccess site, String siteId, double speed, Path truth, Path alarms,
                          Duration timeout, Duration statusEvery, Duration awaitModels) {
        public Options {
            awaitModels = awaitModels == null ? Duration.ZERO : awaitModels;
        }
    }

    /** What a replay did. */
    public record Report(int devices, int connections, long rows, long published, long failed, long skippedRows,
                         List<String> refusedFiles, int commissioningRows, long truthLines, String truthFile,
                         Long alarmsRecorded, double wallSeconds, boolean completed) {
    }

    private final ReplayPlan plan;
    private final Options options;
    private final PrintStream out;

    public ReplayRun(ReplayPlan plan, Options options, PrintStream out) {
        this.plan = plan;
        this.options = options;
        this.out = out;
    }

    public Report run() throws Exception {
        SiteAccess site = options.site();
        String siteId = site == null ? options.siteId() : site.site();
        List<Connection> plan = connections(site);
        EmbeddedBroker embedded = null;
        Vertx vertx = Vertx.vertx();
        AlarmRecorder recorder = null;
        List<ReplayPublisher> publishers = new java.util.concurrent.CopyOnWriteArrayList<>();
        long t0 = System.nanoTime();
        try {
            BrokerAddress broker = options.broker();
            if (broker == null) {
                embedded = new EmbeddedBroker(site == null ? EmbeddedBrokerOptions.anonymous()
                        : EmbeddedBrokerOptions.secured(site.layout().root())).start();
                broker = embedded.address();
            }
            boolean gate = !options.awaitModels().isZero();
            if (options.alarms() != null || gate) {
                java.util.function.Consumer<dev.tandem.shared.wire.ModelState> states = !gate ? null : m -> {
                    if (m.state() == dev.tandem.shared.wire.ModelState.State.ACTIVE) {
                        publishers.stream().filter(p -> p.serves(m.device())).forEach(p -> p.open(m.device()));
                    }
                };
                recorder = AlarmRecorder.start(vertx, broker, site == null ? BrokerLogin.none() : site.recorder(), siteId,
                        states);
            }
            String speed = Double.isInfinite(options.speed()) ? "max" : String.valueOf(options.speed());
            out.printf("replay: %s%n", this.plan);
            out.printf("replay: %d devices on site %s at speed %s against %s; the first %d rows of each commission it "
                            + "(edge agents: --commissioning %d)%n", this.plan.devices().size(), siteId, speed, broker.url(),
                    this.plan.commissioning(), this.plan.commissioning());
            this.plan.refused().forEach(r -> out.printf("replay: left out %s%n", r));
            this.plan.unscored().forEach(r -> out.printf("replay: not replayed %s%n", r));
            if (gate) {
                out.printf("replay: each device's rows after commissioning wait for its model (at most %d s)%n",
                        options.awaitModels().toSeconds());
            }
            for (Connection c : plan) {
                ReplayPublisher p = new ReplayPublisher(vertx, siteId, c.files(), broker, c.login(),
                        "tandem-replay-" + siteId + "-" + c.name(), options.speed(),
                        options.awaitModels().isZero() ? -1 : this.plan.commissioning());
                p.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                publishers.add(p);
            }
            boolean completed = await(publishers);
            List<TruthEvent> truth = this.plan.groundTruth();
            JsonLines.write(options.truth(), truth);
            if (options.alarms() != null) {
                Thread.sleep(1000); // the last alarms of the last rows
                recorder.writeTo(options.alarms());
            }
            Report r = new Report(this.plan.devices().size(), publishers.size(), this.plan.rows(),
                    publishers.stream().mapToLong(ReplayPublisher::published).sum(),
                    publishers.stream().mapToLong(ReplayPublisher::failed).sum(), this.plan.skippedRows(),
                    this.plan.refused(), this.plan.commissioning(), truth.size(), options.truth().toString(),
                    options.alarms() == null ? null : (long) recorder.count(), (System.nanoTime() - t0) / 1e9, completed);
            print(r);
            return r;
        } finally {
            for (ReplayPublisher p : publishers) {
                p.stop().toCompletionStage().toCompletableFuture().orTimeout(15, TimeUnit.SECONDS).exceptionally(e -> null).join();
            }
            if (recorder != null) {
                recorder.close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private record Connection(String name, BrokerLogin login, List<SkabFile> files) {
    }

    /** One anonymous connection, or one per sensor identity of the site (INVALID_CONFIG naming a device none may publish). */
    private List<Connection> connections(SiteAccess site) {
        if (site == null) {
            return List.of(new Connection("all", BrokerLogin.none(), plan.devices()));
        }
        List<Connection> out = new ArrayList<>();
        for (Map.Entry<dev.tandem.shared.identity.Identity, List<String>> e : site.sensorsOf(plan.deviceIds()).entrySet()) {
            List<SkabFile> files = plan.devices().stream().filter(f -> e.getValue().contains(f.deviceId())).toList();
            out.add(new Connection(e.getKey().name(), site.loginOf(e.getKey()), files));
        }
        return out;
    }

    private boolean modelWaitOver;

    private boolean await(List<ReplayPublisher> publishers) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + options.timeout().toNanos();
        long nextStatus = start + options.statusEvery().toNanos();
        Future<Void> all = Future.join(publishers.stream().map(ReplayPublisher::completion).toList()).mapEmpty();
        while (!all.isComplete()) {
            long now = System.nanoTime();
            if (now > deadline) {
                out.printf("replay: timeout after %d s, stopping%n", options.timeout().toSeconds());
                return false;
            }
            if (!options.awaitModels().isZero() && now - start > options.awaitModels().toNanos() && !modelWaitOver) {
                modelWaitOver = true;
                List<String> gated = publishers.stream().flatMap(p -> p.gated().stream()).toList();
                if (!gated.isEmpty()) {
                    out.printf("replay: no model within %d s for %s; their rows go on without%n",
                            options.awaitModels().toSeconds(), gated);
                    publishers.forEach(p -> gated.forEach(p::open));
                }
            }
            if (now >= nextStatus) {
                nextStatus += options.statusEvery().toNanos();
                out.printf("[%5.0fs] recorded %7.0f s | published %9d of %d | failed %d | waiting for a model %d%n",
                        (now - start) / 1e9,
                        publishers.stream().mapToDouble(ReplayPublisher::recordedSeconds).min().orElse(0),
                        publishers.stream().mapToLong(ReplayPublisher::published).sum(), plan.rows(),
                        publishers.stream().mapToLong(ReplayPublisher::failed).sum(),
                        publishers.stream().mapToLong(p -> p.gated().size()).sum());
            }
            Thread.sleep(10);
        }
        if (all.failed()) {
            out.printf("replay: %s%n", all.cause().getMessage());
            return false;
        }
        return true;
    }

    private void print(Report r) {
        out.printf("%n=== replay ===%n");
        out.printf("devices           %d on %d connections%n", r.devices(), r.connections());
        out.printf("rows              %d published of %d (failed %d; bad rows skipped by the loader %d)%n",
                r.published(), r.rows(), r.failed(), r.skippedRows());
        out.printf("commissioning     the first %d rows of each device%n", r.commissioningRows());
        out.printf("wall time         %.1f s%s%n", r.wallSeconds(), r.completed() ? "" : " (not completed)");
        out.printf("ground truth      %d lines in %s%n", r.truthLines(), r.truthFile());
        if (r.alarmsRecorded() != null) {
            out.printf("alarms recorded   %d in %s%n", r.alarmsRecorded(), options.alarms());
        }
        if (!r.refusedFiles().isEmpty()) {
            out.printf("files left out    %d%n", r.refusedFiles().size());
        }
    }
}
