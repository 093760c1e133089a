package dev.tandem.hub.escalation;

import dev.tandem.hub.fleet.DeviceId;
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
    /** A device's context for one escalation, oldest first, and what the verdict may tell the edge. */
    public record Context(double[][] rows, long heldThroughSeq) {
    }

    private static final class Held {
        final ArrayDeque<Sample> samples = new ArrayDeque<>();
        final int channels;

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
        Sample first = samples.get(0);
        long from = first.seq();
        Held h = held.get(id);
        boolean continues = h != null && !h.samples.isEmpty() && h.channels == first.channels()
                && from >= h.samples.peekFirst().seq() && from <= h.samples.peekLast().seq() + 1;
        if (continues) {
            while (!h.samples.isEmpty() && h.samples.peekLast().seq() >= from) {
                h.samples.removeLast();
            }
        } else {
            h = new Held(first.channels());
            held.put(id, h);
        }
        for (Sample s : samples) {
            h.samples.addLast(s);
        }
        while (h.samples.size() > contextSize) {
            h.samples.removeFirst();
        }
        double[][] rows = new double[h.samples.size()][];
        int i = 0;
        for (Sample s : h.samples) {
            rows[i++] = s.values();
        }
        long through = h.samples.size() >= contextSize ? h.samples.peekLast().seq() : -1;
        return new Context(rows, through);
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
