package dev.tandem.shared.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tandem.shared.error.TandemException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One message of an alarm episode ({@code alarms}). An alarm is an episode, not a window: the edge
 * publishes {@link Phase#ONSET} once when its decision turns anomalous, {@link Phase#UPDATE} now and
 * then while it holds (rate-limited), and ends it once with {@link Phase#CLEAR} (the device was back
 * to normal for a while) or {@link Phase#REBASELINED} (the hub sent a model fitted on the device's new
 * normal, and it went active). All messages of an episode carry its {@code episode} id.
 *
 * @param episode      the episode's id (unique per device; an {@link Checks#ID_PATTERN id})
 * @param phase        which message of the episode this is
 * @param windowId     the newest window this message speaks for (its newest sample's seq)
 * @param ts           that window's time (epoch ms, sample time)
 * @param onsetTs      the time of the episode's first anomalous window (epoch ms, sample time)
 * @param heldMillis   how long the episode has held at {@code ts} (sample time, never negative)
 * @param windows      anomalous windows in the episode so far (at least 1)
 * @param score        the latest anomalous window's score (1.0 = its decider's threshold)
 * @param peakScore    the highest score of the episode so far
 * @param channels     the channels that drove the onset, the strongest first (may be empty when unknown)
 * @param source       who decided the latest anomalous window
 * @param modelVersion the tiny model running at this message (for REBASELINED: the new one)
 * @param channelNames the names of {@code channels}, in the same order, where the device's readings name
 *                     their channels (version 3; null otherwise, and not written)
 */
public record Alarm(int v, String site, String device, String episode, Phase phase, long windowId, long ts,
                    long onsetTs, long heldMillis, long windows, double score, double peakScore,
                    List<Integer> channels, Source source, String modelVersion,
                    @JsonInclude(JsonInclude.Include.NON_NULL) List<String> channelNames) {
    /** Version 3 adds {@code channelNames}. */
    public static final int VERSION = 3;
    /** The oldest version read (see {@link Wire}). */
    public static final int MIN_VERSION = 2;

    /** An alarm whose channels are not named. */
    public Alarm(int v, String site, String device, String episode, Phase phase, long windowId, long ts,
                 long onsetTs, long heldMillis, long windows, double score, double peakScore,
                 List<Integer> channels, Source source, String modelVersion) {
        this(v, site, device, episode, phase, windowId, ts, onsetTs, heldMillis, windows, score, peakScore, channels,
                source, modelVersion, null);
    }

    /** Who decided. */
    public enum Source {
        /** The tiny model was sure. */
        EDGE,
        /** The hub's verdict on an escalated window. */
        HUB,
        /** No verdict in time: the edge's own provisional decision stood. */
        EDGE_TIMEOUT
    }

    /** The episode's lifecycle. */
    public enum Phase {
        /** Raised: the first anomalous window of the episode. */
        ONSET,
        /** Still holding (sent at most once per update interval). */
        UPDATE,
        /** Ended: back to normal for the configured while. */
        CLEAR,
        /** Ended: a model fitted on the device's new normal went active. */
        REBASELINED;

        /** Whether the episode is over after this message. */
        public boolean ends() {
            return this == CLEAR || this == REBASELINED;
        }
    }

    @JsonCreator
    public Alarm {
        Checks.version("Alarm", v, MIN_VERSION, VERSION);
        v = VERSION;
        Checks.id("site", site);
        Checks.id("device", device);
        Checks.id("episode", episode);
        if (phase == null) {
            throw TandemException.invalid("phase is required");
        }
        if (source == null) {
            throw TandemException.invalid("source is required");
        }
        if (heldMillis < 0) {
            throw TandemException.invalid("heldMillis must be >= 0, got " + heldMillis);
        }
        if (windows < 1) {
            throw TandemException.invalid("windows must be >= 1, got " + windows);
        }
        Checks.finite("score", score);
        Checks.finite("peakScore", peakScore);
        if (peakScore < score) {
            throw TandemException.invalid("peakScore " + peakScore + " is below score " + score);
        }
        if (channels == null) {
            channels = List.of();
        }
        if (channels.size() > Limits.MAX_CHANNELS) {
            throw TandemException.invalid("at most " + Limits.MAX_CHANNELS + " channels, got " + channels.size());
        }
        Set<Integer> seen = new HashSet<>();
        for (Integer c : channels) {
            if (c == null || c < 0 || c >= Limits.MAX_CHANNELS || !seen.add(c)) {
                throw TandemException.invalid("channels must be distinct indices in [0, " + Limits.MAX_CHANNELS
                        + "), got " + channels);
            }
        }
        channels = List.copyOf(channels);
        if (channelNames != null) {
            if (channelNames.size() != channels.size()) {
                throw TandemException.invalid(channelNames.size() + " channel names for " + channels.size() + " channels");
            }
            for (String n : channelNames) {
                if (n == null || n.isBlank() || n.length() > ReadingBatch.MAX_CHANNEL_NAME_CHARS) {
                    throw TandemException.invalid("channel names are 1.." + ReadingBatch.MAX_CHANNEL_NAME_CHARS
                            + " characters");
                }
            }
            channelNames = List.copyOf(channelNames);
        }
    }

    /**
     * This alarm with its channels named from the device's channel names ({@code names.get(i)} names
     * channel i); unchanged when {@code names} is null or does not cover every channel of the alarm.
     */
    public Alarm named(List<String> names) {
        if (names == null) {
            return this;
        }
        List<String> out = new ArrayList<>(channels.size());
        for (int c : channels) {
            if (c >= names.size()) {
                return this;
            }
            out.add(names.get(c));
        }
        return new Alarm(v, site, device, episode, phase, windowId, ts, onsetTs, heldMillis, windows, score, peakScore,
                channels, source, modelVersion, out);
    }
}
