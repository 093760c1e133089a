package dev.tandem.sim.demo;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.rollout.Rollout;
import dev.tandem.hub.rollout.RolloutChange;
import dev.tandem.hub.rollout.RolloutEngine;
import dev.tandem.hub.rollout.RolloutSettings;
import dev.tandem.hub.rollout.RolloutTarget;
import dev.tandem.hub.rollout.WaveGate;
import dev.tandem.hub.rollout.WavePlan;
import dev.tandem.hub.rollout.WaveSize;
import dev.tandem.sim.rollout.RolloutOutcome;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

/**
 * The demo's one rollout, followed wave by wave in its status lines: once every machine runs its
 * commissioned model, the hub re-fits each device's tiny model with a stricter threshold
 * ({@link #RECIPE}) and rolls it out in waves of one device, half the line and the whole line, each
 * device judging its candidate in SHADOW beside its running model and watching it after activation
 * (the production {@link RolloutEngine}, the agents' own shadow and watchdog). Runs on a thread of its
 * own; every wait is bounded.
 */
final class DemoRollout implements AutoCloseable {
    static final String NAME = "demo-refit";
    /** Each device's own model fitted again with its threshold at the 0.995 quantile (instead of 0.99). */
    static final String RECIPE = "default:threshold-quantile=0.995";
    /** Shadow and watch per wave (wall time; the agents shadow on until they have the windows they judge on). */
    static final Duration SHADOW = Duration.ofSeconds(2);
    static final Duration WATCH = Duration.ofSeconds(2);
    static final Duration WAVE_TIMEOUT = Duration.ofSeconds(60);
    /**
     * The watchdog's alarm-rate band. The default (up to 20 % of windows anomalous) is for a line that is
     * rarely anomalous; the demo's machines are anomalous 15 % of the time
     * ({@link dev.tandem.sim.factory.SimConfig#DEFAULT_ANOMALY_RATE}), so a good model alarms on about
     * that many windows and a two-second watch over one episode would trip the default. Up to 50 %: a
     * model that alarms on everything still trips it.
     */
    static final dev.tandem.shared.signing.RolloutRules.Band ALARM_RATE = dev.tandem.shared.signing.RolloutRules.Band.upTo(0.5);
    private static final long POLL_MILLIS = 250;

    private final CloudHub hub;
    private final String site;
    private final PrintStream out;
    private final BooleanSupplier everyModelActive;
    private final DoubleSupplier elapsedSeconds;
    private final Thread thread;
    private volatile boolean closed;
    private volatile String id;
    private volatile RolloutOutcome outcome;

    DemoRollout(CloudHub hub, String site, PrintStream out, BooleanSupplier everyModelActive,
                DoubleSupplier elapsedSeconds) {
        this.hub = hub;
        this.site = site;
        this.out = out;
        this.everyModelActive = everyModelActive;
        this.elapsedSeconds = elapsedSeconds;
        this.thread = new Thread(this::run, "demo-rollout");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            while (!closed && !everyModelActive.getAsBoolean()) {
                Thread.sleep(POLL_MILLIS);
            }
            if (closed) {
                return;
            }
            WaveGate gate = new WaveGate(WaveGate.DEFAULT_SUCCESS_THRESHOLD, WaveGate.DEFAULT_ERROR_THRESHOLD, SHADOW,
                    WAVE_TIMEOUT);
            RolloutSettings settings = new RolloutSettings(RolloutSettings.DEFAULT_MIN_VERDICTS,
                    RolloutSettings.DEFAULT_MIN_AGREEMENT, WATCH, RolloutSettings.DEFAULT_WATCH_MIN_WINDOWS,
                    ALARM_RATE, RolloutSettings.DEFAULT_ESCALATION_RATE);
            WavePlan plan = WavePlan.uniform(gate, WaveSize.devices(1), WaveSize.share(0.5), WaveSize.share(1.0));
            Rollout r = hub.rollouts().create(new RolloutEngine.Request(NAME, RolloutChange.recipe(RECIPE),
                    RolloutTarget.site(site), plan, settings, true), "demo").toCompletionStage().toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            id = r.id();
            out.printf("[%4.0fs] rollout %s: %s to %d devices in %d waves (shadow %d s, watch %d s per wave)%n",
                    elapsedSeconds.getAsDouble(), NAME, RECIPE, r.deviceCount(), r.waves().size(), SHADOW.toSeconds(),
                    WATCH.toSeconds());
            String last = "";
            while (!closed) {
                RolloutEngine.View v = hub.rollouts().view(id, 0, 0).toCompletionStage().toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                Rollout now = v.rollout();
                if (now.state().isTerminal()) {
                    break;
                }
                String line = now.state() + " wave " + (now.currentWave() + 1) + "/" + now.waves().size()
                        + " | actions " + RolloutOutcome.nonZero(v.counts());
                if (!line.equals(last)) {
                    out.printf("[%4.0fs] rollout %s: %s%n", elapsedSeconds.getAsDouble(), NAME, line);
                    last = line;
                }
                Thread.sleep(POLL_MILLIS);
            }
            if (!closed) {
                outcome = RolloutOutcome.await(hub, id, Duration.ofSeconds(30));
                out.printf("[%4.0fs] rollout %s: %s%n", elapsedSeconds.getAsDouble(), NAME, outcome.summary());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!closed) {
                out.printf("rollout %s: not followed: %s%n", NAME, e.getMessage());
            }
        }
    }

    /** The rollout as it stands (or ended): null when it was never started. Bounded. */
    RolloutOutcome outcome() {
        RolloutOutcome o = outcome;
        if (o != null || id == null) {
            return o;
        }
        try {
            return RolloutOutcome.await(hub, id, Duration.ZERO);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
