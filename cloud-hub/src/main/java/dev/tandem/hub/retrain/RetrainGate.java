package dev.tandem.hub.retrain;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.large.LargeModel;
import dev.tandem.hub.rebaseline.NewNormal;
import dev.tandem.hub.verdict.VerdictScorer;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.window.SlidingWindow;

import java.util.List;

/**
 * The evaluation gate of a retrained candidate: on a held-back slice of the device's recent readings
 * (none of which the candidate was fitted on), each window's truth is the operator's label where one
 * covers it (labels win) and else the teacher's verdict (the device's large model, through the one
 * verdict path); the active tiny model and the candidate decide every window at their thresholds.
 * The candidate passes when it agrees with the truth on more windows than the active model, its F1
 * against the truth is no lower, and its false-alarm rate no higher.
 */
public final class RetrainGate {
    private RetrainGate() {
    }

    /** The truth of one reading from the operator's labels: TRUE anomaly, FALSE normal, null none. */
    public interface Labels {
        Boolean at(long ts);

        Labels NONE = ts -> null;
    }

    /** One model's figures on the slice against the truth. */
    public record Figures(String version, long tp, long fp, long tn, long fn) {
        public long windows() {
            return tp + fp + tn + fn;
        }

        public double agreement() {
            return windows() == 0 ? 0 : (double) (tp + tn) / windows();
        }

        /** F1 against the truth; 1.0 when neither the truth nor the model names an anomaly. */
        public double f1() {
            return tp + fp + fn == 0 ? 1.0 : 2.0 * tp / (2.0 * tp + fp + fn);
        }

        public double far() {
            return fp + tn == 0 ? 0 : (double) fp / (fp + tn);
        }
    }

    /** The gate's judgement: passed or not, why, both models' figures, and how the truth was made. */
    public record Result(boolean passed, String reason, Figures active, Figures candidate, int windows,
                         int labelledWindows, int teacherAnomalies) {
    }

    public static Result judge(DeviceId id, TinyModel active, LargeModel teacher, TinyModel candidate,
                               List<Sample> slice, Labels labels) {
        int context = teacher.contextSize();
        int first = Math.max(context, Math.max(active.windowSize(), candidate.windowSize())) - 1;
        if (slice.size() <= first) {
            throw new IllegalArgumentException("the slice needs more than " + first + " readings, has " + slice.size());
        }
        Truth t = truth(id, active, teacher, slice, labels, first);
        boolean[] truth = t.anomaly();
        int labelled = t.labelled(), teacherAnomalies = t.teacherAnomalies();
        Figures a = figures(active, slice, truth, first);
        Figures c = figures(candidate, slice, truth, first);
        int windows = slice.size() - first;
        String reason;
        boolean passed;
        if (c.agreement() <= a.agreement()) {
            passed = false;
            reason = String.format(java.util.Locale.ROOT, "the candidate agrees with the truth on %.1f%% of %d windows, "
                    + "the active model on %.1f%%: not better", 100 * c.agreement(), windows, 100 * a.agreement());
        } else if (c.f1() < a.f1()) {
            passed = false;
            reason = String.format(java.util.Locale.ROOT, "F1 %.3f against the active model's %.3f", c.f1(), a.f1());
        } else if (c.far() > a.far()) {
            passed = false;
            reason = String.format(java.util.Locale.ROOT, "false-alarm rate %.1f%% against the active model's %.1f%%",
                    100 * c.far(), 100 * a.far());
        } else {
            passed = true;
            reason = String.format(java.util.Locale.ROOT, "agrees on %.1f%% of %d windows (active %.1f%%), F1 %.3f "
                            + "(active %.3f), false alarms %.1f%% (active %.1f%%)", 100 * c.agreement(), windows,
                    100 * a.agreement(), c.f1(), a.f1(), 100 * c.far(), 100 * a.far());
        }
        return new Result(passed, reason, a, c, windows, labelled, teacherAnomalies);
    }

    /**
     * Each reading's truth: TRUE where an operator's label says anomaly, else, from reading {@code first}
     * on, where the teacher judges the window ending at it anomalous (through the one verdict path; a
     * refused judgement counts as an anomaly); before {@code first} only the labels count.
     *
     * @param anomaly          per reading, the truth
     * @param labelled         readings from {@code first} on that a label decided
     * @param teacherAnomalies readings from {@code first} on that the teacher called anomalous (no label)
     */
    public record Truth(boolean[] anomaly, int labelled, int teacherAnomalies) {
    }

    /** @param first the first reading the teacher judges (at least its context size - 1) */
    public static Truth truth(DeviceId id, TinyModel active, LargeModel teacher, List<Sample> readings, Labels labels,
                              int first) {
        int context = teacher.contextSize();
        if (first < context - 1) {
            throw new IllegalArgumentException("the teacher judges from reading " + (context - 1) + ", not " + first);
        }
        boolean[] truth = new boolean[readings.size()];
        int labelled = 0, teacherAnomalies = 0;
        for (int i = 0; i < Math.min(first, readings.size()); i++) {
            truth[i] = Boolean.TRUE.equals(labels.at(readings.get(i).ts()));
        }
        if (readings.size() <= first) {
            return new Truth(truth, 0, 0);
        }
        List<VerdictScorer.Judgement> verdicts = new VerdictScorer().judge(id, teacher,
                NewNormal.escalations(id.site(), id.device(), active, context, readings));
        for (int i = first; i < readings.size(); i++) {
            Boolean label = labels.at(readings.get(i).ts());
            if (label != null) {
                truth[i] = label;
                labelled++;
            } else {
                VerdictScorer.Judgement j = verdicts.get(i - (context - 1));
                truth[i] = j.refused() || j.verdict(teacher.version(), 0).anomaly();
                teacherAnomalies += truth[i] ? 1 : 0;
            }
        }
        return new Truth(truth, labelled, teacherAnomalies);
    }

    private static Figures figures(TinyModel model, List<Sample> slice, boolean[] truth, int first) {
        TinyScorer scorer = model.scorer();
        SlidingWindow window = new SlidingWindow(model.windowSize(), model.channels());
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < slice.size(); i++) {
            window.add(slice.get(i));
            if (i < model.windowSize() - 1) {
                continue;
            }
            boolean anomaly = model.policy().edgeSaysAnomaly(scorer.score(window));
            if (i < first) {
                continue;
            }
            if (anomaly) {
                if (truth[i]) tp++; else fp++;
            } else {
                if (truth[i]) fn++; else tn++;
            }
        }
        return new Figures(model.version(), tp, fp, tn, fn);
    }
}
