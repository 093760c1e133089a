package dev.tandem.edge.commissioning;

import dev.tandem.shared.wire.Sample;

import java.util.ArrayList;
import java.util.List;

/**
 * A device's commissioning period: a device without a model keeps its first {@code target} samples
 * (assumed normal) so that the hub can fit its models on them; they go out once, as one
 * {@link dev.tandem.shared.wire.Commissioning} message. A model that arrives first (usually the
 * retained assignment of a device that was commissioned before) cancels it.
 *
 * <p>Not thread-safe: one per device, on the agent's event loop.
 */
public final class Commissioner {
    /** Where the device is in its commissioning. */
    public enum Phase {
        /** Keeping samples. */
        COLLECTING,
        /** The samples went to the hub; waiting for the model. */
        SENT,
        /** A model arrived: no commissioning needed (or no longer). */
        DONE
    }

    private final int target;
    private List<Sample> samples;
    private Phase phase = Phase.COLLECTING;

    public Commissioner(int target) {
        if (target < 1) {
            throw new IllegalArgumentException("target must be >= 1");
        }
        this.target = target;
        this.samples = new ArrayList<>(Math.min(target, 4096));
    }

    /**
     * Keeps a sample while collecting.
     *
     * @return the complete commissioning set when this sample completes it (exactly once), else null
     */
    public List<Sample> offer(Sample s) {
        if (phase != Phase.COLLECTING) {
            return null;
        }
        samples.add(s);
        if (samples.size() < target) {
            return null;
        }
        List<Sample> done = List.copyOf(samples);
        samples = List.of();
        phase = Phase.SENT;
        return done;
    }

    /** A model arrived: stop collecting and forget the samples. */
    public void complete() {
        phase = Phase.DONE;
        samples = List.of();
    }

    public Phase phase() {
        return phase;
    }

    /** Samples kept so far (while collecting). */
    public int collected() {
        return phase == Phase.COLLECTING ? samples.size() : (phase == Phase.SENT ? target : 0);
    }

    public int target() {
        return target;
    }
}
