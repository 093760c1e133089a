package dev.tandem.sim.factory;

import dev.tandem.shared.wire.Checks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The labels of the samples recorded so far, per device and sequence number, and the anomaly
 * episodes they form. Thread-safe: a publisher records while an evaluator reads. Compact (one byte
 * per sample), so hours of a fleet fit in memory.
 *
 * <p>An episode is a maximal run of consecutive recorded sequence numbers labelled with the same
 * kind; the generator keeps at least {@value MachineSimulator#MIN_GAP} normal samples between two
 * episodes, so runs and injected episodes coincide.
 */
public final class GroundTruth {
    private static final byte UNKNOWN = 0;
    private static final byte NORMAL = 1;
    private static final AnomalyKind[] KINDS = AnomalyKind.values();

    /** The label of one sample. {@code kind} is null when the sample is normal. */
    public record Label(boolean anomalous, AnomalyKind kind) {
        public static final Label NORMAL = new Label(false, null);

        public Label {
            if (anomalous != (kind != null)) {
                throw new IllegalArgumentException("anomalous=" + anomalous + " with kind=" + kind);
            }
        }
    }

    private final ConcurrentMap<String, DeviceLabels> devices = new ConcurrentHashMap<>();

    /** Records the label of a sample of {@code device}; recording a seq twice keeps the last label. */
    public void record(String device, LabeledSample sample) {
        record(device, sample.seq(), sample);
    }

    /**
     * Records the label of the sample at machine index {@code index} (its seq unless a scripted
     * restart reset the sequence: the index goes on counting, so labels are never overwritten).
     */
    public void record(String device, long index, LabeledSample sample) {
        Checks.id("device", device);
        Objects.requireNonNull(sample, "sample");
        byte code = sample.anomalous() ? (byte) (2 + sample.kind().ordinal()) : NORMAL;
        devices.computeIfAbsent(device, d -> new DeviceLabels()).put(index, code);
    }

    /** The label of a recorded sample, empty if that sample was never recorded. */
    public Optional<Label> label(String device, long seq) {
        DeviceLabels labels = devices.get(device);
        return labels == null ? Optional.empty() : Optional.ofNullable(decode(labels.get(seq)));
    }

    /** True only for a recorded anomalous sample. */
    public boolean isAnomalous(String device, long seq) {
        return label(device, seq).map(Label::anomalous).orElse(false);
    }

    /** The anomaly kind of a recorded sample, null when it is normal or unknown. */
    public AnomalyKind kind(String device, long seq) {
        return label(device, seq).map(Label::kind).orElse(null);
    }

    public boolean isRecorded(String device, long seq) {
        return label(device, seq).isPresent();
    }

    /** Devices with at least one recorded sample, sorted. */
    public Set<String> devices() {
        return new TreeSet<>(devices.keySet());
    }

    /** Number of recorded samples of one device. */
    public long recorded(String device) {
        DeviceLabels labels = devices.get(device);
        return labels == null ? 0 : labels.count(false);
    }

    /** Number of recorded samples, all devices. */
    public long recorded() {
        return devices.values().stream().mapToLong(l -> l.count(false)).sum();
    }

    /** Number of recorded anomalous samples, all devices. */
    public long anomalous() {
        return devices.values().stream().mapToLong(l -> l.count(true)).sum();
    }

    /** Number of recorded anomalous samples of one device. */
    public long anomalous(String device) {
        DeviceLabels labels = devices.get(device);
        return labels == null ? 0 : labels.count(true);
    }

    /** The episodes of one device, in order. */
    public List<AnomalyEpisode> episodes(String device) {
        DeviceLabels labels = devices.get(device);
        return labels == null ? List.of() : labels.episodes(device);
    }

    /** The episodes of every device, by device then start. */
    public List<AnomalyEpisode> episodes() {
        List<AnomalyEpisode> all = new ArrayList<>();
        for (String device : devices()) {
            all.addAll(episodes(device));
        }
        return all;
    }

    /** The episode that contains a sample, if it is anomalous. */
    public Optional<AnomalyEpisode> episodeAt(String device, long seq) {
        return episodes(device).stream().filter(e -> e.contains(seq)).findFirst();
    }

    private static Label decode(byte code) {
        return switch (code) {
            case UNKNOWN -> null;
            case NORMAL -> Label.NORMAL;
            default -> new Label(true, KINDS[code - 2]);
        };
    }

    /** Labels of one device: a growable array indexed by seq. */
    private static final class DeviceLabels {
        private byte[] codes = new byte[1024];
        private long highest = -1;
        private long recorded;
        private long anomalous;

        synchronized void put(long seq, byte code) {
            if (seq < 0 || seq > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("seq out of range for the ground truth: " + seq);
            }
            if (seq >= codes.length) {
                long size = Math.max(seq + 1, (long) codes.length * 2);
                codes = Arrays.copyOf(codes, (int) Math.min(size, Integer.MAX_VALUE - 8));
            }
            byte old = codes[(int) seq];
            recorded += (old == UNKNOWN ? 1 : 0);
            anomalous += (code > NORMAL ? 1 : 0) - (old > NORMAL ? 1 : 0);
            codes[(int) seq] = code;
            highest = Math.max(highest, seq);
        }

        synchronized byte get(long seq) {
            return seq < 0 || seq > highest ? UNKNOWN : codes[(int) seq];
        }

        synchronized long count(boolean anomalousOnly) {
            return anomalousOnly ? anomalous : recorded;
        }

        synchronized List<AnomalyEpisode> episodes(String device) {
            List<AnomalyEpisode> out = new ArrayList<>();
            int start = -1;
            for (int i = 0; i <= highest + 1; i++) {
                byte c = i <= highest ? codes[i] : UNKNOWN;
                if (start >= 0 && c != codes[start]) {
                    out.add(new AnomalyEpisode(device, KINDS[codes[start] - 2], start, i - 1));
                    start = -1;
                }
                if (start < 0 && c > NORMAL) {
                    start = i;
                }
            }
            return out;
        }
    }
}
