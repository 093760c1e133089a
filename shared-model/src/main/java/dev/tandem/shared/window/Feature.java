package dev.tandem.shared.window;

/** A per-channel summary of a window. */
public enum Feature {
    /** Arithmetic mean. */
    MEAN,
    /** Population standard deviation. */
    STD,
    /** Smallest value. */
    MIN,
    /** Largest value. */
    MAX,
    /** The newest value. */
    LAST,
    /** Least-squares slope per sample. */
    SLOPE
}
