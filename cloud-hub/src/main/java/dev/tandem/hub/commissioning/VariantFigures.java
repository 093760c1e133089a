package dev.tandem.hub.commissioning;

import dev.tandem.hub.fit.ClassVariants;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.large.LargeModel;
import dev.tandem.hub.retrain.RetrainGate;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import dev.tandem.shared.window.SlidingWindow;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * What a device's tiny model, in the variant of its class, measured when the hub fitted it, kept with
 * the model in the registry: its artifact size and parameters, its scoring cost on this hub, and its
 * quality against the teacher on the commissioning windows (the share of windows where its decision
 * equals the large model's, through the one verdict path; and the share it alarms on).
 *
 * @param variant          {@link ClassVariants.Variant}, lower case
 * @param nanosPerWindow   scoring one window on the hub's machine (a board is slower; the ratios between
 *                         variants are what carries over)
 * @param windows          commissioning windows both models judged
 * @param teacherAgreement share of those where the tiny model's decision equals the teacher's; null without windows
 * @param alarmShare       share of those the tiny model alarms on; null without windows
 */
public record VariantFigures(String variant, String format, int artifactBytes, int parameters, int components,
                             double nanosPerWindow, int windows, Double teacherAgreement, Double alarmShare) {

    public static VariantFigures measure(DeviceId id, TinyModel tiny, LargeModel teacher, List<Sample> samples) {
        String variant = ClassVariants.Variant.ofVersion(tiny.version()).name().toLowerCase(Locale.ROOT);
        int bytes = TinyModelCodec.encode(tiny).length;
        int first = Math.max(teacher.contextSize(), tiny.windowSize()) - 1;
        boolean[] truth = samples.size() > first
                ? RetrainGate.truth(id, tiny, teacher, samples, RetrainGate.Labels.NONE, first).anomaly()
                : new boolean[samples.size()];
        TinyScorer scorer = tiny.scorer();
        SlidingWindow window = new SlidingWindow(tiny.windowSize(), tiny.channels());
        int windows = 0, agree = 0, alarms = 0, scored = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < samples.size(); i++) {
            window.add(samples.get(i));
            if (i < tiny.windowSize() - 1) {
                continue;
            }
            boolean anomaly = tiny.policy().edgeSaysAnomaly(scorer.score(window));
            scored++;
            if (i >= first) {
                windows++;
                agree += anomaly == truth[i] ? 1 : 0;
                alarms += anomaly ? 1 : 0;
            }
        }
        double nanos = scored == 0 ? 0 : (System.nanoTime() - t0) / (double) scored;
        return new VariantFigures(variant, tiny.format(), bytes, tiny.parameterCount(), tiny.components().length,
                Math.round(nanos * 10) / 10.0, windows, windows == 0 ? null : agree / (double) windows,
                windows == 0 ? null : alarms / (double) windows);
    }

    /** As the registry keeps it. */
    public String json() {
        return new String(Wire.encode(this), StandardCharsets.UTF_8);
    }
}
