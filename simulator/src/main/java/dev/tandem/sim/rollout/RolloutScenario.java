package dev.tandem.sim.rollout;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.rollout.Rollout;
import dev.tandem.hub.rollout.RolloutChange;
import dev.tandem.hub.rollout.RolloutEngine;
import dev.tandem.hub.rollout.RolloutState;
import dev.tandem.hub.rollout.RolloutTarget;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.fleet.LocalFleet;
import dev.tandem.sim.fleet.LocalFleetOptions;
import dev.tandem.sim.scenario.Scenario;
import dev.tandem.sim.scenario.ScenarioFleet;
import dev.tandem.sim.scenario.SimTime;
import dev.tandem.sim.score.JsonLines;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs a scenario whose timeline has rollouts ({@code sim run}, {@code sim scenario bad-model|rollout}):
 * a {@link LocalFleet} of the scenario (a broker of its own, secured with a throwaway site; the real hub;
 * one production {@link EdgeAgent} per device, each with its own MQTT session; the scenario's readings at
 * {@code rate} per device per second), then each rollout entry once the fleet's simulated time reaches
 * it, asked of the hub's {@link RolloutEngine} and followed to its end, and the devices' models and window
 * counters read back. Blocks until done or {@code timeout}.
 */
public final class RolloutScenario {
    /** The hub trains each device's large model with this many steps (a fast commissioning; see the README). */
    public static final int LARGE_STEPS = 100;
    /** How long a rollback (or a finished rollout) may take to reach every device once the hub has ended it. */
    private static final Duration SETTLE = Duration.ofSeconds(30);

