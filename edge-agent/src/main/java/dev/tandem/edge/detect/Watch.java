package dev.tandem.edge.detect;

import dev.tandem.shared.signing.RolloutRules;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * The watchdog of a model just activated in a rollout: counts the windows it scores, those finally
 * decided anomalous and those escalated; once {@code minWindows} are scored, a share of anomalous or
 * of escalated windows outside its band trips it (once): {@code tripped} receives the reason, at a
 * window boundary, so the device can go back to its previous model before the next window.
 *
 * <p>A watch started at the swap also keeps the previous model scoring beside, as a reference (it
 * decides nothing). An alarm rate above its band is the model's fault only if the previous model, on
 * the same windows, stays in the band or alarms clearly less ({@link #REFERENCE_TOLERANCE}): when both
 * alarm alike, the machine is in a real fault and the new model is not rolled back for it (counted in
 * {@link #excused()}). A rate below the band (a model that stopped alarming) has no such excuse.
 * Without a reference (a watch resumed after a restart) the band alone decides.
 *
 * <p>Not thread-safe: the detector's thread.
 */
public final class Watch {
    private final String version;
    private final RolloutRules.Band alarmRate;
    private final RolloutRules.Band escalationRate;
    private final long minWindows;
    private final Consumer<String> tripped;
    private long windows;
    private long anomalous;
    private long escalated;
    private boolean done;
    /** How much more of the windows the model may find anomalous than its reference before the excuse ends. */
    public static final double REFERENCE_TOLERANCE = 0.1;
    private dev.tandem.shared.tiny.TinyModel reference;
    private dev.tandem.shared.tiny.TinyScorer referenceScorer;
    private long referenceWindows;
    private long referenceAnomalous;
    private long excused;

    /** @param version the model watched: only its windows count */
    public Watch(String version, RolloutRules rules, Consumer<String> tripped) {
        this.version = version;
        this.alarmRate = rules.alarmRate();
        this.escalationRate = rules.escalationRate();
        this.minWindows = rules.watchMinWindows();
        this.tripped = tripped;
    }

    public String version() {
        return version;
    }

    void window() {
        windows++;
    }

    void escalated() {
        escalated++;
    }

    void anomalous(String modelVersion) {
        if (version.equals(modelVersion)) {
            anomalous++;
        }
    }

    public long windows() {
        return windows;
    }

    /** Scores the previous model beside, from its own scorer as it stood at the swap (warm). */
    void reference(dev.tandem.shared.tiny.TinyModel model, dev.tandem.shared.tiny.TinyScorer scorer) {
        this.reference = model;
        this.referenceScorer = scorer;
    }

    dev.tandem.shared.tiny.TinyModel reference() {
        return reference;
    }

    dev.tandem.shared.tiny.TinyScorer referenceScorer() {
        return referenceScorer;
    }

    void referenceWindow(boolean anomalous) {
        referenceWindows++;
        if (anomalous) {
            referenceAnomalous++;
        }
    }

    /** The share of windows the previous model found anomalous beside this one (0 before any). */
    private double referenceRate() {
        return referenceWindows == 0 ? 0 : (double) Math.min(referenceAnomalous, referenceWindows) / referenceWindows;
    }

    /** Checks at which the alarm rate was out of its band but the previous model alarmed alike. */
    public long excused() {
        return excused;
    }

    /** The reason it trips now, or null. */
    String check() {
        if (done || windows < minWindows) {
            return null;
        }
        double alarm = (double) Math.min(anomalous, windows) / windows;
        double escalation = (double) Math.min(escalated, windows) / windows;
        boolean alarmOk = alarmRate.contains(alarm);
        if (alarm > alarmRate.max() && referenceWindows >= minWindows) {
            // too many alarms only: a real fault explains those, nothing explains too few
            double ref = referenceRate();
            if (ref > alarmRate.max() && alarm <= ref + REFERENCE_TOLERANCE) {
                excused++; // the previous model finds the machine as anomalous: a real fault, not the model
                alarmOk = true;
            }
        }
        if (alarmOk && escalationRate.contains(escalation)) {
            return null;
        }
        done = true;
        String ref = referenceWindows == 0 ? "" : String.format(Locale.ROOT, "; the previous model %.4f on %d windows",
                referenceRate(), referenceWindows);
        return String.format(Locale.ROOT, "after %d windows: alarm rate %.4f (band [%s, %s]), escalation rate %.4f "
                        + "(band [%s, %s])%s", windows, alarm, alarmRate.min(), alarmRate.max(), escalation,
                escalationRate.min(), escalationRate.max(), ref);
    }

    void trip(String reason) {
        tripped.accept(reason);
    }
}
