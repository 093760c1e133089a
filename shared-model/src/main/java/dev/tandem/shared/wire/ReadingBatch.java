package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;

import java.util.List;

/**
 * Sensor readings of one device, published by the sensors (or the simulator) on {@code readings}.
 *
 * <p>Version 2 adds the {@code epoch}: an id the sensor picks at each start (a random number, or
 * its boot counter) and sends with every batch. Sequence numbers count within an epoch, so a sensor
 * that restarts from seq 0 under a new epoch is a new sequence, not a replay of old readings.
 *
 * @param epoch the sensor's restart id (>= 0; 0 for a sensor that never restarts or does not tell)
 */
public record ReadingBatch(int v, String site, String device, long epoch, List<Sample> samples) {
    public static final int VERSION = 2;

    public ReadingBatch {
        Checks.version("ReadingBatch", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        if (epoch < 0) {
            throw TandemException.invalid("epoch must be >= 0, got " + epoch);
        }
        samples = Samples.consistent(samples, Limits.MAX_BATCH_SAMPLES);
    }

    /** A batch of epoch 0. */
    public static ReadingBatch of(String site, String device, List<Sample> samples) {
        return of(site, device, 0, samples);
    }

    public static ReadingBatch of(String site, String device, long epoch, List<Sample> samples) {
        return new ReadingBatch(VERSION, site, device, epoch, samples);
    }
}
