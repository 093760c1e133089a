package dev.tandem.sim.eval;

import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.TandemException;

import java.util.ArrayList;
import java.util.List;

/**
 * One anomaly episode of one device: the readings {@code startSeq..endSeq} (both inclusive) are
 * anomalous, of the given kind (e.g. {@code "valve1"}, {@code "drift"}, {@code "spike"}).
 */
public record Episode(String device, String kind, long startSeq, long endSeq) {
    public Episode {
        Checks.nonBlank("device", device);
        Checks.nonBlank("kind", kind);
        if (startSeq < 0 || endSeq < startSeq) {
            throw TandemException.invalid("episode of " + device + " must have 0 <= startSeq <= endSeq, got "
                    + startSeq + ".." + endSeq);
        }
    }

    public long length() {
        return endSeq - startSeq + 1;
    }

    /**
     * The runs of {@code true} in {@code labels} from index {@code from} on, as episodes (seq = index).
     * A run already under way at {@code from} starts at {@code from}. Null labels give no episode.
     */
    public static List<Episode> fromLabels(String device, String kind, boolean[] labels, int from) {
        List<Episode> out = new ArrayList<>();
        if (labels == null) {
            return out;
        }
        int start = -1;
        for (int i = Math.max(0, from); i <= labels.length; i++) {
            boolean on = i < labels.length && labels[i];
            if (on && start < 0) {
                start = i;
            } else if (!on && start >= 0) {
                out.add(new Episode(device, kind, start, i - 1));
                start = -1;
            }
        }
        return out;
    }
}
