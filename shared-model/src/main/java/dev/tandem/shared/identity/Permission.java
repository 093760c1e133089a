package dev.tandem.shared.identity;

/**
 * One thing an identity may do on the broker: publish to a topic, or subscribe to a filter (and so
 * receive what is published there). A {@code shared} subscription is the hub's
 * {@code $share/hub/...} form of the filter.
 */
public record Permission(Activity activity, String topic, boolean shared) {
    public enum Activity { PUBLISH, SUBSCRIBE }

    public static Permission publish(String topic) {
        return new Permission(Activity.PUBLISH, topic, false);
    }

    public static Permission subscribe(String filter) {
        return new Permission(Activity.SUBSCRIBE, filter, false);
    }

    public static Permission subscribeShared(String filter) {
        return new Permission(Activity.SUBSCRIBE, filter, true);
    }

    /** The filter as the client sends it in SUBSCRIBE ({@code $share/hub/} prefixed when shared). */
    public String subscribeFilter() {
        return shared ? "$share/" + dev.tandem.shared.topic.Topics.HUB_GROUP + "/" + topic : topic;
    }
}
