package dev.tandem.sim.attack;

/**
 * The attacks a scenario's {@code attack} event carries out against a running, secured fleet: an
 * outsider on the same network, and a legitimate identity of the site (an agent of another device)
 * gone rogue. Each must be refused by the broker before it reaches anyone; the device's own checks
 * (signed models, bounded payloads) are the second line, tested on their own.
 */
public enum Attack {
    /** Connect with no credentials. */
    ANONYMOUS("anonymous connect"),
    /** Connect as the rogue agent with a guessed password. */
    WRONG_PASSWORD("wrong password"),
    /** Connect with the victim's agent client id under the rogue's credentials (to kick it off). */
    STOLEN_CLIENT_ID("a second client with the victim's client id"),
    /** Publish a retained model for the victim, signed by the attacker's own key. */
    MODEL_HIJACK("a model for the victim signed by another key"),
    /** Publish a model assignment for the victim with no signature at all. */
    UNSIGNED_MODEL("an unsigned model for the victim"),
    /** Publish a verdict on the victim's verdict topic. */
    FORGED_VERDICT("a forged verdict for the victim"),
    /** Publish readings as the victim. */
    READINGS_AS_VICTIM("readings as the victim"),
    /** Publish a commissioning set for a device nobody provisioned. */
    INVENTED_DEVICE("commissioning an invented device"),
    /** Subscribe to the victim's verdicts and readings. */
    EAVESDROP("subscribing to the victim's verdicts and readings"),
    /** Join the hubs' shared subscription group for escalations. */
    JOIN_HUB_GROUP("joining the hubs' $share group"),
    /** Publish on a topic whose device id escapes the path ({@code ..}). */
    PATH_ESCAPE("a path-escaping device id");

    private final String description;

    Attack(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** The name in scenario files: lower case with dashes ({@code model-hijack}). */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The attack of a scenario file's name; INVALID_FIELD naming the known ones otherwise. */
    public static Attack ofWireName(String name) {
        for (Attack a : values()) {
            if (a.wireName().equals(name)) {
                return a;
            }
        }
        throw dev.tandem.shared.error.TandemException.invalid("unknown attack '" + name + "' (all, "
                + java.util.Arrays.stream(values()).map(Attack::wireName).collect(java.util.stream.Collectors.joining(", "))
                + ")");
    }
}
