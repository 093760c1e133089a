package dev.tandem.sim.broker.security;

/** MQTT topic matching for permissions: {@code +} is one level, {@code #} the rest (never in a topic). */
final class TopicFilters {
    private TopicFilters() {
    }

    static boolean matches(String filter, String topic) {
        if (filter.indexOf('+') < 0 && filter.indexOf('#') < 0) {
            return filter.equals(topic);
        }
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            return false;
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
