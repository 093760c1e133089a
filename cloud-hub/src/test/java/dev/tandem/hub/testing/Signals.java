package dev.tandem.hub.testing;

import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/** Deterministic 5-channel machine signals for hub tests (sample {@code seq} is always the same). */
public final class Signals {
    public static final int CHANNELS = 5;

    private Signals() {
    }

    public static double[] normal(long seq) {
        Random r = new Random(seq * 7919L + 17);
        double load = Math.sin(2 * Math.PI * seq / 50.0);
        return new double[]{
                1.0 + 0.3 * load + 0.05 * r.nextGaussian(),   // vibration RMS
                10 + 3 * load + 0.2 * r.nextGaussian(),       // motor current
                60 + 0.5 * load + 0.1 * r.nextGaussian(),     // temperature
                5 + 0.2 * load + 0.05 * r.nextGaussian(),     // pressure
                20 - 1.0 * load + 0.2 * r.nextGaussian()};    // flow
    }

    public static Sample sample(long seq) {
        return new Sample(seq, 1_700_000_000_000L + seq * 100, normal(seq));
    }

    /** A grossly abnormal sample: every channel far off its range. */
    public static Sample anomalous(long seq) {
        double[] v = normal(seq);
        v[0] += 5;
        v[1] += 40;
        v[2] += 25;
        v[3] -= 4;
        v[4] += 30;
        return new Sample(seq, 1_700_000_000_000L + seq * 100, v);
    }

    public static List<Sample> range(long from, long toInclusive) {
        List<Sample> out = new ArrayList<>();
        for (long s = from; s <= toInclusive; s++) {
            out.add(sample(s));
        }
        return out;
    }

    public static Commissioning commissioning(String site, String device, int n) {
        return Commissioning.of(site, device, range(0, n - 1));
    }

    public static Escalation escalation(String site, String device, List<Sample> samples, int contextSize) {
        long windowId = samples.get(samples.size() - 1).seq();
        return new Escalation(Escalation.VERSION, UUID.randomUUID().toString(), site, device, windowId,
                Math.min(10, contextSize), contextSize, "tiny-test", 0.8, samples, System.currentTimeMillis());
    }

    /** A full-context escalation of normal samples ending at {@code windowId}. */
    public static Escalation normalEscalation(String site, String device, long windowId, int contextSize) {
        return escalation(site, device, range(windowId - contextSize + 1, windowId), contextSize);
    }

    /** A full context whose last {@code bad} samples are anomalous. */
    public static Escalation anomalousEscalation(String site, String device, long windowId, int contextSize, int bad) {
        List<Sample> s = range(windowId - contextSize + 1, windowId - bad);
        for (long q = windowId - bad + 1; q <= windowId; q++) {
            s.add(anomalous(q));
        }
        return escalation(site, device, s, contextSize);
    }

    public static String site() {
        return "s" + UUID.randomUUID().toString().substring(0, 8);
    }
}
