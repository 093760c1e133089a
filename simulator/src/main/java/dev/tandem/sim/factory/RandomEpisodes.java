package dev.tandem.sim.factory;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * The factory line's random anomaly plan for one machine: episodes of the {@link SimConfig}'s kinds
 * after the commissioning period, separated by normal gaps sized so that the configured fraction of
 * samples is anomalous; half of them subtle (a few noise sigmas), half obvious. Its own random
 * stream, so a seed gives the same healthy signal whatever the anomaly settings. Confined to its
 * machine (called under the machine's lock).
 */
final class RandomEpisodes {
    private static final int VIB = MachineSimulator.VIB;
    private static final int CUR = MachineSimulator.CUR;
    private static final int TMP = MachineSimulator.TMP;
    private static final int PRS = MachineSimulator.PRS;
    private static final int FLW = MachineSimulator.FLW;
    private static final int N = MachineSimulator.N;

    /** Shortest normal stretch between two episodes, so that episodes never touch. */
    static final int MIN_GAP = 10;
    private static final double SUBTLE_PROBABILITY = 0.5;

    private final int commissioning;
    private final double anomalyRate;
    private final List<AnomalyKind> kinds;
    private final Rng anom;
    private final double[] sigma;

    // the current or next episode
    private long episodeStart = Long.MAX_VALUE;
    private long episodeEnd = Long.MAX_VALUE;
    private AnomalyKind episodeKind;
    private final double[] magnitude = new double[N]; // signed offset (in value units) or noise factor
    private final boolean[] affected = new boolean[N];
    private final double[] stuck = new double[N];

    RandomEpisodes(SimConfig config, Rng anom, double[] sigma) {
        this.commissioning = config.commissioningSamples();
        this.anomalyRate = config.anomalyRate();
        EnumSet<AnomalyKind> enabled = EnumSet.noneOf(AnomalyKind.class);
        enabled.addAll(config.kinds());
        this.kinds = List.copyOf(enabled);
        this.anom = anom;
        this.sigma = sigma;
        if (anomalyRate > 0 && !kinds.isEmpty()) {
            planEpisode(commissioning);
        }
    }

    /** Applies the episode covering sample {@code s} to the pump's values {@code v}; its kind, or null. */
    AnomalyKind apply(long s, double[] v) {
        if (s > episodeEnd) {
            planEpisode(s);
        }
        if (s >= episodeStart && s <= episodeEnd) {
            applyAnomaly(s, v);
            return episodeKind;
        }
        return null;
    }

    /** Plans the next episode to start after a normal gap following {@code after}. */
    private void planEpisode(long after) {
        double meanLength = kinds.stream().mapToDouble(RandomEpisodes::meanDuration).average().orElse(1);
        double meanGap = Math.max(MIN_GAP, meanLength * (1 - anomalyRate) / anomalyRate);
        long gap = MIN_GAP + Math.round(anom.exponential(Math.max(1, meanGap - MIN_GAP)));
        AnomalyKind kind = kinds.get(anom.between(0, kinds.size() - 1));
        int duration = duration(kind);
        boolean subtle = anom.chance(SUBTLE_PROBABILITY);

        episodeKind = kind;
        episodeStart = Math.max(after, commissioning) + gap;
        episodeEnd = episodeStart + duration - 1;
        Arrays.fill(affected, false);
        Arrays.fill(magnitude, 0);
        Arrays.fill(stuck, Double.NaN);

        switch (kind) {
            case SPIKE -> {
                for (int c : channels(anom.chance(0.75) ? 1 : 2)) {
                    affected[c] = true;
                    magnitude[c] = anom.sign() * sigma[c] * (subtle ? anom.uniform(4, 6) : anom.uniform(10, 20));
                }
            }
            case LEVEL_SHIFT -> {
                for (int c : channels(anom.chance(0.6) ? 1 : 2)) {
                    affected[c] = true;
                    magnitude[c] = anom.sign() * sigma[c] * (subtle ? anom.uniform(2, 3.5) : anom.uniform(6, 12));
                }
            }
            case DEGRADATION -> {
                double fin = subtle ? anom.uniform(3, 5) : anom.uniform(8, 15);
                switch (anom.between(0, 2)) {
                    case 0 -> { // bearing wear: vibration and temperature rise
                        degrade(VIB, +fin);
                        degrade(TMP, +fin * anom.uniform(0.5, 1.0));
                    }
                    case 1 -> { // winding / friction: current and temperature rise
                        degrade(CUR, +fin);
                        degrade(TMP, +fin * anom.uniform(0.5, 1.0));
                    }
                    default -> { // pump wear: pressure and flow fall
                        degrade(PRS, -fin);
                        degrade(FLW, -fin * anom.uniform(0.5, 1.0));
                    }
                }
            }
            case STUCK_SENSOR -> {
                int c = anom.between(0, N - 1);
                affected[c] = true;
            }
            case NOISE_BURST -> {
                for (int c : channels(anom.chance(0.6) ? 1 : 2)) {
                    affected[c] = true;
                    magnitude[c] = subtle ? anom.uniform(2.5, 3.5) : anom.uniform(6, 10);
                }
            }
        }
    }

    private void degrade(int channel, double sigmas) {
        affected[channel] = true;
        magnitude[channel] = sigmas * sigma[channel];
    }

    private void applyAnomaly(long s, double[] v) {
        double progress = episodeEnd == episodeStart ? 1.0
                : (double) (s - episodeStart) / (episodeEnd - episodeStart);
        for (int c = 0; c < N; c++) {
            if (!affected[c]) {
                continue;
            }
            switch (episodeKind) {
                case SPIKE, LEVEL_SHIFT -> v[c] += magnitude[c];
                case DEGRADATION -> {
                    double grown = (0.05 + 0.95 * progress);
                    v[c] += magnitude[c] * grown;
                    if (c == VIB) {
                        v[c] += 0.5 * grown * sigma[c] * anom.gaussian();
                    }
                }
                case STUCK_SENSOR -> {
                    if (Double.isNaN(stuck[c])) {
                        stuck[c] = SensorChannel.values()[c].clamp(v[c]);
                    }
                    v[c] = stuck[c];
                }
                case NOISE_BURST -> v[c] += sigma[c] * Math.sqrt(magnitude[c] * magnitude[c] - 1) * anom.gaussian();
            }
        }
    }

    /** {@code count} distinct channels drawn at random. */
    private int[] channels(int count) {
        int first = anom.between(0, N - 1);
        if (count == 1) {
            return new int[]{first};
        }
        int second = (first + anom.between(1, N - 1)) % N;
        return new int[]{first, second};
    }

    private int duration(AnomalyKind kind) {
        return switch (kind) {
            case SPIKE -> anom.between(1, 5);
            case LEVEL_SHIFT -> anom.between(20, 80);
            case DEGRADATION -> anom.between(40, 120);
            case STUCK_SENSOR -> anom.between(20, 80);
            case NOISE_BURST -> anom.between(15, 60);
            default -> throw new IllegalStateException("not planned at random: " + kind);
        };
    }

    private static double meanDuration(AnomalyKind kind) {
        return switch (kind) {
            case SPIKE -> 3;
            case LEVEL_SHIFT -> 50;
            case DEGRADATION -> 80;
            case STUCK_SENSOR -> 50;
            case NOISE_BURST -> 37.5;
            default -> throw new IllegalStateException("not planned at random: " + kind);
        };
    }
}
