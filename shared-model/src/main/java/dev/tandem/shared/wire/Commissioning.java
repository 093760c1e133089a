package dev.tandem.shared.wire;

import java.util.List;

/**
 * A device's commissioning period: its first readings, assumed normal, sent by the edge agent to
 * the hub, which fits the device's models on them ({@code commissioning} topic).
 */
public record Commissioning(int v, String site, String device, List<Sample> samples, long sentAt) {
    public static final int VERSION = 1;

    public Commissioning {
        Checks.version("Commissioning", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        samples = Samples.consistent(samples);
    }

    public static Commissioning of(String site, String device, List<Sample> samples) {
        return new Commissioning(VERSION, site, device, samples, System.currentTimeMillis());
    }

    public int channels() {
        return samples.get(0).channels();
    }
}
