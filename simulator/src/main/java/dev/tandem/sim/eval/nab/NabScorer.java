package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.TandemException;

import java.util.Collection;
import java.util.List;

/**
 * NAB's scoring (v1.1, Numenta's {@code sweeper.py}) of one file's detections, and the corpus score.
 *
 * <p>With the scaled sigmoid {@code σ(x) = 2 / (1 + e^(5x)) - 1} ({@code -1} for {@code x >= 3}), for
 * rows {@code i} after the probationary period only:
 * <ul>
 *   <li>a detection inside a window {@code [l, r]} of width {@code w = r - l + 1} is worth
 *       {@code A_TP σ(-(r - i + 1) / w) / σ(-1)}; only the best detection of a window counts;</li>
 *   <li>a detection outside every window is worth {@code A_FP σ(|i - r'| / (w' - 1))} after a window
 *       {@code [l', r']} of width {@code w'}, {@code -A_FP} before the first window (and after a window of
 *       one row, where NAB would divide by zero); every such row counts;</li>
 *   <li>a window with no detection costs {@code -A_FN}; a window wholly inside the probationary period is
 *       not scored.</li>
 * </ul>
 * The corpus score is {@code 100 (raw - null) / (perfect - null)} with {@code null = -A_FN W},
 * {@code perfect = A_TP W}, {@code W} the scored windows and {@code raw} the sum of the file scores.
 */
public final class NabScorer {
    /** {@code σ(-1)}: the best a detection can do unweighted (at a window's first row). */
    public static final double MAX_TP = scaledSigmoid(-1.0);

    private NabScorer() {
    }

    /** NAB's scaled sigmoid of a relative position (negative inside a window, positive past it). */
    public static double scaledSigmoid(double x) {
        if (x >= 3.0) {
            return -1.0;
        }
        return 2 * (1 / (1 + Math.exp(5 * x))) - 1.0; // 2 sigmoid(-5x) - 1, as NAB computes it
    }

    /**
     * One file's score.
     *
     * @param contributions per row, what the row adds to the score, as NAB's result files write it
     *                      ({@code S(t)}): a detection outside every window its (negative) weight, each
     *                      scored window its value (best detection or {@code -A_FN}) on its first scored
     *                      row, 0 elsewhere; their sum is {@code score}
     * @param tp            detected rows inside windows (scored rows only); fp, tn, fn likewise
     * @param windows       scored windows; {@code detectedWindows} of them with a detection
     */
    public record FileScore(NabProfile profile, double score, int tp, int fp, int tn, int fn, int windows,
                            int detectedWindows, double[] contributions) {
        @Override
        public double[] contributions() {
            return contributions.clone();
        }
    }

    /** The score of a file's detections ({@code detections[i]}: row i is flagged; length = rows). */
    public static FileScore score(NabFile file, boolean[] detections, NabProfile profile) {
        return score(file.rows(), file.probationaryRows(), file.windows(), detections, profile);
    }

    /**
     * The score of {@code detections} over {@code rows} rows whose first {@code probationary} are not
     * scored, with the given windows (in time order, not overlapping, inside the rows).
     */
    public static FileScore score(int rows, int probationary, List<NabWindow> windows, boolean[] detections,
                                  NabProfile profile) {
        if (detections == null || detections.length != rows) {
            throw TandemException.invalid("expected " + rows + " detections, got "
                    + (detections == null ? "none" : detections.length));
        }
        if (probationary < 0 || probationary > rows) {
            throw TandemException.invalid("probationary rows " + probationary + " outside 0.." + rows);
        }
        double[] contributions = new double[rows];
        int tp = 0, fp = 0, tn = 0, fn = 0, scored = 0, detected = 0;
        int w = 0; // the next window not yet passed
        NabWindow previous = null;
        double best = 0;
        boolean hit = false;
        for (int i = 0; i < rows; i++) {
            while (w < windows.size() && windows.get(w).last() < i) {
                previous = windows.get(w++);
            }
            NabWindow current = w < windows.size() && windows.get(w).contains(i) ? windows.get(w) : null;
            if (i < probationary) {
                continue;
            }
            boolean d = detections[i];
            if (current != null) {
                if (i == current.first() || i == probationary) { // the window's first scored row
                    best = -profile.fnWeight();
                    hit = false;
                    scored++;
                }
                if (d) {
                    tp++;
                    double position = -(current.last() - i + 1) / (double) current.width();
                    best = Math.max(best, scaledSigmoid(position) * profile.tpWeight() / MAX_TP);
                    hit = true;
                } else {
                    fn++;
                }
                if (i == current.last()) {
                    contributions[Math.max(current.first(), probationary)] = best;
                    if (hit) {
                        detected++;
                    }
                }
            } else if (d) {
                fp++;
                double position = previous == null || previous.width() == 1 ? 3.0
                        : Math.abs(previous.last() - i) / (double) (previous.width() - 1);
                contributions[i] = scaledSigmoid(position) * profile.fpWeight();
            } else {
                tn++;
            }
        }
        double score = 0;
        for (double c : contributions) {
            score += c;
        }
        return new FileScore(profile, score, tp, fp, tn, fn, scored, detected, contributions);
    }

    /** A corpus score: the raw sum over files and its normalisation against the null and perfect detectors. */
    public record CorpusScore(NabProfile profile, double raw, int windows, int files) {
        /** The detector that never fires: {@code -A_FN} per window. */
        public double nullScore() {
            return -profile.fnWeight() * windows;
        }

        /** The detector that fires on the first row of every window. */
        public double perfectScore() {
            return profile.tpWeight() * windows;
        }

        /** {@code 100 (raw - null) / (perfect - null)}; NaN without windows. */
        public double normalised() {
            double span = perfectScore() - nullScore();
            return span == 0 ? Double.NaN : 100 * (raw - nullScore()) / span;
        }
    }

    /** Sums file scores of one profile. */
    public static CorpusScore corpus(NabProfile profile, Collection<FileScore> files) {
        double raw = 0;
        int windows = 0;
        for (FileScore f : files) {
            if (!f.profile().equals(profile)) {
                throw TandemException.invalid("a " + f.profile().name() + " score summed as " + profile.name());
            }
            raw += f.score();
            windows += f.windows();
        }
        return new CorpusScore(profile, raw, windows, files.size());
    }

    /** Rows where an alarm is raised: flagged after a row that is not (the first row counts when flagged). */
    public static boolean[] onsets(boolean[] alarms) {
        boolean[] out = new boolean[alarms.length];
        for (int i = 0; i < alarms.length; i++) {
            out[i] = alarms[i] && (i == 0 || !alarms[i - 1]);
        }
        return out;
    }
}
