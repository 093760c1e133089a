package dev.tandem.shared.wire;

import java.util.List;

/** Sensor readings of one device, published by the sensors (or the simulator) on {@code readings}. */
public record ReadingBatch(int v, String site, String device, List<Sample> samples) {
    public static final int VERSION = 1;

    public ReadingBatch {
        Checks.version("ReadingBatch", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        samples = Samples.consistent(samples, Limits.MAX_BATCH_SAMPLES);
    }

    public static ReadingBatch of(String site, String device, List<Sample> samples) {
        return new ReadingBatch(VERSION, site, device, samples);
    }
}
