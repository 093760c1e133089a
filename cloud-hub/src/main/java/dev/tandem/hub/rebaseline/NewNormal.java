package dev.tandem.hub.rebaseline;

import dev.tandem.hub.fit.DeviceFitter;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.fit.FittedDevice;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.large.LargeModel;
import dev.tandem.hub.verdict.VerdictScorer;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Sample;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a device's recent readings are a steady state, judged the hub's way: its models are fitted
 * on the first half ({@link DeviceFitter}, the one fit path) and every window of the second half is
 * judged through the one verdict path ({@link VerdictScorer}: context store, tracked view, large
 * model, verdict rule), as escalations carrying the second half in order. On a steady state the
 * share of anomalous verdicts stays near the verdicts' own false-alarm rate; on a device still
 * moving (a drift, a ramp, a fault that keeps changing) the second half is not what the first half
 * was, and the share is high. Deterministic up to the large model's training.
 *
 * <p>A slow ramp can pass the verdicts (the fit de-weights a channel that wanders within its
 * commissioning data, so the candidate takes the ramp for wander); so the readings also must not
 * move between the halves: no channel's mean may change by more than {@link #MAX_LEVEL_CHANGE} of
 * its first-half standard deviation.
 */
public final class NewNormal {
    private NewNormal() {
    }

    /** Largest change of a channel's mean from the first half to the second, in first-half standard deviations. */
    public static final double MAX_LEVEL_CHANGE = 1.0;

    /**
     * How the second half was judged.
     *
     * @param levelChange the largest change of a channel's mean between the halves, in first-half standard deviations
     */
    public record Judgement(int windows, int anomalous, double levelChange, String candidateVersion) {
        public double anomalousShare() {
            return windows == 0 ? 1.0 : (double) anomalous / windows;
        }

        /** A steady state: the levels stayed, and at most {@code maxAnomalousShare} of the verdicts are anomalies. */
        public boolean steady(double maxAnomalousShare) {
            return levelChange <= MAX_LEVEL_CHANGE && anomalousShare() <= maxAnomalousShare;
        }
    }

    /** The largest change of a channel's mean between the halves, in first-half standard deviations. */
    static double levelChange(List<Sample> first, List<Sample> second) {
        int channels = first.get(0).channels();
        double worst = 0;
        for (int c = 0; c < channels; c++) {
            double m1 = 0, m2 = 0, v1 = 0;
            for (Sample s : first) {
                m1 += s.value(c);
            }
            m1 /= first.size();
            for (Sample s : first) {
                v1 += (s.value(c) - m1) * (s.value(c) - m1);
            }
            double sd = Math.sqrt(v1 / first.size());
            for (Sample s : second) {
                m2 += s.value(c);
            }
            m2 /= second.size();
            double change = Math.abs(m2 - m1) / Math.max(sd, 1e-9 * Math.max(1, Math.abs(m1)));
            if (!(change <= worst)) {
                worst = change; // NaN wins
            }
        }
        return worst;
    }

    /**
     * Judges {@code samples} (contiguous, oldest first) of one device.
     *
     * @throws dev.tandem.shared.error.TandemException if the first half cannot be fitted on (too few samples)
     */
    public static Judgement judge(String site, String device, String deviceClass, List<Sample> samples,
                                  FitSettings settings) {
        int half = samples.size() / 2;
        FittedDevice candidate = DeviceFitter.fit(Commissioning.of(site, device, deviceClass, samples.subList(0, half)),
                settings);
        try (LargeModel large = candidate.large()) {
            int context = large.contextSize();
            List<Sample> second = samples.subList(half, samples.size());
            double level = levelChange(samples.subList(0, half), second);
            if (second.size() < context) {
                return new Judgement(0, 0, level, candidate.tiny().version());
            }
            List<Escalation> group = escalations(site, device, candidate.tiny(), context, second);
            VerdictScorer scorer = new VerdictScorer();
            int anomalous = 0;
            for (VerdictScorer.Judgement j : scorer.judge(new DeviceId(site, device), large, group)) {
                if (j.refused() || j.verdict(large.version(), 0).anomaly()) {
                    anomalous++;
                }
            }
            return new Judgement(group.size(), anomalous, level, candidate.tiny().version());
        }
    }

    /**
     * Contiguous readings (at least {@code context}) as the escalations a hub judges in one group, one
     * verdict per window from the {@code context}-th reading on: the first carries a whole context, each
     * next one the reading after it (as an edge sends them). Also how a retraining candidate's gate asks
     * the teacher about a held-back slice.
     */
    public static List<Escalation> escalations(String site, String device, dev.tandem.shared.tiny.TinyModel tiny,
                                               int context, List<Sample> samples) {
        List<Escalation> group = new ArrayList<>();
        group.add(escalation(site, device, tiny, context, samples.subList(0, context)));
        for (int i = context; i < samples.size(); i++) {
            group.add(escalation(site, device, tiny, context, List.of(samples.get(i))));
        }
        return group;
    }

    private static Escalation escalation(String site, String device, dev.tandem.shared.tiny.TinyModel tiny, int context,
                                         List<Sample> samples) {
        long windowId = samples.get(samples.size() - 1).seq();
        return new Escalation(Escalation.VERSION, "judge-" + windowId, site, device, windowId,
                tiny.windowSize(), context, tiny.version(), 0, samples, 0);
    }
}
