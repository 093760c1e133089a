package dev.tandem.shared.identity;

/** Who connects to the broker. What each may do is {@link AccessRules}. */
public enum Role {
    /** A sensor publisher (one per site or line; the simulator plays it): publishes its devices' readings. */
    SENSOR,
    /** An edge agent (one per box, serving one or more devices): detects, escalates, reports for its devices. */
    AGENT,
    /** A hub instance (each its own username): answers escalations, fits and assigns models. */
    HUB,
    /**
     * A read-only observer of a site (an alarm recorder, a scenario's attack report, an integration):
     * subscribes to every device's alarms, status and model state; publishes nothing.
     */
    MONITOR,
    /**
     * The broker's administrator: only mosquitto's dynamic-security control topic (to revoke or add
     * an identity while the broker runs). No Tandem component logs in with it.
     */
    ADMIN
}
