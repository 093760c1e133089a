package dev.tandem.shared.policy;

/** What the edge concludes about a window. */
public enum Decision {
    NORMAL, ANOMALY, UNCERTAIN
}
