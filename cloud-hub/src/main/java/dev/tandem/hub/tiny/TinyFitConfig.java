package dev.tandem.hub.tiny;

/** SKELETON: fitting settings of the tiny model; to be completed. */
public record TinyFitConfig(int windowSize) {
    public static TinyFitConfig defaults() {
        return new TinyFitConfig(10);
    }
}
