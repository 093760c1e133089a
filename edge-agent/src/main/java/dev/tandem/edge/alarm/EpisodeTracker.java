package dev.tandem.edge.alarm;

import dev.tandem.shared.wire.Alarm;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a device's final window decisions into alarm episodes: {@link Alarm.Phase#ONSET} once when a
 * decision turns anomalous, the episode held while windows stay anomalous and through short normal
 * gaps, {@link Alarm.Phase#UPDATE} at most once per {@link AlarmSettings#updateInterval()} while it
 * holds, {@link Alarm.Phase#CLEAR} once {@link AlarmSettings#clearAfterWindows()} normal windows came
 * in a row, and {@link Alarm.Phase#REBASELINED} when a new model goes active while it holds (the hub
 * re-fitted the device on its new normal; the new model starts from a clean state). Times are sample
 * times, so a replay gives the same episodes at any speed.
 *
 * <p>The one episode logic: the edge agent, the evaluation and the demo all count episodes through
 * this class. Needs no Vert.x. Not thread-safe: one per device, fed in the order decisions become
 * final (an escalated window's verdict may come after later windows were decided; it then counts
 * where it arrives, except that a late anomalous decision on a window at or before the end of the
 * last episode opens nothing: that window belonged to the episode already ended).
 */
public final class EpisodeTracker {
    /** Where the episode's messages go. */
    public interface Listener {
        void alarm(Alarm alarm);
    }

    private final String site;
    private final String device;
    private final AlarmSettings settings;
    private final Listener listener;

    private String episode;
    private long onsetTs;
    private long lastTs;
    private long lastWindowId;
    private long lastUpdateTs;
    private long anomalousWindows;
    private int normalRun;
    private double score;
    private double peak;
    private List<Integer> channels = List.of();
    private Alarm.Source source;
    private String modelVersion;
    private long onsets;
    private long updates;
    private long clears;
    private long rebaselines;
    private long heldMillisEnded;
    private long endedThrough = Long.MIN_VALUE;

    public EpisodeTracker(String site, String device, AlarmSettings settings, Listener listener) {
        this.site = site;
        this.device = device;
        this.settings = settings;
        this.listener = listener;
    }

    public AlarmSettings settings() {
        return settings;
    }

    /**
     * One window's final decision.
     *
     * @param anomaly      whether the window ends up anomalous
     * @param score        its score (1.0 = the decider's threshold)
     * @param source       who decided it anomalous (ignored when normal)
     * @param drivers      the channels that drove its score, strongest first (used at onset; may be empty)
     * @param modelVersion the model that scored it
     */
    public void window(long windowId, long ts, boolean anomaly, double score, Alarm.Source source, int[] drivers,
                       String modelVersion) {
        if (anomaly) {
            if (episode == null && windowId <= endedThrough) {
                return; // a late decision on a window of the episode that ended
            }
            if (episode == null) {
                open(windowId, ts, score, source, drivers, modelVersion);
                return;
            }
            anomalousWindows++;
            normalRun = 0;
            this.score = score;
            this.peak = Math.max(peak, score);
            this.source = source;
        } else if (episode == null) {
            return;
        } else {
            normalRun++;
        }
        advance(windowId, ts, modelVersion);
        if (!anomaly && normalRun > 0 && normalRun >= settings.clearAfterWindows()) {
            end(Alarm.Phase.CLEAR);
        } else if (lastTs - lastUpdateTs >= settings.updateInterval().toMillis()) {
            lastUpdateTs = lastTs;
            updates++;
            emit(Alarm.Phase.UPDATE);
        }
    }

    /**
     * A new model went active (a re-baseline from the hub, or any new model): an episode holding now
     * ends as REBASELINED at the newest window seen; the next anomalous window opens a new one.
     *
     * @return whether an episode ended
     */
    public boolean modelActivated(String newModelVersion) {
        if (episode == null) {
            return false;
        }
        modelVersion = newModelVersion;
        end(Alarm.Phase.REBASELINED);
        return true;
    }

    private void open(long windowId, long ts, double score, Alarm.Source source, int[] drivers, String modelVersion) {
        episode = "e" + ts + "-" + windowId;
        onsetTs = ts;
        lastTs = ts;
        lastWindowId = windowId;
        lastUpdateTs = ts;
        anomalousWindows = 1;
        normalRun = 0;
        this.score = score;
        this.peak = score;
        this.source = source;
        this.modelVersion = modelVersion;
        List<Integer> c = new ArrayList<>(drivers == null ? 0 : drivers.length);
        if (drivers != null) {
            for (int d : drivers) {
                c.add(d);
            }
        }
        channels = List.copyOf(c);
        onsets++;
        emit(Alarm.Phase.ONSET);
    }

    private void advance(long windowId, long ts, String modelVersion) {
        lastWindowId = Math.max(lastWindowId, windowId);
        lastTs = Math.max(lastTs, ts);
        if (modelVersion != null) {
            this.modelVersion = modelVersion;
        }
    }

    private void end(Alarm.Phase phase) {
        if (phase == Alarm.Phase.CLEAR) {
            clears++;
        } else {
            rebaselines++;
        }
        heldMillisEnded += heldMillis();
        endedThrough = lastWindowId;
        emit(phase);
        episode = null;
        channels = List.of();
    }

    private void emit(Alarm.Phase phase) {
        listener.alarm(new Alarm(Alarm.VERSION, site, device, episode, phase, lastWindowId, lastTs, onsetTs,
                heldMillis(), anomalousWindows, score, peak, channels, source, modelVersion));
    }

    /** Whether an episode holds now. */
    public boolean holding() {
        return episode != null;
    }

    /** The id of the episode holding now, or null. */
    public String episode() {
        return episode;
    }

    /** How long the episode holding now has held (sample time; 0 when none). */
    public long heldMillis() {
        return episode == null ? 0 : Math.max(0, lastTs - onsetTs);
    }

    public long onsets() {
        return onsets;
    }

    public long updates() {
        return updates;
    }

    public long clears() {
        return clears;
    }

    public long rebaselines() {
        return rebaselines;
    }

    /** Held time of the episodes that ended, plus the one holding now (sample time). */
    public long heldMillisTotal() {
        return heldMillisEnded + heldMillis();
    }
}
