package dev.tandem.shared.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tandem.shared.error.TandemException;

import java.util.HashSet;
import java.util.List;

/**
 * Sensor readings of one device, published by the sensors (or the simulator) on {@code readings}.
 *
 * <p>Version 2 adds the {@code epoch}: an id the sensor picks at each start (a random number, or
 * its boot counter) and sends with every batch. Sequence numbers count within an epoch, so a sensor
 * that restarts from seq 0 under a new epoch is a new sequence, not a replay of old readings.
 *
 * <p>Version 3 adds the optional {@code channels}: the name of each channel, in the samples' order, so
 * that alarms and the console can name what they speak of (a version 2 batch reads with none).
 *
 * @param epoch    the sensor's restart id (>= 0; 0 for a sensor that never restarts or does not tell)
 * @param channels each channel's name (as many as the samples have values, distinct, 1..64 characters),
 *                 or null when the sensor does not tell (not written then)
 */
public record ReadingBatch(int v, String site, String device, long epoch, List<Sample> samples,
                           @JsonInclude(JsonInclude.Include.NON_NULL) List<String> channels) {
    public static final int VERSION = 3;
    /** The oldest version read (see {@link Wire}). */
    public static final int MIN_VERSION = 2;
    public static final int MAX_CHANNEL_NAME_CHARS = 64;

    public ReadingBatch {
        Checks.version("ReadingBatch", v, MIN_VERSION, VERSION);
        v = VERSION;
        Checks.id("site", site);
        Checks.id("device", device);
        if (epoch < 0) {
            throw TandemException.invalid("epoch must be >= 0, got " + epoch);
        }
        samples = Samples.consistent(samples, Limits.MAX_BATCH_SAMPLES);
        channels = channelNames(channels, samples.get(0).channels());
    }

    /** Checked channel names (null stays null): one per channel, distinct, 1..64 characters. */
    public static List<String> channelNames(List<String> names, int channels) {
        if (names == null) {
            return null;
        }
        if (names.size() != channels) {
            throw TandemException.invalid(names.size() + " channel names for " + channels + " channels");
        }
        HashSet<String> seen = new HashSet<>();
        for (String n : names) {
            if (n == null || n.isBlank() || n.length() > MAX_CHANNEL_NAME_CHARS || !seen.add(n)) {
                throw TandemException.invalid("channel names are distinct, 1.." + MAX_CHANNEL_NAME_CHARS
                        + " characters, got " + (n == null ? "null" : "'" + (n.length() > 70 ? n.substring(0, 70) : n) + "'"));
            }
        }
        return List.copyOf(names);
    }

    /** A batch of epoch 0. */
    public static ReadingBatch of(String site, String device, List<Sample> samples) {
        return of(site, device, 0, samples);
    }

    public static ReadingBatch of(String site, String device, long epoch, List<Sample> samples) {
        return new ReadingBatch(VERSION, site, device, epoch, samples, null);
    }

    /** A batch that names its channels. */
    public static ReadingBatch of(String site, String device, long epoch, List<Sample> samples, List<String> channels) {
        return new ReadingBatch(VERSION, site, device, epoch, samples, channels);
    }
}
