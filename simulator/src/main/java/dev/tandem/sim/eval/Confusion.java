package dev.tandem.sim.eval;

import dev.tandem.shared.error.TandemException;

import java.util.Collection;

/**
 * A point-wise confusion matrix: true/false positives and negatives, where "positive" means
 * "anomalous" (label) or "alarm" (decision). Immutable; {@link #add} and {@link #merge} return new
 * instances. Micro-averaging over files is {@link #sum summing} their matrices, then taking the ratios.
 *
 * <p>Every ratio is a quotient of counts. <b>Edge cases:</b> a ratio whose denominator is 0 is
 * undefined and returns {@link Double#NaN} (never 0 and never an exception); a ratio with a non-zero
 * denominator and a zero numerator is 0. So, for instance, with no positives and no alarms F1,
 * MAR, precision and recall are NaN; with alarms but no positives F1 and precision are 0 and recall/MAR
 * are NaN; with no negatives FAR is NaN. Callers printing reports decide how to show NaN.
 */
public record Confusion(long tp, long fp, long tn, long fn) {
    public static final Confusion EMPTY = new Confusion(0, 0, 0, 0);

    public Confusion {
        if (tp < 0 || fp < 0 || tn < 0 || fn < 0) {
            throw TandemException.invalid("confusion counts must be >= 0, got tp=" + tp + " fp=" + fp
                    + " tn=" + tn + " fn=" + fn);
        }
    }

    /** This matrix with one more point of the given truth and decision. */
    public Confusion add(boolean actual, boolean predicted) {
        if (actual) {
            return predicted ? new Confusion(tp + 1, fp, tn, fn) : new Confusion(tp, fp, tn, fn + 1);
        }
        return predicted ? new Confusion(tp, fp + 1, tn, fn) : new Confusion(tp, fp, tn + 1, fn);
    }

    /** The element-wise sum (micro-averaging). */
    public Confusion merge(Confusion other) {
        return new Confusion(tp + other.tp, fp + other.fp, tn + other.tn, fn + other.fn);
    }

    public static Confusion sum(Collection<Confusion> parts) {
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (Confusion c : parts) {
            tp += c.tp;
            fp += c.fp;
            tn += c.tn;
            fn += c.fn;
        }
        return new Confusion(tp, fp, tn, fn);
    }

    /** Counts the points {@code from <= i < to} of two aligned arrays (labels = truth). */
    public static Confusion count(boolean[] labels, boolean[] decisions, int from, int to) {
        if (labels == null || decisions == null) {
            throw TandemException.invalid("labels and decisions are required");
        }
        if (from < 0 || to < from || to > labels.length || to > decisions.length) {
            throw TandemException.invalid("range [" + from + ", " + to + ") outside labels[" + labels.length
                    + "] / decisions[" + decisions.length + "]");
        }
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = from; i < to; i++) {
            if (labels[i]) {
                if (decisions[i]) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (decisions[i]) {
                fp++;
            } else {
                tn++;
            }
        }
        return new Confusion(tp, fp, tn, fn);
    }

    /** Counts every point of two arrays of the same length. */
    public static Confusion count(boolean[] labels, boolean[] decisions) {
        if (labels != null && decisions != null && labels.length != decisions.length) {
            throw TandemException.invalid("labels[" + labels.length + "] and decisions[" + decisions.length
                    + "] differ in length");
        }
        return count(labels, decisions, 0, labels == null ? 0 : labels.length);
    }

    public long total() {
        return tp + fp + tn + fn;
    }

    /** Labelled positives: TP + FN. */
    public long positives() {
        return tp + fn;
    }

    /** Labelled negatives: FP + TN. */
    public long negatives() {
        return fp + tn;
    }

    /** Alarms raised: TP + FP. */
    public long alarms() {
        return tp + fp;
    }

    /** F1 = TP / (TP + (FN + FP) / 2), the SKAB form (equal to 2PR/(P+R) where both are defined). */
    public double f1() {
        return ratio(tp, tp + (fn + fp) / 2.0);
    }

    /** False alarm rate FP / (FP + TN). */
    public double far() {
        return ratio(fp, fp + tn);
    }

    /** Missed alarm rate FN / (FN + TP) = 1 - recall. */
    public double mar() {
        return ratio(fn, fn + tp);
    }

    /** TP / (TP + FP). */
    public double precision() {
        return ratio(tp, tp + fp);
    }

    /** TP / (TP + FN). */
    public double recall() {
        return ratio(tp, tp + fn);
    }

    /** Share of points labelled positive, (TP + FN) / total. */
    public double positiveFraction() {
        return ratio(positives(), total());
    }

    /** Share of points with an alarm, (TP + FP) / total. */
    public double alarmFraction() {
        return ratio(alarms(), total());
    }

    private static double ratio(double numerator, double denominator) {
        return denominator == 0 ? Double.NaN : numerator / denominator;
    }
}