    /**
     * @param rate        readings per device per second of wall time (the scenario's 1 Hz seconds go by this fast)
     * @param broker      the fleet's broker (embedded HiveMQ or a mosquitto process of its own)
     * @param truth       where the ground truth goes (JSON lines)
     * @param alarms      null: not written; else the alarms recorded on the broker (JSON lines)
     * @param report      null: no file
     * @param timeout     wall-clock bound of the whole run (the fleet's start included)
     */
    public record Options(double rate, LocalFleetOptions.BrokerKind broker, Path truth, Path alarms, Path report,
                          Duration timeout, Duration statusEvery) {
        public Options {
            if (!(rate > 0) || rate > 1000) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "the rate of a rollout scenario must be in (0, 1000] "
                        + "readings/s per device, got " + rate);
            }
        }
    }

    private final Scenario scenario;
    private final ScenarioFleet plan;
    private final Options options;
    private final PrintStream out;

    public RolloutScenario(Scenario scenario, Options options, PrintStream out) {
        this.scenario = scenario;
        this.plan = ScenarioFleet.of(scenario);
        if (plan.rolloutEvents().isEmpty()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, scenario.source() + ": scenario " + scenario.name()
                    + " has no rollout (run it with sim run)");
        }
        this.options = options;
        this.out = out;
    }

    public RolloutScenarioReport run() throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + options.timeout().toNanos();
        int commissioning = (int) Math.max(50, Math.min(5000, scenario.commissioning().toSeconds()));
        LocalFleetOptions fo = LocalFleetOptions.builder().scenario(scenario).broker(options.broker())
                .rate(options.rate()).commissioning(commissioning).largeSteps(LARGE_STEPS).seed(scenario.seed())
                .startupTimeout(options.timeout()).build();
        out.printf("scenario %s: %d devices on [%s], each its own edge agent and MQTT session; hub and %s broker; %s "
                        + "readings/s per device; %d rollouts%n", scenario.name(), scenario.devices().size(), fo.site(),
                options.broker().name().toLowerCase(java.util.Locale.ROOT), fmt(options.rate()), plan.rolloutEvents().size());
        try (LocalFleet fleet = LocalFleet.start(fo)) {
            double modelsSeconds = (System.nanoTime() - t0) / 1e9;
            CloudHub hub = fleet.hub().orElseThrow();
            Map<String, String> commissioned = running(fleet);
            out.printf("[%5.0fs] every device has its model (%d agents, %d readings of commissioning each)%n", modelsSeconds,
                    fleet.agents().size(), commissioning);
            List<RolloutScenarioReport.Run> runs = new ArrayList<>();
            Map<String, String> originOf = new HashMap<>(); // candidate version -> rollout name
            boolean completed = true;
            for (ScenarioFleet.RolloutEvent e : plan.rolloutEvents()) {
                double at = e.at().toMillis() / 1000.0;
                while (simulated(fleet) < at && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                if (System.nanoTime() >= deadline) {
                    completed = false;
                    out.printf("scenario: timeout after %d s before the rollout at %s%n", options.timeout().toSeconds(),
                            new SimTime(e.at()));
                    break;
                }
                RolloutScenarioReport.Run run = rollout(fleet, hub, e, deadline, t0);
                run.outcome().candidates().values().forEach(v -> originOf.put(v, run.outcome().name()));
                runs.add(run);
                if (!RolloutState.valueOf(run.outcome().state()).isTerminal()) {
                    completed = false;
                    break;
                }
            }
            Map<String, String> end = running(fleet);
            Map<String, Integer> byOrigin = new TreeMap<>();
            Map<String, Integer> byVersion = new TreeMap<>();
            for (String d : fleet.deviceIds()) {
                String v = end.get(d);
                byVersion.merge(v == null ? "none" : v, 1, Integer::sum);
                String origin = v == null ? "none" : v.equals(commissioned.get(d)) ? "commissioned"
                        : originOf.getOrDefault(v, "other");
                byOrigin.merge(origin, 1, Integer::sum);
            }
            RolloutScenarioReport.Windows windows = windows(fleet);
            List<TruthEvent> truth = fleet.groundTruth();
            JsonLines.write(options.truth(), truth);
            if (options.alarms() != null) {
                fleet.writeAlarms(options.alarms());
            }
            RolloutScenarioReport r = new RolloutScenarioReport(scenario.name(), scenario.source(), fleet.brokerUrl(),
                    scenario.devices().size(), fleet.agents().size(), options.rate(), round(modelsSeconds),
                    round(simulated(fleet)), round((System.nanoTime() - t0) / 1e9), fleet.published(), fleet.alarms().size(),
                    runs, byOrigin, byVersion.size() <= 50 ? byVersion : null, windows, options.truth().toString(),
                    truth.size(), options.alarms() == null ? null : options.alarms().toString(), scenario.needs(), completed);
            print(r);
            if (options.report() != null) {
                dev.tandem.sim.scenario.ScenarioRun.write(options.report(), r);
            }
            return r;
        }
    }

    /** Asks the hub for the rollout of entry {@code e}, follows it with status lines, and reads it back once settled. */
    private RolloutScenarioReport.Run rollout(LocalFleet fleet, CloudHub hub, ScenarioFleet.RolloutEvent e, long deadline,
                                              long t0) throws Exception {
        var spec = e.spec();
        RolloutTarget target = RolloutTarget.site(fleet.site());
        if (!spec.devices().equals(List.of("*"))) {
            target = target.devices(e.devices());
        }
        double startedAt = simulated(fleet);
        Rollout r = hub.rollouts().create(new RolloutEngine.Request(e.name(scenario.name()), RolloutChange.recipe(spec.recipe()),
                target, spec.plan(), spec.settings(), true), "scenario").toCompletionStage().toCompletableFuture()
                .get(Math.max(1, left(deadline)), TimeUnit.MILLISECONDS);
        out.printf("[%5.0fs] rollout %s: %s to %d devices in %d waves (shadow %s, watch %s)%n", (System.nanoTime() - t0) / 1e9,
                r.name(), spec.recipe(), r.deviceCount(), r.waves().size(), new SimTime(spec.plan().waves().get(0).gate()
                        .shadowTime()), new SimTime(spec.settings().watch()));
        long nextStatus = System.nanoTime() + options.statusEvery().toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            RolloutEngine.View v = hub.rollouts().view(r.id(), 0, 0).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            String now = v.rollout().state() + " wave " + (v.rollout().currentWave() + 1) + "/" + v.rollout().waves().size();
            if (v.rollout().state().isTerminal()) {
                break;
            }
            if (!now.equals(last) || System.nanoTime() >= nextStatus) {
                nextStatus = System.nanoTime() + options.statusEvery().toNanos();
                out.printf("[%5.0fs] rollout %s: %s | actions %s%n", (System.nanoTime() - t0) / 1e9, r.name(), now,
                        RolloutOutcome.nonZero(v.counts()));
                last = now;
            }
            Thread.sleep(100);
        }
        RolloutOutcome o = RolloutOutcome.await(hub, r.id(), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        // the hub has ended it; the devices follow its last manifests: wait (bounded) until they have
        long settle = Math.min(deadline, System.nanoTime() + SETTLE.toNanos());
        int left;
        int notOn;
        do {
            Map<String, String> running = running(fleet);
            left = 0;
            notOn = 0;
            for (Map.Entry<String, String> c : o.candidates().entrySet()) {
                boolean on = c.getValue().equals(running.get(c.getKey()));
                // a finished rollout leaves its ACTIVE devices on the candidate and the ones that judged it
                // worse (ROLLED_BACK, FAILED: within the wave's thresholds) on their previous model
                boolean active = "ACTIVE".equals(o.states().get(c.getKey()));
                boolean shouldBeOn = o.state().equals("FINISHED") && active;
                if (!shouldBeOn && on) {
                    left++;
                }
                if (shouldBeOn && !on) {
                    notOn++;
                }
            }
            if (left == 0 && notOn == 0) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < settle);
        out.printf("[%5.0fs] rollout %s: %s%n", (System.nanoTime() - t0) / 1e9, r.name(), o.summary());
        boolean expected = spec.expect() == null || spec.expect().equalsIgnoreCase(o.state());
        return new RolloutScenarioReport.Run(e.line(), e.at().toMillis() / 1000.0, round(startedAt), spec.recipe(),
                spec.expect(), o, left, notOn, expected && left == 0 && notOn == 0
                && RolloutState.valueOf(o.state()).isTerminal());
    }

    /** How far the fleet's leading device has got, in simulated seconds (its readings acknowledged, at its type's rate). */
    private double simulated(LocalFleet fleet) {
        double lead = 0;
        for (Scenario.Device d : scenario.devices()) {
            lead = Math.max(lead, fleet.device(d.id()).published() / scenario.types().get(d.type()).rateHz());
        }
        return lead;
    }

    /** Each device's running model version (devices without one are left out). */
    private static Map<String, String> running(LocalFleet fleet) {
        Map<String, String> out = new HashMap<>();
        for (EdgeAgent a : fleet.agents()) {
            for (String d : a.edgeConfig().devices()) {
                a.modelVersion(d).ifPresent(v -> out.put(d, v));
            }
        }
        return out;
    }

    private static RolloutScenarioReport.Windows windows(LocalFleet fleet) {
        long scored = 0;
        long byModel = 0;
        int swapped = 0;
        int mismatched = 0;
        for (EdgeAgent a : fleet.agents()) {
            for (String d : a.edgeConfig().devices()) {
                // the sensors still publish: the two counters are read again until they hold still (a window
                // being scored between the reads is not a count off; one lost or scored twice never settles)
                long w;
                Map<String, Long> m;
                long sum;
                int reads = 0;
                do {
                    w = a.windows(d);
                    m = a.windowsByModel(d);
                    sum = m.values().stream().mapToLong(Long::longValue).sum();
                } while ((sum != w || a.windows(d) != w) && ++reads < 1000);
                scored += w;
                byModel += sum;
                if (m.size() > 1) {
                    swapped++;
                }
                if (sum != w) {
                    mismatched++;
                }
            }
        }
        return new RolloutScenarioReport.Windows(scored, byModel, swapped, mismatched);
    }

    private void print(RolloutScenarioReport r) {
        out.printf("%n=== scenario %s ===%n", r.name());
        out.printf("devices           %d (%d production edge agents, one MQTT session each) on %s%n", r.devices(), r.agents(),
                r.broker());
        out.printf("simulated         %.0f s in %.1f s (%s readings/s per device; models after %.1f s)%s%n",
                r.simulatedSeconds(), r.wallSeconds(), fmt(r.rate()), r.modelsSeconds(), r.completed() ? "" : " (timed out)");
        for (RolloutScenarioReport.Run run : r.rollouts()) {
            out.printf("rollout           %s: %s%s%n", run.recipe(), run.outcome().summary(),
                    run.asExpected() ? "" : "  <-- NOT AS EXPECTED (expected " + run.expect() + ", left on it "
                            + run.leftOnCandidate() + ", not on it " + run.notOnCandidate() + ")");
        }
        out.printf("models at the end %s%n", r.modelsByOrigin());
        out.printf("windows           %d scored, %d counted by model (%d devices swapped models, %d counts off)%n",
                r.windows().scored(), r.windows().byModel(), r.windows().devicesSwapped(), r.windows().devicesMismatched());
        out.printf("readings          %d published; alarms recorded %d%n", r.readingsPublished(), r.alarmsRecorded());
        out.printf("ground truth      %d lines in %s%n", r.truthLines(), r.truthFile());
        if (!r.unchecked().isEmpty()) {
            out.printf("not checked here  %s%n", r.unchecked());
        }
    }

    private static long left(long deadline) {
        return (deadline - System.nanoTime()) / 1_000_000;
    }

    private static double round(double s) {
        return Math.round(s * 10) / 10.0;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
