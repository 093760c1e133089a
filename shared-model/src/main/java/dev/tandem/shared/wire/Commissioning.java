package dev.tandem.shared.wire;

import java.util.List;

/**
 * A device's commissioning period: its first readings, assumed normal, sent by the edge agent to
 * the hub, which fits the device's models on them ({@code commissioning} topic). The device names
 * its class (the hardware it runs on, e.g. {@code pi-4}): the hub signs its models for that class.
 */
public record Commissioning(int v, String site, String device, String deviceClass, List<Sample> samples, long sentAt) {
    /** Version 2 added {@code deviceClass}. */
    public static final int VERSION = 2;
    /** The class of a device that names none. */
    public static final String DEFAULT_CLASS = "generic";

    public Commissioning {
        Checks.version("Commissioning", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        Checks.id("deviceClass", deviceClass);
        samples = Samples.consistent(samples, Limits.MAX_COMMISSIONING_SAMPLES);
    }

    public static Commissioning of(String site, String device, List<Sample> samples) {
        return of(site, device, DEFAULT_CLASS, samples);
    }

    public static Commissioning of(String site, String device, String deviceClass, List<Sample> samples) {
        return new Commissioning(VERSION, site, device, deviceClass, samples, System.currentTimeMillis());
    }

    public int channels() {
        return samples.get(0).channels();
    }
}
