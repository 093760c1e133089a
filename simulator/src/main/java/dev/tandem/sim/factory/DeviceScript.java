package dev.tandem.sim.factory;

import dev.tandem.shared.error.TandemException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * What happens to one device besides its healthy signal, by sample index: scripted faults (labelled
 * in the ground truth), operating-point changes that are not faults (persistent offsets), silences
 * (power cut, maintenance: samples generated, not sent), sequence resets (a restart) and clock
 * jumps. Thread-safe; read by the machine as it generates, written by a scenario or a test.
 *
 * <p>Faults of one device never overlap each other, nor a silence: a sample carries one label, and a
 * fault nobody can see is not a test. Both are refused with INVALID_CONFIG naming the two.
 */
public final class DeviceScript {
    private record Scheduled(Fault fault, long start, long end, int[] channels, double[] stuck) {
        boolean covers(long i) {
            return i >= start && i <= end;
        }
    }

    private record Offset(String kind, long start, long ramp, double[] delta) {
    }

    private record Silence(String reason, long start, long end) {
    }

    private record Mark(String kind, long at, long millis) {
    }

    private final String device;
    private final DeviceProfile profile;
    private final List<Scheduled> faults = new ArrayList<>();
    private final List<Offset> offsets = new ArrayList<>();
    private final List<Silence> silences = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();
    private volatile boolean empty = true;

    DeviceScript(String device, DeviceProfile profile) {
        this.device = device;
        this.profile = profile;
    }

    /** True while nothing was ever scheduled (the machine then skips the script). */
    boolean isEmpty() {
        return empty;
    }

    /** Index of the sample {@code seconds} after sample 0. */
    public long index(double seconds) {
        return Math.round(seconds * profile.rateHz());
    }

    /** Samples in {@code seconds} (at least 1). */
    public long samples(double seconds) {
        return Math.max(1, Math.round(seconds * profile.rateHz()));
    }

    /** Schedules {@code fault} from sample {@code start}; refused if it overlaps another fault or a silence. */
    public synchronized void schedule(Fault fault, long start) {
        int[] channels = new int[fault.channels().size()];
        for (int k = 0; k < channels.length; k++) {
            channels[k] = profile.indexOf(fault.channels().get(k));
            if (channels[k] < 0) {
                throw TandemException.invalid(device + ": no channel '" + fault.channels().get(k) + "' on device type '"
                        + profile.type() + "' (channels " + profile.channelNames() + ")");
            }
        }
        long length = fault.duration().isZero() ? 1 : samples(fault.duration().toMillis() / 1000.0);
        Scheduled s = new Scheduled(fault, start, start + length - 1, channels, new double[channels.length]);
        java.util.Arrays.fill(s.stuck, Double.NaN);
        for (Scheduled other : faults) {
            if (s.start <= other.end && other.start <= s.end) {
                throw overlap(fault.kind().wireName() + " fault", s.start, s.end,
                        other.fault.kind().wireName() + " fault", other.start, other.end);
            }
        }
        for (Silence other : silences) {
            if (s.start <= other.end && other.start <= s.end) {
                throw overlap(fault.kind().wireName() + " fault", s.start, s.end, other.reason, other.start, other.end);
            }
        }
        faults.add(s);
        empty = false;
    }

    /** A persistent change of the operating point from {@code start} (not a fault): {@code deltas} per channel, ramped over {@code ramp} samples. */
    public synchronized void operatingChange(String kind, long start, long ramp, Map<String, Double> deltas) {
        double[] delta = new double[profile.channels().size()];
        deltas.forEach((name, d) -> {
            int c = profile.indexOf(name);
            if (c < 0) {
                throw TandemException.invalid(device + ": " + kind + " names no channel of device type '"
                        + profile.type() + "': '" + name + "' (channels " + profile.channelNames() + ")");
            }
            delta[c] = d;
        });
        offsets.add(new Offset(kind, start, Math.max(0, ramp), delta));
        empty = false;
    }

    /** Samples {@code start..end} are generated but not sent ({@code reason}: power_cut, maintenance). */
    public synchronized void silence(String reason, long start, long end) {
        for (Scheduled f : faults) {
            if (start <= f.end && f.start <= end) {
                throw overlap(reason, start, end, f.fault.kind().wireName() + " fault", f.start, f.end);
            }
        }
        for (Silence other : silences) {
            if (start <= other.end && other.start <= end) {
                throw overlap(reason, start, end, other.reason, other.start, other.end);
            }
        }
        silences.add(new Silence(reason, start, end));
        empty = false;
    }

    /** From sample {@code at} on, sequence numbers start again at 0 (a restart that lost its counter). */
    public synchronized void resetSequence(long at) {
        marks.add(new Mark("restart", at, 0));
        empty = false;
    }

    /** From sample {@code at} on, timestamps are off by {@code millis} (may be negative). */
    public synchronized void clockJump(long at, long millis) {
        marks.add(new Mark("clock_jump", at, millis));
        empty = false;
    }

    public synchronized boolean silent(long i) {
        for (Silence s : silences) {
            if (i >= s.start && i <= s.end) {
                return true;
            }
        }
        return false;
    }

