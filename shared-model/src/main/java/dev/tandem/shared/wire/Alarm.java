package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;

/** An anomaly raised for a window ({@code alarms}). */
public record Alarm(int v, String site, String device, long windowId, long ts, double score, Source source,
                    String modelVersion) {
    public static final int VERSION = 1;

    /** Who decided. */
    public enum Source {
        /** The tiny model was sure. */
        EDGE,
        /** The hub's verdict on an escalated window. */
        HUB,
        /** No verdict in time: the edge's own provisional decision stood. */
        EDGE_TIMEOUT
    }

    public Alarm {
        Checks.version("Alarm", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        Checks.finite("score", score);
        if (source == null) {
            throw TandemException.invalid("source is required");
        }
    }
}
