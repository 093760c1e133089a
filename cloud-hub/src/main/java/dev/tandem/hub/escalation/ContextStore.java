package dev.tandem.hub.escalation;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.tiny.LevelShift;
import dev.tandem.shared.wire.Sample;

import java.util.ArrayDeque;
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
 * starts the device's history over from what the escalation carries. Not thread-safe: owned by
 * the verdict worker.
 */
public final class ContextStore {
    /**
     * A device's context for one escalation, oldest first, what the verdict may tell the edge, and the
     * level-shift score of its newest sample (NaN without a level-shift stage).
     */
    public record Context(double[][] rows, long heldThroughSeq, double shift) {
        public Context(double[][] rows, long heldThroughSeq) {
            this(rows, heldThroughSeq, Double.NaN);
        }
    }

    /** How many samples a restarted level-shift average starts on (at most). */
    static final int SHIFT_START_ROWS = 10;

    private static final class Held {
        final ArrayDeque<Sample> samples = new ArrayDeque<>();
        final int channels;
        LevelShift stage;
        LevelShift.Tracker tracker;
        double shift = Double.NaN;

        Held(int channels) {
            this.channels = channels;
        }
    }

    private final Map<DeviceId, Held> held = new HashMap<>();

    /**
     * Adds an escalation's samples to the device's history and returns the context (at most
     * {@code contextSize} rows ending at the escalation's last sample). {@code heldThroughSeq} is
     * that last sample's seq when the hub now holds a full context, else -1 (send everything next time).
     */
    public Context apply(DeviceId id, List<Sample> samples, int contextSize) {
        return apply(id, samples, contextSize, null);
    }

    /**
     * As {@link #apply(DeviceId, List, int)}, and the samples the hub did not hold yet are fed, in
     * order, to the device's level-shift tracker of {@code stage} (the hub's own view of the device's
     * level against its reference, kept across escalations: with every sample, as in the cloud mode,
     * it is exactly the edge's; after a gap its fast average restarts and its reference is kept).
     * A new stage (a new model) starts a new tracker.
     */
    public Context apply(DeviceId id, List<Sample> samples, int contextSize, LevelShift stage) {
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
            if (h != null && h.channels == first.channels() && h.stage == stage && h.tracker != null) {
                fresh.stage = h.stage;
                fresh.tracker = h.tracker; // a gap: keep the reference level, restart the fast average
                fresh.tracker.restart();
            }
            h = fresh;
            held.put(id, h);
        }
        for (Sample s : samples) {
            h.samples.addLast(s);
        }
        track(h, samples, heldThrough, stage);
        while (h.samples.size() > contextSize) {
            h.samples.removeFirst();
        }
        double[][] rows = new double[h.samples.size()][];
        int i = 0;
        for (Sample s : h.samples) {
            rows[i++] = s.values();
        }
        long through = h.samples.size() >= contextSize ? h.samples.peekLast().seq() : -1;
        return new Context(rows, through, h.shift);
    }

    private static void track(Held h, List<Sample> samples, long heldThrough, LevelShift stage) {
        if (stage == null || stage.channels() != h.channels) {
            h.stage = null;
            h.tracker = null;
            h.shift = Double.NaN;
            return;
        }
        if (h.stage != stage) {
            h.stage = stage;
            h.tracker = stage.tracker();
        }
        List<Sample> fresh = samples.stream().filter(s -> s.seq() > heldThrough).toList();
        if (fresh.isEmpty()) {
            return; // a redelivery: nothing new
        }
        if (!h.tracker.started()) {
            int k = Math.min(SHIFT_START_ROWS, fresh.size());
            double[][] rows = new double[k][];
            for (int i = 0; i < k; i++) {
                rows[i] = fresh.get(i).values();
            }
            h.tracker.start(rows, 0, k);
        }
        for (Sample s : fresh) {
            h.shift = h.tracker.update(s.values());
        }
    }

    /** Samples held for a device (0 if none). */
    public int heldCount(DeviceId id) {
        Held h = held.get(id);
        return h == null ? 0 : h.samples.size();
    }

    public void forget(DeviceId id) {
        held.remove(id);
    }

    public int devices() {
        return held.size();
    }
}