    /** The wire sequence number of sample {@code i}. */
    public synchronized long seq(long i) {
        long base = 0;
        for (Mark m : marks) {
            if (m.kind.equals("restart") && m.at <= i) {
                base = Math.max(base, m.at);
            }
        }
        return i - base;
    }

    /** Scripted restarts at or before sample {@code i} (each one starts a new sensor epoch). */
    public synchronized long restarts(long i) {
        long n = 0;
        for (Mark m : marks) {
            if (m.kind.equals("restart") && m.at <= i) {
                n++;
            }
        }
        return n;
    }

    /** How far the device's clock is off at sample {@code i}. */
    public synchronized long shiftMillis(long i) {
        long shift = 0;
        for (Mark m : marks) {
            if (m.kind.equals("clock_jump") && m.at <= i) {
                shift += m.millis;
            }
        }
        return shift;
    }

    /**
     * Applies operating offsets and the fault covering sample {@code i} to {@code v} (channel units;
     * {@code sigma}: each channel's noise, the unit of magnitudes). Returns the fault's kind, or null.
     */
    synchronized AnomalyKind apply(long i, double[] v, double[] sigma, Rng rng) {
        for (Offset o : offsets) {
            if (i >= o.start) {
                double share = o.ramp == 0 ? 1 : Math.min(1, (double) (i - o.start + 1) / o.ramp);
                for (int c = 0; c < v.length; c++) {
                    v[c] += o.delta[c] * share;
                }
            }
        }
        for (Scheduled s : faults) {
            if (s.covers(i)) {
                applyFault(s, i, v, sigma, rng);
                return s.fault.kind();
            }
        }
        return null;
    }

    private void applyFault(Scheduled s, long i, double[] v, double[] sigma, Rng rng) {
        Fault f = s.fault;
        double progress = s.end == s.start ? 1 : (double) (i - s.start) / (s.end - s.start);
        for (int k = 0; k < s.channels.length; k++) {
            int c = s.channels[k];
            double a = f.sigmas() * sigma[c] * (f.weights().isEmpty() ? 1 : f.weights().get(k));
            switch (f.kind()) {
                case SPIKE, LEVEL_SHIFT, CORRELATED -> v[c] += a;
                case DRIFT -> v[c] += a * progress;
                case DEGRADATION -> {
                    double grown = 0.05 + 0.95 * progress * progress;
                    v[c] += a * grown + 0.3 * grown * sigma[c] * rng.gaussian();
                }
                case STUCK_SENSOR -> {
                    if (Double.isNaN(s.stuck[k])) {
                        s.stuck[k] = v[c];
                    }
                    v[c] = s.stuck[k];
                }
                case NOISE_BURST -> {
                    double factor = Math.max(1, Math.abs(f.sigmas()));
                    v[c] += sigma[c] * Math.sqrt(factor * factor - 1) * rng.gaussian();
                }
                case OSCILLATION -> {
                    double periodSamples = Math.max(2, f.period().toMillis() / 1000.0 * profile.rateHz());
                    v[c] += a * Math.sin(2 * Math.PI * (i - s.start) / periodSamples);
                }
            }
        }
    }

    /**
     * The ground truth of this script; {@code time} gives the published timestamp of a sample index
     * (an event across a clock jump spans the earliest to the latest of its two ends).
     */
    public synchronized List<TruthEvent> truth(LongFunction<Instant> time) {
        List<TruthEvent> out = new ArrayList<>();
        for (Scheduled s : faults) {
            for (String channel : s.fault.channels()) {
                out.add(ordered(device, channel, s.fault.kind().wireName(), s.fault.severity().wireName(),
                        time.apply(s.start), time.apply(s.end), true));
            }
        }
        for (Offset o : offsets) {
            out.add(ordered(device, TruthEvent.ALL_CHANNELS, o.kind, null, time.apply(o.start),
                    time.apply(o.start + Math.max(0, o.ramp - 1)), false));
        }
        for (Silence s : silences) {
            out.add(ordered(device, TruthEvent.ALL_CHANNELS, s.reason, null, time.apply(s.start), time.apply(s.end), false));
        }
        for (Mark m : marks) {
            out.add(new TruthEvent(device, TruthEvent.ALL_CHANNELS, m.kind, null, time.apply(m.at), time.apply(m.at), false));
        }
        out.sort(java.util.Comparator.comparing(TruthEvent::start).thenComparing(TruthEvent::channel));
        return out;
    }

    private static TruthEvent ordered(String device, String channel, String kind, String severity, Instant a, Instant b,
                                      boolean anomalous) {
        return new TruthEvent(device, channel, kind, severity, a.isBefore(b) ? a : b, a.isBefore(b) ? b : a, anomalous);
    }

    private TandemException overlap(String what, long start, long end, String other, long oStart, long oEnd) {
        return TandemException.invalid(device + ": " + what + " at " + seconds(start) + "-" + seconds(end + 1)
                + " s overlaps the " + other + " at " + seconds(oStart) + "-" + seconds(oEnd + 1)
                + " s (one label per sample; faults cannot overlap each other or a silence)");
    }

    private String seconds(long index) {
        double s = index / profile.rateHz();
        return s == Math.rint(s) ? String.valueOf((long) s) : String.format(java.util.Locale.ROOT, "%.2f", s);
    }
}
