package dev.tandem.sim.eval;

import dev.tandem.shared.error.TandemException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Detection delay per anomaly episode: from the episode's first anomalous reading to the first
 * alarm inside the episode (an alarm already on at onset gives 0), or missed when no reading of the
 * episode has an alarm. Alarms before the onset do not count (they are false alarms, scored by
 * {@link Confusion}). Delays are in rows (readings) and, when the device's timestamps are known, in
 * milliseconds. {@link #byKind} aggregates per anomaly kind.
 */
public final class DetectionDelay {
    private DetectionDelay() {
    }

    /**
     * The decisions of one device: {@code alarms[i]} is the decision for the reading with
     * {@code seq = firstSeq + i}; {@code timestamps} (same length) is optional.
     */
    public record Track(long firstSeq, boolean[] alarms, long[] timestamps) {
        public Track {
            Objects.requireNonNull(alarms, "alarms");
            if (firstSeq < 0) {
                throw TandemException.invalid("firstSeq must be >= 0, got " + firstSeq);
            }
            if (timestamps != null && timestamps.length != alarms.length) {
                throw TandemException.invalid(timestamps.length + " timestamps for " + alarms.length + " decisions");
            }
            alarms = alarms.clone();
            timestamps = timestamps == null ? null : timestamps.clone();
        }

        /** Decisions indexed by seq from 0, without timestamps. */
        public static Track of(boolean[] alarms) {
            return new Track(0, alarms, null);
        }

        /** Decisions and timestamps indexed by seq from 0. */
        public static Track of(boolean[] alarms, long[] timestamps) {
            return new Track(0, alarms, timestamps);
        }

        long lastSeq() {
            return firstSeq + alarms.length - 1;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Track t && t.firstSeq == firstSeq && Arrays.equals(t.alarms, alarms)
                    && Arrays.equals(t.timestamps, timestamps);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(firstSeq) * 31 + Arrays.hashCode(alarms);
        }
    }

    /**
     * The outcome for one episode.
     *
     * @param delayRows   readings from onset to the first alarm (0 = at onset); -1 when missed
     * @param delayMillis the same in time; -1 when missed or when the track has no timestamps
     */
    public record Detection(Episode episode, boolean detected, long delayRows, long delayMillis) {
    }

    /**
     * Delays of one kind of anomaly. Every statistic over delays is NaN when no episode of the
     * kind was detected (and the millisecond ones also when no timestamps were given).
     */
    public record KindSummary(String kind, int episodes, int detected, int missed, double detectionRate,
                              double meanDelayRows, double medianDelayRows, double maxDelayRows,
                              double meanDelayMillis, double medianDelayMillis, double maxDelayMillis) {
    }

    /** Episodes against per-device decisions indexed by seq from 0 (no timestamps). */
    public static List<Detection> measure(Collection<Episode> episodes, Map<String, boolean[]> decisionsByDevice) {
        Map<String, Track> tracks = new LinkedHashMap<>();
        decisionsByDevice.forEach((device, alarms) -> tracks.put(device, Track.of(alarms)));
        return measureTracks(episodes, tracks);
    }

    /**
     * Episodes against per-device tracks. An episode that runs past either end of its device's
     * track is clipped to it; an episode of a device without a track, or entirely outside the
     * track, is an error ({@code INVALID_FIELD}): it was never observed, so it cannot be scored.
     */
    public static List<Detection> measureTracks(Collection<Episode> episodes, Map<String, Track> tracks) {
        List<Detection> out = new ArrayList<>(episodes.size());
        for (Episode e : episodes) {
            Track track = tracks.get(e.device());
            if (track == null) {
                throw TandemException.invalid("no decisions for device " + e.device() + " of episode " + e);
            }
            long start = Math.max(e.startSeq(), track.firstSeq());
            long end = Math.min(e.endSeq(), track.lastSeq());
            if (start > end) {
                throw TandemException.invalid("episode " + e + " lies outside the decisions of seq "
                        + track.firstSeq() + ".." + track.lastSeq());
            }
            int from = (int) (start - track.firstSeq());
            int to = (int) (end - track.firstSeq());
            int hit = -1;
            for (int i = from; i <= to; i++) {
                if (track.alarms()[i]) {
                    hit = i;
                    break;
                }
            }
            if (hit < 0) {
                out.add(new Detection(e, false, -1, -1));
            } else {
                long[] ts = track.timestamps;
                long millis = ts == null ? -1 : ts[hit] - ts[from];
                out.add(new Detection(e, true, hit - from, millis));
            }
        }
        return out;
    }

    /** Per-kind summaries, sorted by kind. */
    public static Map<String, KindSummary> byKind(List<Detection> detections) {
        Map<String, List<Detection>> groups = new TreeMap<>();
        for (Detection d : detections) {
            groups.computeIfAbsent(d.episode().kind(), k -> new ArrayList<>()).add(d);
        }
        Map<String, KindSummary> out = new LinkedHashMap<>();
        groups.forEach((kind, list) -> out.put(kind, summarise(kind, list)));
        return out;
    }

    /** One summary over all detections, whatever their kind (named {@code kind}). */
    public static KindSummary summarise(String kind, List<Detection> detections) {
        long[] rows = detections.stream().filter(Detection::detected).mapToLong(Detection::delayRows).sorted().toArray();
        long[] millis = detections.stream().filter(d -> d.detected() && d.delayMillis() >= 0)
                .mapToLong(Detection::delayMillis).sorted().toArray();
        int n = detections.size();
        return new KindSummary(kind, n, rows.length, n - rows.length,
                n == 0 ? Double.NaN : (double) rows.length / n,
                mean(rows), median(rows), max(rows), mean(millis), median(millis), max(millis));
    }

    private static double mean(long[] sorted) {
        return sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).average().orElse(Double.NaN);
    }

    private static double median(long[] sorted) {
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static double max(long[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }
}
