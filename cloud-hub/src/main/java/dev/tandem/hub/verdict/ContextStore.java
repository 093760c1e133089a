package dev.tandem.hub.verdict;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.wire.Sample;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw history the hub holds per device, so that an escalation only needs to carry the samples
 * the hub does not already have (see {@link dev.tandem.shared.wire.Escalation} and
 * {@link dev.tandem.shared.wire.Verdict#heldThroughSeq()}).
 *
 * <p>Per device it keeps the last {@code contextSize} samples, contiguous in sequence number. An
 * escalation whose first sample follows (or overlaps) what is held extends it; anything else
 * starts the device's history over from what the escalation carries. With a recent capacity it
 * also keeps, per device, up to that many of the newest samples it received, contiguous in sequence
 * number (a gap starts them over): what a re-baseline is fitted on. Not thread-safe: owned by
 * a {@link VerdictScorer}.
 */
public final class ContextStore {
    /**
     * A device's context for one escalation, oldest first, what the verdict may tell the edge, and the
     * hub's running score of the device's newest sample by its tracked view (NaN: none yet).
     */
    public record Context(double[][] rows, long heldThroughSeq, double tracked) {
        public Context(double[][] rows, long heldThroughSeq) {
            this(rows, heldThroughSeq, Double.NaN);
        }
    }

    private static final class Held {
        final ArrayDeque<Sample> samples = new ArrayDeque<>();
        final int channels;
        TinyModel view;
        TinyScorer scorer;
        double tracked = Double.NaN;
        /** Whether the scorer has scored a window since it was created or reset. */
        boolean scoring;

        Held(int channels) {
            this.channels = channels;
        }
    }

    private final Map<DeviceId, Held> held = new HashMap<>();
    private final Map<DeviceId, ArrayDeque<Sample>> recent = new HashMap<>();
    private final int recentCapacity;

    /** A store that keeps only the contexts. */
    public ContextStore() {
        this(0);
    }

    /** A store that also keeps up to {@code recentCapacity} recent samples per device (0: none). */
    public ContextStore(int recentCapacity) {
        if (recentCapacity < 0) {
            throw new IllegalArgumentException("recentCapacity must be >= 0");
        }
        this.recentCapacity = recentCapacity;
    }

    /**
     * Adds an escalation's samples to the device's history and returns the context (at most
     * {@code contextSize} rows ending at the escalation's last sample). {@code heldThroughSeq} is
     * that last sample's seq when the hub now holds a full context, else -1 (send everything next time).
     */
    public Context apply(DeviceId id, List<Sample> samples, int contextSize) {
        return apply(id, samples, contextSize, null);
    }

    /**
     * As {@link #apply(DeviceId, List, int)}, and every window ending at a sample the hub did not hold
     * yet is scored, in order, by the device's running scorer of {@code view} (a tiny-model-format view
     * the hub fitted itself: its smoothing and level-shift reference are state that the context alone
     * cannot give, kept across escalations). With every sample (the cloud mode) it sees the stream as
     * the edge does; after a gap its smoothing and fast average restart and its reference level is
     * kept. A new view (a new model) starts a new scorer.
     */
    public Context apply(DeviceId id, List<Sample> samples, int contextSize, TinyModel view) {
        Sample first = samples.get(0);
        long from = first.seq();
        Held h = held.get(id);
        boolean continues = h != null && !h.samples.isEmpty() && h.channels == first.channels()
                && from >= h.samples.peekFirst().seq() && from <= h.samples.peekLast().seq() + 1;
        long heldThrough = Long.MIN_VALUE;
        if (continues) {
            heldThrough = h.samples.peekLast().seq();
            while (!h.samples.isEmpty() && h.samples.peekLast().seq() >= from) {
                h.samples.removeLast();
            }
        } else {
            Held fresh = new Held(first.channels());
            if (h != null && h.channels == first.channels() && h.view == view && h.scorer != null) {
                fresh.view = h.view;
                fresh.scorer = h.scorer; // a gap: keep what the scorer learnt, restart its averages
                fresh.scorer.reset();
            }
            h = fresh;
            held.put(id, h);
        }
        for (Sample s : samples) {
            h.samples.addLast(s);
        }
        keepRecent(id, samples);
        track(h, heldThrough, view, !h.scoring);
        while (h.samples.size() > contextSize) {
            h.samples.removeFirst();
        }
        double[][] rows = new double[h.samples.size()][];
        int i = 0;
        for (Sample s : h.samples) {
            rows[i++] = s.values();
        }
        long through = h.samples.size() >= contextSize ? h.samples.peekLast().seq() : -1;
        return new Context(rows, through, h.tracked);
    }

    private static void track(Held h, long heldThrough, TinyModel view, boolean restarted) {
        if (view == null || view.channels() != h.channels) {
            h.view = null;
            h.scorer = null;
            h.tracked = Double.NaN;
            return;
        }
        boolean fresh = restarted;
        if (h.view != view) {
            h.view = view;
            h.scorer = view.scorer();
            fresh = true;
        }
        List<Sample> all = new ArrayList<>(h.samples);
        int w = view.windowSize();
        // a (re)started scorer starts at the escalated (newest) window, as the edge's scorer started at
        // the first window it scored; after that every window ending at a new sample, in order
        int firstEnd = fresh ? all.size() - 1 : w - 1;
        for (int i = Math.max(w - 1, firstEnd); i < all.size(); i++) {
            if (all.get(i).seq() <= heldThrough) {
                continue; // scored when it arrived (this is a redelivery or an overlap)
            }
            double[][] window = new double[w][];
            for (int k = 0; k < w; k++) {
                window[k] = all.get(i + 1 - w + k).values();
            }
            h.tracked = h.scorer.score(window);
            h.scoring = true;
        }
    }

    private void keepRecent(DeviceId id, List<Sample> samples) {
        if (recentCapacity == 0) {
            return;
        }
        ArrayDeque<Sample> r = recent.computeIfAbsent(id, k -> new ArrayDeque<>());
        for (Sample s : samples) {
            if (!r.isEmpty()) {
                Sample last = r.peekLast();
                if (s.seq() <= last.seq()) {
                    continue; // held already (an overlap or a redelivery)
                }
                if (s.seq() != last.seq() + 1 || s.channels() != last.channels()) {
                    r.clear(); // a gap: the recent readings start over
                }
            }
            r.addLast(s);
            if (r.size() > recentCapacity) {
                r.removeFirst();
            }
        }
    }

    /** The device's recent samples, oldest first, contiguous (empty without a recent capacity). */
    public List<Sample> recent(DeviceId id) {
        ArrayDeque<Sample> r = recent.get(id);
        return r == null ? List.of() : List.copyOf(r);
    }

    /** How many recent samples are kept for a device. */
    public int recentCount(DeviceId id) {
        ArrayDeque<Sample> r = recent.get(id);
        return r == null ? 0 : r.size();
    }

    /** Samples held for a device (0 if none). */
    public int heldCount(DeviceId id) {
        Held h = held.get(id);
        return h == null ? 0 : h.samples.size();
    }

    public void forget(DeviceId id) {
        held.remove(id);
        recent.remove(id);
    }

    public int devices() {
        return held.size();
    }
}
