package dev.tandem.sim.eval;

import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.tiny.TinyFitConfig;
import dev.tandem.sim.eval.CascadeEvaluation.DeviceResult;
import dev.tandem.sim.eval.CascadeEvaluation.Mode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.edge.alarm.AlarmSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The leave-one-experiment-out protocol: each file is scored with settings chosen on the other files
 * only, so that nothing about the scored file (beyond its own commissioning rows, which every device
 * is fitted on in production too) steers how it is scored.
 *
 * <p>Every candidate of a small grid of fit settings ({@link #grid}) runs the production cascade
 * ({@link CascadeEvaluation}: the hub's fit, the edge's detector, the hub's verdicts) on every file.
 * For file {@code i} the candidate with the best collaborative F1 on the other files (their confusions
 * summed, the SKAB micro-average; ties: the lower false-alarm rate, then the earlier candidate, the
 * defaults first) is chosen, and file {@code i}'s result is that candidate's run of it. The totals are
 * the sums of those chosen runs. Each file's models are still fitted only on its own commissioning rows.
 */
public final class LeaveOneOut {
    /** One setting of the grid. */
    public record Candidate(String name, FitSettings fit) {
        public Candidate {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(fit, "fit");
        }
    }

    /**
     * The choice for one held-out file.
     *
     * @param othersF1  the chosen candidate's collaborative F1 on the other files
     * @param othersFar its false-alarm rate there
     */
    public record Choice(String device, Candidate chosen, double othersF1, double othersFar) {
    }

    /**
     * The run: {@code loo} holds each file's chosen run and their totals; {@code plain} is the first
     * candidate (the given settings) on every file; {@code candidates} each candidate's totals over all files.
     */
    public record Result(CascadeEvaluation.Result loo, CascadeEvaluation.Result plain, List<Choice> choices,
                         Map<String, Confusion> candidates) {
    }

    /** The threshold quantiles and score smoothings the grid combines with the given settings. */
    public static final List<Double> THRESHOLD_QUANTILES = List.of(0.98, 0.99, 0.995);
    public static final List<Double> SMOOTHINGS = List.of(0.8, 0.9);

    private LeaveOneOut() {
    }

    /**
     * The grid: {@code base} first, then {@code base} with each combination of
     * {@link #THRESHOLD_QUANTILES} and {@link #SMOOTHINGS} that differs from it.
     */
    public static List<Candidate> grid(FitSettings base) {
        List<Candidate> out = new ArrayList<>();
        TinyFitConfig t = base.tiny();
        out.add(new Candidate(name(t.thresholdQuantile(), t.smoothing()) + " (given)", base));
        for (double q : THRESHOLD_QUANTILES) {
            for (double s : SMOOTHINGS) {
                if (q == t.thresholdQuantile() && s == t.smoothing()) {
                    continue;
                }
                out.add(new Candidate(name(q, s), new FitSettings(t.toBuilder().thresholdQuantile(q).smoothing(s).build(),
                        base.large())));
            }
        }
        return List.copyOf(out);
    }

    private static String name(double quantile, double smoothing) {
        return String.format(Locale.ROOT, "threshold-quantile=%s,smoothing=%s", quantile, smoothing);
    }

    /** Runs every candidate on every stream and chooses per stream on the others (at least two streams). */
    public static Result run(List<EvalStream> streams, List<Candidate> grid, AlarmSettings alarms,
                             CascadeEvaluation.Progress progress) {
        return run(streams, grid, CascadeEvaluation.Options.defaults().withAlarms(alarms), progress);
    }

    /** The same, the devices run as {@code options} say. */
    public static Result run(List<EvalStream> streams, List<Candidate> grid, CascadeEvaluation.Options options,
                             CascadeEvaluation.Progress progress) {
        if (streams.size() < 2) {
            throw TandemException.invalid("leave-one-out needs at least two files, got " + streams.size());
        }
        if (grid.isEmpty()) {
            throw TandemException.invalid("leave-one-out needs at least one candidate");
        }
        long t0 = System.nanoTime();
        List<CascadeEvaluation.Result> runs = new ArrayList<>(grid.size());
        for (int k = 0; k < grid.size(); k++) {
            String tag = "[" + (k + 1) + "/" + grid.size() + "] ";
            runs.add(CascadeEvaluation.run(streams, grid.get(k).fit(), options,
                    (d, n, id, phase) -> progress.update(d, n, tag + id, phase)));
        }
        return choose(streams, grid, runs, t0);
    }

    /** The choice over runs already made ({@code runs.get(k)}: candidate k on every stream, in order). */
    static Result choose(List<EvalStream> streams, List<Candidate> grid, List<CascadeEvaluation.Result> runs, long t0) {
        int n = streams.size();
        Confusion[][] perFile = new Confusion[grid.size()][n];
        Map<String, Confusion> totals = new LinkedHashMap<>();
        for (int k = 0; k < grid.size(); k++) {
            for (int i = 0; i < n; i++) {
                perFile[k][i] = runs.get(k).devices().get(i).modes().get(Mode.COLLABORATIVE).confusion();
            }
            totals.put(grid.get(k).name(), runs.get(k).modes().get(Mode.COLLABORATIVE).confusion());
        }
        List<DeviceResult> chosen = new ArrayList<>(n);
        List<Choice> choices = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int best = -1;
            Confusion bestOthers = null;
            for (int k = 0; k < grid.size(); k++) {
                List<Confusion> others = new ArrayList<>(n - 1);
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        others.add(perFile[k][j]);
                    }
                }
                Confusion c = Confusion.sum(others);
                if (best < 0 || better(c, bestOthers)) {
                    best = k;
                    bestOthers = c;
                }
            }
            chosen.add(runs.get(best).devices().get(i));
            choices.add(new Choice(streams.get(i).deviceId(), grid.get(best), bestOthers.f1(), bestOthers.far()));
        }
        CascadeEvaluation.Result loo = CascadeEvaluation.combine(chosen, grid.get(0).fit(),
                (System.nanoTime() - t0) / 1_000_000);
        return new Result(loo, runs.get(0), List.copyOf(choices), totals);
    }

    private static boolean better(Confusion c, Confusion than) {
        double f = orMinus(c.f1()), g = orMinus(than.f1());
        if (f != g) {
            return f > g;
        }
        return orMinus(-c.far()) > orMinus(-than.far());
    }

    private static double orMinus(double v) {
        return Double.isNaN(v) ? -1 : v;
    }
}
