package dev.tandem.sim.factory;

import dev.tandem.shared.wire.Sample;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * One simulated machine: a motor-driven pump on a duty cycle. Deterministic for its
 * (seed, machine index): calling {@link #next()} yields the same stream every run, however calls for
 * different machines interleave.
 *
 * <p>Dynamics: a per-machine load cycle (low/high duty cycle with smooth ramps, its own period and
 * phase, a little load jitter); motor current and vibration follow the load; the motor's temperature
 * lags the I²-heating first-order towards a slowly varying ambient; pressure and flow sit at the
 * intersection of the pump curve (speed follows load) and the system curve. Each channel has Gaussian
 * sensor noise and a slow bounded drift.
 *
 * <p>Anomalies (see {@link AnomalyKind}) are planned episode by episode after the commissioning
 * period, separated by normal gaps sized so that the configured fraction of samples is anomalous.
 * Half the episodes are subtle (a few noise sigmas), half obvious. The base dynamics use their own
 * random stream, so a seed gives the same healthy signal whatever the anomaly settings.
 *
 * <p>Not thread-safe by design but {@link #next()} is synchronized, so a machine may be driven
 * from any thread.
 */
public final class MachineSimulator {
    private static final int VIB = SensorChannel.VIBRATION_RMS.index();
    private static final int CUR = SensorChannel.MOTOR_CURRENT.index();
    private static final int TMP = SensorChannel.TEMPERATURE.index();
    private static final int PRS = SensorChannel.PRESSURE.index();
    private static final int FLW = SensorChannel.FLOW.index();
    private static final int N = SensorChannel.COUNT;

    /** Shortest normal stretch between two episodes, so that episodes never touch. */
    static final int MIN_GAP = 10;
    private static final double SUBTLE_PROBABILITY = 0.5;
    private static final double DRIFT_TAU = 4000.0;

    private final String deviceId;
    private final long startMillis;
    private final long periodMillis;
    private final int commissioning;
    private final double anomalyRate;
    private final List<AnomalyKind> kinds;

    private final Rng dyn;
    private final Rng anom;

    // machine parameters
    private final int cyclePeriod;
    private final int cyclePhase;
    private final double duty;
    private final int ramp;
    private final double lowLoad;
    private final double highLoad;
    private final double idleCurrent;
    private final double loadCurrent;
    private final double vib0;
    private final double vib1;
    private final double vib2;
    private final double ambient0;
    private final double ambientAmplitude;
    private final double ambientPeriod;
    private final double ambientPhase;
    private final double thermalRise;
    private final double thermalTau;
    private final double pumpHead;
    private final double staticHead;
    private final double systemShare;
    private final double nominalFlow;
    private final double[] sigma = new double[N];
    private final double[] driftStd = new double[N];

    // state
    private long seq;
    private double loadJitter;
    private double temperature;
    private final double[] drift = new double[N];

    // anomaly plan: the current or next episode
    private long episodeStart;
    private long episodeEnd;
    private AnomalyKind episodeKind;
    private final double[] magnitude = new double[N]; // signed offset (in value units) or noise factor
    private final boolean[] affected = new boolean[N];
    private final double[] stuck = new double[N];

    MachineSimulator(SimConfig config, int index) {
        this.deviceId = SimConfig.deviceId(index);
        this.startMillis = config.start().toEpochMilli();
        this.periodMillis = config.samplePeriod().toMillis();
        this.commissioning = config.commissioningSamples();
        this.anomalyRate = config.anomalyRate();
        EnumSet<AnomalyKind> enabled = EnumSet.noneOf(AnomalyKind.class);
        enabled.addAll(config.kinds());
        this.kinds = List.copyOf(enabled);

        Rng params = new Rng(Rng.derive(config.seed(), index, 1));
        this.dyn = new Rng(Rng.derive(config.seed(), index, 2));
        this.anom = new Rng(Rng.derive(config.seed(), index, 3));

        cyclePeriod = params.between(60, 300);
        cyclePhase = params.between(0, cyclePeriod - 1);
        duty = params.uniform(0.4, 0.75);
        ramp = params.between(5, Math.max(6, cyclePeriod / 10));
        lowLoad = params.uniform(0.15, 0.3);
        highLoad = params.uniform(0.75, 0.95);
        idleCurrent = params.uniform(3.0, 5.0);
        loadCurrent = params.uniform(15.0, 25.0);
        vib0 = params.uniform(0.8, 1.5);
        vib1 = params.uniform(1.5, 3.0);
        vib2 = params.uniform(0.5, 1.5);
        ambient0 = params.uniform(20.0, 28.0);
        ambientAmplitude = params.uniform(0.8, 2.0);
        ambientPeriod = params.uniform(3000, 8000);
        ambientPhase = params.uniform(0, 2 * Math.PI);
        thermalRise = params.uniform(30.0, 45.0);
        thermalTau = params.uniform(30.0, 80.0);
        pumpHead = params.uniform(5.5, 7.0);
        staticHead = params.uniform(0.8, 1.5);
        systemShare = params.uniform(0.55, 0.75);
        nominalFlow = params.uniform(80.0, 160.0);

        double midLoad = (lowLoad + highLoad) / 2;
        sigma[VIB] = 0.08 + 0.04 * (vib0 + vib1 * midLoad + vib2 * midLoad * midLoad);
        sigma[CUR] = 0.25;
        sigma[TMP] = 0.15;
        sigma[PRS] = 0.04;
        sigma[FLW] = 0.01 * nominalFlow;
        driftStd[VIB] = 0.05;
        driftStd[CUR] = 0.2;
        driftStd[TMP] = 0.3;
        driftStd[PRS] = 0.03;
        driftStd[FLW] = 0.005 * nominalFlow;

        double meanLoad = duty * highLoad + (1 - duty) * lowLoad;
        temperature = ambient(0) + thermalRise * square(trueCurrent(meanLoad) / (idleCurrent + loadCurrent));

        episodeStart = Long.MAX_VALUE;
        episodeEnd = Long.MAX_VALUE;
        if (anomalyRate > 0 && !kinds.isEmpty()) {
            planEpisode(commissioning);
        }
    }

    public String deviceId() {
        return deviceId;
    }

    /** Sequence number of the sample the next call to {@link #next()} returns. */
    public synchronized long nextSeq() {
        return seq;
    }

    /** The next sample of this machine with its ground-truth label. */
    public synchronized LabeledSample next() {
        long s = seq++;
        double[] v = healthy(s);
        AnomalyKind kind = null;
        if (s > episodeEnd) {
            planEpisode(s);
        }
        if (s >= episodeStart && s <= episodeEnd) {
            kind = episodeKind;
            applyAnomaly(s, v);
        }
        for (SensorChannel c : SensorChannel.values()) {
            v[c.index()] = c.clamp(v[c.index()]);
        }
        Sample sample = new Sample(s, startMillis + s * periodMillis, v);
        return kind == null ? LabeledSample.normal(sample) : LabeledSample.anomaly(sample, kind);
    }

    /** Noise sigma of each channel at mid load (the unit of anomaly magnitudes). */
    double sigma(SensorChannel channel) {
        return sigma[channel.index()];
    }

    // ---------------------------------------------------------------- healthy dynamics

    private double[] healthy(long s) {
        loadJitter = 0.97 * loadJitter + 0.01 * dyn.gaussian();
        double load = Math.max(0.0, Math.min(1.1, cycleLoad(s) + loadJitter));
        for (int c = 0; c < N; c++) {
            drift[c] = drift[c] * (1 - 1 / DRIFT_TAU) + Math.sqrt(2 / DRIFT_TAU) * driftStd[c] * dyn.gaussian();
        }

        double current = trueCurrent(load);
        double target = ambient(s) + thermalRise * square(current / (idleCurrent + loadCurrent));
        temperature += (target - temperature) / thermalTau;

        double vibration = vib0 + vib1 * load + vib2 * load * load;
        double speed = 0.55 + 0.45 * load;
        double q2 = Math.max(0.0, (pumpHead * speed * speed - staticHead) / (pumpHead - staticHead));
        double flow = nominalFlow * Math.sqrt(q2);
        double pressure = staticHead + systemShare * (pumpHead - staticHead) * q2;

        double[] v = new double[N];
        v[VIB] = vibration + (0.08 + 0.04 * vibration) * dyn.gaussian() + drift[VIB];
        v[CUR] = current + sigma[CUR] * dyn.gaussian() + drift[CUR];
        v[TMP] = temperature + sigma[TMP] * dyn.gaussian() + drift[TMP];
        v[PRS] = pressure + sigma[PRS] * dyn.gaussian() + drift[PRS];
        v[FLW] = flow + sigma[FLW] * dyn.gaussian() + drift[FLW];
        return v;
    }

    private double cycleLoad(long s) {
        double pos = Math.floorMod(s + cyclePhase, (long) cyclePeriod);
        double onEnd = duty * cyclePeriod;
        double up;
        if (pos < ramp) {
            up = smooth(pos / ramp);
        } else if (pos < onEnd) {
            up = 1.0;
        } else if (pos < onEnd + ramp) {
            up = 1.0 - smooth((pos - onEnd) / ramp);
        } else {
            up = 0.0;
        }
        return lowLoad + (highLoad - lowLoad) * up;
    }

    private double trueCurrent(double load) {
        return idleCurrent + loadCurrent * load;
    }

    private double ambient(long s) {
        return ambient0 + ambientAmplitude * Math.sin(2 * Math.PI * s / ambientPeriod + ambientPhase);
    }

    private static double smooth(double x) {
        return x * x * (3 - 2 * x);
    }

    private static double square(double x) {
        return x * x;
    }

    // ---------------------------------------------------------------- anomalies

    /** Plans the next episode to start after a normal gap following {@code after}. */
    private void planEpisode(long after) {
        double meanLength = kinds.stream().mapToDouble(MachineSimulator::meanDuration).average().orElse(1);
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
        };
    }

    private static double meanDuration(AnomalyKind kind) {
        return switch (kind) {
            case SPIKE -> 3;
            case LEVEL_SHIFT -> 50;
            case DEGRADATION -> 80;
            case STUCK_SENSOR -> 50;
            case NOISE_BURST -> 37.5;
        };
    }
}
