package dev.tandem.sim.broker.security;

import dev.tandem.shared.identity.AccessRules;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.Permission;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one authenticated client may do, precomputed from {@link AccessRules} when it connects:
 * publish to a topic its permissions match, subscribe to exactly a filter they list (as
 * mosquitto's {@code subscribeLiteral}: {@code $share/hub/...} only where the hub's group is allowed).
 */
record ClientAccess(Identity identity, Set<String> publishTopics, List<String> publishPatterns,
                    Set<String> subscribeFilters) {
    static ClientAccess of(Identity identity) {
        return of(identity, AccessRules.of(identity));
    }

    /** The will connection of an agent for one of its devices. */
    static ClientAccess will(Identity agent, String device) {
        return of(agent, AccessRules.willOf(agent, device));
    }

    private static ClientAccess of(Identity identity, List<Permission> permissions) {
        Set<String> exact = new HashSet<>();
        List<String> patterns = new java.util.ArrayList<>();
        Set<String> subscribe = new HashSet<>();
        for (Permission p : permissions) {
            if (p.activity() == Permission.Activity.PUBLISH) {
                if (p.topic().contains("+")) {
                    patterns.add(p.topic());
                } else {
                    exact.add(p.topic());
                }
            } else {
                subscribe.add(p.subscribeFilter());
            }
        }
        return new ClientAccess(identity, Set.copyOf(exact), List.copyOf(patterns), Set.copyOf(subscribe));
    }

    boolean mayPublish(String topic) {
        if (publishTopics.contains(topic)) {
            return true;
        }
        for (String p : publishPatterns) {
            if (TopicFilters.matches(p, topic)) {
                return true;
            }
        }
        return false;
    }

    boolean maySubscribe(String filter) {
        return subscribeFilters.contains(filter);
    }
}
