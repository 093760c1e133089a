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
    static final int VIB = SensorChannel.VIBRATION_RMS.index();
    static final int CUR = SensorChannel.MOTOR_CURRENT.index();
    static final int TMP = SensorChannel.TEMPERATURE.index();
    static final int PRS = SensorChannel.PRESSURE.index();
    static final int FLW = SensorChannel.FLOW.index();
    static final int N = SensorChannel.COUNT;

    /** Shortest normal stretch between two episodes, so that episodes never touch. */
    static final int MIN_GAP = RandomEpisodes.MIN_GAP;
    private static final double DRIFT_TAU = 4000.0;

    private final String deviceId;
    /** Stamp of sample 0 (epoch ms): the config's start, or the wall clock ({@link #stampFrom}). */
    private volatile long startMillis;
    private final RandomEpisodes episodes;

    private final Rng dyn;

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


    // the device type's channels and what is scripted on top of the healthy signal
    private final ProfiledChannels channels;
    private final DeviceScript script;
    private final Rng faultRng;
    /** Simulated time between two samples (ms), which the dynamics run on. */
    private final double periodExact;
    /** How much faster the simulated clock runs than the stamps: a stamp advances periodExact / speedup per sample. */
    private volatile double speedup = 1.0;

    MachineSimulator(SimConfig config, int index) {
        this(config, index, SimConfig.deviceId(index), null);
    }

    /**
     * Machine {@code index} of a line (its random streams derive from the seed and the index), named
     * {@code deviceId}, with the channels of {@code profile} (null: the pump's five channels, sampled
     * at the config's period, which is exactly the plain factory-line machine).
     */
    public MachineSimulator(SimConfig config, int index, String deviceId, DeviceProfile profile) {
        this.deviceId = dev.tandem.shared.wire.Checks.id("deviceId", deviceId);
        this.startMillis = config.start().toEpochMilli();
        DeviceProfile p = profile != null ? profile : DeviceProfile.pump(1000.0 / config.samplePeriod().toMillis());
        this.periodExact = p.periodMillis();

        Rng params = new Rng(Rng.derive(config.seed(), index, 1));
        this.dyn = new Rng(Rng.derive(config.seed(), index, 2));

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

        this.episodes = new RandomEpisodes(config, new Rng(Rng.derive(config.seed(), index, 3)), sigma);
        this.channels = new ProfiledChannels(p, sigma, new Rng(Rng.derive(config.seed(), index, 4)));
        this.faultRng = new Rng(Rng.derive(config.seed(), index, 5));
        this.script = new DeviceScript(deviceId, p);
    }

    public String deviceId() {
        return deviceId;
    }

    /**
     * Index of the sample the next call to {@link #next()} returns: its sequence number, unless a
     * scripted restart reset the sequence (the index goes on counting).
     */
    public synchronized long nextSeq() {
        return seq;
    }

    /** The next sample of this machine with its ground-truth label. */
    public synchronized LabeledSample next() {
        long s = seq++;
        double[] v = healthy(s);
        AnomalyKind kind = episodes.apply(s, v);
        for (SensorChannel c : SensorChannel.values()) {
            v[c.index()] = c.clamp(v[c.index()]);
        }
        double[] out = channels.map(s, v);
        long seqOut = s;
        long ts = stamp(s);
        if (!script.isEmpty()) {
            AnomalyKind scripted = script.apply(s, out, channels.sigma(), faultRng);
            kind = scripted != null ? scripted : kind;
            seqOut = script.seq(s);
        }
        channels.finish(s, out);
        Sample sample = new Sample(seqOut, ts, out);
        return kind == null ? LabeledSample.normal(sample) : LabeledSample.anomaly(sample, kind);
    }

    /** The device type: its rate and channels. */
    public DeviceProfile profile() {
        return channels.profile();
    }

    /** Samples per second (simulated time). */
    public double rateHz() {
        return channels.profile().rateHz();
    }

    /** Restarts scripted at or before sample {@code index} (the sensor's epoch moves on at each). */
    public long restartsAt(long index) {
        return script.isEmpty() ? 0 : script.restarts(index);
    }

    /** What is scripted on this machine: faults, operating changes, silences, restarts, clock jumps. */
    public DeviceScript script() {
        return script;
    }

    /**
     * Injects {@code fault} starting {@code after} (process time, as the fault's own duration) from the next sample (zero: the next sample).
     * Refused (INVALID_CONFIG) if it overlaps a fault or a silence already scripted.
     */
    public synchronized void inject(Fault fault, java.time.Duration after) {
        script.schedule(fault, seq + script.index(after.toMillis() / 1000.0));
    }

    /** Whether sample {@code index} falls in a silence (generated, not to be sent). */
    public boolean silentAt(long index) {
        return !script.isEmpty() && script.silent(index);
    }

    /** The timestamp sample {@code index} is (or will be) published with. */
    public java.time.Instant timestamp(long index) {
        return java.time.Instant.ofEpochMilli(stamp(index));
    }

    /**
     * Maps this machine's simulated clock onto {@code origin}: sample 0 is stamped {@code origin} and
     * each later one {@code 1 / speedup} of a simulated sample period after the one before (a scripted
     * clock jump scaled the same way), so that a machine published at {@code speedup} times its
     * simulated rate stamps its samples with the wall clock. Only before the first sample
     * (INVALID_CONFIG after it, or for a speedup outside (0, 10^6]).
     */
    public synchronized void stampFrom(java.time.Instant origin, double speedup) {
        if (!(speedup > 0 && speedup <= 1e6)) {
            throw new dev.tandem.shared.error.TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG,
                    "speedup must be in (0, 1000000], got " + speedup);
        }
        if (seq != 0) {
            throw new dev.tandem.shared.error.TandemException(dev.tandem.shared.error.ErrorCode.INVALID_CONFIG,
                    deviceId + ": the clock is set before the first sample, " + seq + " were generated");
        }
        this.startMillis = origin.toEpochMilli();
        this.speedup = speedup;
    }

    /** The stamp of sample {@code index}: the simulated time (clock jumps included) mapped onto the wire's clock. */
    private long stamp(long index) {
        double simulated = index * periodExact + (script.isEmpty() ? 0 : script.shiftMillis(index));
        return startMillis + Math.round(simulated / speedup);
    }

    /** The ground truth of what is scripted on this machine (faults, and events that are not faults). */
    public java.util.List<TruthEvent> scriptedTruth() {
        return script.truth(this::timestamp);
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
}
