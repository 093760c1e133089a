package dev.tandem.sim.rollout;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.rollout.ActionRecord;
import dev.tandem.hub.rollout.ActionState;
import dev.tandem.hub.rollout.RolloutEngine;
import dev.tandem.hub.rollout.RolloutState;
import dev.tandem.hub.store.RolloutStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * How a rollout went, read back from the hub once it ended: each wave's outcome and duration (from the
 * rollout's transitions the hub kept), the fleet's rollback time, and the devices' actions by state and
 * by failure code. What {@code bench rollout}, the rollout scenarios and the demo report.
 *
 * @param totalMs    from its start to its end (the last transition)
 * @param rollbackMs from STOPPED to ROLLED_BACK (null: not rolled back)
 * @param actions    the actions by final state (every state, zeros included)
 * @param codes      the actions' failure codes (SHADOW_WORSE, WATCHDOG_TRIPPED, ...) and how many
 * @param candidates the candidate versions sent, by device (to check who runs what)
 * @param states     each device's final action state, by device
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record RolloutOutcome(String id, String name, String change, String state, long totalMs,
                             List<WaveOutcome> waves, Long rollbackMs, Map<String, Integer> actions,
                             Map<String, Integer> codes, @com.fasterxml.jackson.annotation.JsonIgnore Map<String, String> candidates,
                             @com.fasterxml.jackson.annotation.JsonIgnore Map<String, String> states) {
    /** Page size when reading every action back. */
    private static final int PAGE = 1000;

    /**
     * One wave.
     *
     * @param outcome    PROMOTED (the next wave started), FINISHED (the last one, promoted), STOPPED (over its error
     *                   threshold or timed out), ABORTED, or NOT_STARTED
     * @param durationMs from its start to its outcome (null: not started)
     * @param actions    its devices' actions by state (non-zero only)
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record WaveOutcome(int index, int devices, int reach, String outcome, Long durationMs,
                              Map<String, Integer> actions) {
    }

    /** Waits (bounded) for the rollout to end and reads it back. */
    public static RolloutOutcome await(CloudHub hub, String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        RolloutState end;
        do {
            end = view(hub, id, 0).rollout().state();
            if (end.isTerminal()) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return read(hub, id, deadline);
    }

    /** Reads the rollout back as it stands (its transitions waited for, bounded, if it has ended). */
    private static RolloutOutcome read(CloudHub hub, String id, long deadline) throws Exception {
        RolloutEngine.View v = view(hub, id, PAGE);
        RolloutState end = v.rollout().state();
        // the store's writes are queued in order: wait for the last
        List<RolloutStore.Transition> ts = hub.store().rollouts().transitions(id, null);
        while (end.isTerminal() && (ts.isEmpty() || !ts.get(ts.size() - 1).to().equals(end.name()))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
            ts = hub.store().rollouts().transitions(id, null);
        }
        List<Long> durations = new ArrayList<>();
        Instant waveStart = null;
        Instant stopped = null;
        String lastOutcome = null;
        for (RolloutStore.Transition t : ts) {
            if (t.to().equals("RUNNING")) {
                if (waveStart != null && t.from().equals("RUNNING")) {
                    durations.add(Duration.between(waveStart, t.at()).toMillis());
                }
                if (!t.from().equals("PAUSED") || waveStart == null) {
                    waveStart = t.at();
                }
            } else if ((t.to().equals("FINISHED") || t.to().equals("STOPPED") || t.to().equals("ABORTED"))
                    && waveStart != null) {
                durations.add(Duration.between(waveStart, t.at()).toMillis());
                stopped = t.to().equals("STOPPED") ? t.at() : null;
                lastOutcome = t.to();
            }
        }
        List<WaveOutcome> waves = new ArrayList<>();
        for (int i = 0; i < v.rollout().waves().size(); i++) {
            var w = v.rollout().waves().get(i);
            String outcome;
            if (i >= durations.size()) {
                outcome = i == durations.size() && !end.isTerminal() ? "RUNNING" : "NOT_STARTED";
            } else if (i < durations.size() - 1 || lastOutcome == null) {
                outcome = "PROMOTED";
            } else {
                outcome = lastOutcome;
            }
            Map<String, Integer> counts = new TreeMap<>();
            if (i < v.waveCounts().size()) {
                v.waveCounts().get(i).forEach((s, n) -> {
                    if (n > 0) {
                        counts.put(s.name(), n);
                    }
                });
            }
            waves.add(new WaveOutcome(i, w.devices().size(), w.reach(), outcome, i < durations.size() ? durations.get(i)
                    : null, counts));
        }
        Map<String, Integer> actions = new java.util.LinkedHashMap<>();
        for (ActionState s : ActionState.values()) {
            actions.put(s.name(), v.counts().getOrDefault(s, 0));
        }
        Map<String, Integer> codes = new TreeMap<>();
        Map<String, String> candidates = new TreeMap<>();
        Map<String, String> states = new TreeMap<>();
        for (int offset = 0; offset < v.total(); offset += PAGE) {
            RolloutEngine.View page = offset == 0 ? v : view(hub, id, offset, PAGE);
            for (ActionRecord a : page.actions()) {
                if (a.action().code() != null) {
                    codes.merge(a.action().code().name(), 1, Integer::sum);
                }
                if (a.candidateVersion() != null) {
                    candidates.put(a.action().device().device(), a.candidateVersion());
                }
                states.put(a.action().device().device(), a.action().state().name());
            }
        }
        Long rollbackMs = stopped == null || !end.equals(RolloutState.ROLLED_BACK) ? null
                : Duration.between(stopped, ts.get(ts.size() - 1).at()).toMillis();
        long totalMs = ts.isEmpty() ? 0 : Duration.between(ts.get(0).at(), ts.get(ts.size() - 1).at()).toMillis();
        var change = v.rollout().change();
        return new RolloutOutcome(id, v.rollout().name(), change.kind().name().toLowerCase(java.util.Locale.ROOT) + " "
                + change.ref(), end.name(), totalMs, waves, rollbackMs, actions, codes, candidates, states);
    }

    private static RolloutEngine.View view(CloudHub hub, String id, int limit) throws Exception {
        return view(hub, id, 0, limit);
    }

    private static RolloutEngine.View view(CloudHub hub, String id, int offset, int limit) throws Exception {
        return hub.rollouts().view(id, offset, limit).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Action counts without the states no action is in, for a status line: {@code {ACTIVE=3, SHADOW=2}}. */
    public static Map<String, Integer> nonZero(Map<dev.tandem.hub.rollout.ActionState, Integer> counts) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        counts.forEach((s, n) -> {
            if (n > 0) {
                out.put(s.name(), n);
            }
        });
        return out;
    }

    /** A line for status output: {@code FINISHED in 9.0 s: waves 2.1 s, 3.4 s ...; actions {ACTIVE=3}}. */
    public String summary() {
        StringBuilder sb = new StringBuilder(state).append(" in ").append(String.format("%.1f s", totalMs / 1000.0))
                .append(": waves");
        for (WaveOutcome w : waves) {
            sb.append(' ').append(w.reach()).append(' ').append(w.outcome().toLowerCase(java.util.Locale.ROOT));
            if (w.durationMs() != null) {
                sb.append(String.format(" %.1f s", w.durationMs() / 1000.0));
            }
            sb.append(w.index() < waves.size() - 1 ? "," : "");
        }
        if (rollbackMs != null) {
            sb.append(String.format("; rollback %.1f s", rollbackMs / 1000.0));
        }
        Map<String, Integer> nonZero = new java.util.LinkedHashMap<>();
        actions.forEach((s, n) -> {
            if (n > 0) {
                nonZero.put(s, n);
            }
        });
        sb.append("; actions ").append(nonZero);
        if (!codes.isEmpty()) {
            sb.append(' ').append(codes);
        }
        return sb.toString();
    }
}
