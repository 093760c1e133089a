package dev.tandem.shared.wire;

/** A device's progress with a model update ({@code model/state}). */
public record ModelState(int v, String site, String device, String version, State state, String reason, long ts) {
    public static final int VERSION = 1;

    public enum State { RECEIVED, ACTIVE, REJECTED }

    public ModelState {
        Checks.version("ModelState", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        Checks.nonBlank("version", version);
        if (state == null) {
            throw TandemException.invalid("state is required");
        }
    }

    public static ModelState of(String site, String device, String version, State state, String reason) {
        return new ModelState(VERSION, site, device, version, state, reason, System.currentTimeMillis());
    }
}
