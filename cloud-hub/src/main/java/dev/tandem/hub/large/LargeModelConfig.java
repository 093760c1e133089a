package dev.tandem.hub.large;

/** SKELETON: training settings of the large model; to be completed. */
public record LargeModelConfig(int contextSize, long seed) {
    public static LargeModelConfig defaults() {
        return new LargeModelConfig(64, 42);
    }
}
