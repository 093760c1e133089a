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

    /** The reason it trips now, or null. */
    String check() {
        if (done || windows < minWindows) {
            return null;
        }
        double alarm = (double) Math.min(anomalous, windows) / windows;
        double escalation = (double) Math.min(escalated, windows) / windows;
        if (alarmRate.contains(alarm) && escalationRate.contains(escalation)) {
            return null;
        }
        done = true;
        return String.format(Locale.ROOT, "after %d windows: alarm rate %.4f (band [%s, %s]), escalation rate %.4f "
                        + "(band [%s, %s])", windows, alarm, alarmRate.min(), alarmRate.max(), escalation,
                escalationRate.min(), escalationRate.max());
    }

    void trip(String reason) {
        tripped.accept(reason);
    }
}
