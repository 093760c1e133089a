package dev.tandem.hub.verdict;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.large.LargeModel;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Verdict;

import java.util.ArrayList;
import java.util.List;

/**
 * The one way the hub judges escalations (the verdict worker and the evaluation alike): each
 * escalation's samples extend the device's history in a {@link ContextStore} (which also runs the
 * device's tracked view over them), the device's large model scores the group's contexts in one
 * batch (one by one if the batch is refused, so that one bad context does not cost the others their
 * verdicts), the score is taken {@link #withTracked with the tracked view}, and the verdict rule
 * ({@link Judgement#verdict}) turns it into the hub's answer. Not thread-safe: one per verdict thread.
 */
public final class VerdictScorer {
    private final ContextStore contexts;

    /** A scorer keeping only the contexts. */
    public VerdictScorer() {
        this(0);
    }

    /** A scorer whose store also keeps up to {@code recentCapacity} recent samples per device (for re-baselining). */
    public VerdictScorer(int recentCapacity) {
        this.contexts = new ContextStore(recentCapacity);
    }

    /**
     * How the hub judged one escalation.
     *
     * @param escalation     the escalation
     * @param score          the verdict score (>= 1.0 anomaly); NaN if refused
     * @param heldThroughSeq what the verdict may tell the edge the hub holds (see {@link Verdict#heldThroughSeq()})
     * @param refusal        why the large model could not score the escalation's context, or null
     */
    public record Judgement(Escalation escalation, double score, long heldThroughSeq, RuntimeException refusal) {
        public boolean refused() {
            return refusal != null;
        }

        /**
         * The hub's answer: the verdict score, anomaly at 1.0 and above (the large model's calibration
         * puts the threshold there). The one place the verdict rule lives.
         */
        public Verdict verdict(String hubModelVersion, long now) {
            return new Verdict(Verdict.VERSION, escalation.id(), escalation.site(), escalation.device(),
                    escalation.windowId(), score >= 1.0, score, hubModelVersion, heldThroughSeq, now);
        }
    }

    /**
     * Judges a device's escalations, in order, with {@code large} (the device's large model: its
     * context size and tracked view); one judgement per escalation, in the same order. A group of one
     * whose context is refused also forgets the device's history (it starts over with the next).
     */
    public List<Judgement> judge(DeviceId id, LargeModel large, List<Escalation> group) {
        int n = group.size();
        List<double[][]> rows = new ArrayList<>(n);
        long[] held = new long[n];
        double[] tracked = new double[n];
        for (int i = 0; i < n; i++) {
            ContextStore.Context c = contexts.apply(id, group.get(i).samples(), large.contextSize(), large.view());
            rows.add(c.rows());
            held[i] = c.heldThroughSeq();
            tracked[i] = c.tracked();
        }
        double[] scores;
        RuntimeException[] refusals = new RuntimeException[n];
        try {
            scores = large.score(rows);
        } catch (RuntimeException ex) {
            scores = new double[n];
            if (n == 1) {
                refusals[0] = ex;
                scores[0] = Double.NaN;
                contexts.forget(id);
            } else {
                for (int i = 0; i < n; i++) {
                    try {
                        scores[i] = large.score(List.<double[][]>of(rows.get(i)))[0];
                    } catch (RuntimeException single) {
                        refusals[i] = single;
                        scores[i] = Double.NaN;
                    }
                }
            }
        }
        List<Judgement> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Judgement(group.get(i), withTracked(scores[i], tracked[i]), held[i], refusals[i]));
        }
        return out;
    }

    /**
     * The verdict score of a context: the larger of its large-model score and the hub's running score of
     * the device at the context's newest sample by the model's {@link LargeModel#view} (NaN: none); both
     * are 1.0 at their own threshold. The autoencoder and the unsmoothed PCA stage judge the context's
     * shape (a short anomaly is not averaged away), the running view what only the stream's history
     * shows: a lasting anomaly that persists, a level that moved from where it was before. A refused
     * (NaN) score stays NaN.
     */
    public static double withTracked(double score, double tracked) {
        return Double.isNaN(tracked) ? score : Math.max(score, tracked); // Math.max keeps a NaN score
    }

    /** A device's recent samples, oldest first, contiguous (see {@link ContextStore#recent}). */
    public List<dev.tandem.shared.wire.Sample> recent(DeviceId id) {
        return contexts.recent(id);
    }

    /** How many recent samples are held for a device. */
    public int recentCount(DeviceId id) {
        return contexts.recentCount(id);
    }

    /** Devices whose history is held. */
    public int devices() {
        return contexts.devices();
    }
}
