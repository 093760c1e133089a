package dev.tandem.shared.topic;

import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.util.Arrays;

/**
 * The one owner of the topic scheme: {@code tandem/v1/{site}/{device}/{kind}}.
 * The hub consumes escalations with a shared subscription so that instances split the load.
 */
public final class Topics {
    public static final String ROOT = "tandem/v1";
    /** Shared-subscription group of the hub instances. */
    public static final String HUB_GROUP = "hub";

    /** What a device topic carries. */
    public enum Kind {
        READINGS("readings"),
        ALARMS("alarms"),
        ESCALATIONS("escalations"),
        VERDICTS("verdicts"),
        STATUS("status"),
        MODEL("model"),
        MODEL_STATE("model/state"),
        /** A device's request for a piece of an assigned artifact ({@link dev.tandem.shared.wire.ArtifactFetch}). */
        MODEL_FETCH("model/fetch"),
        /** The hub's answer: one piece of the artifact, binary ({@link dev.tandem.shared.wire.ArtifactChunk}). */
        MODEL_CHUNK("model/chunk"),
        COMMISSIONING("commissioning"),
        /** The hub's signed key rotations (retained): how a device learns the site's next signing key. */
        TRUST("trust");

        private final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }

        public String suffix() {
            return suffix;
        }

        static Kind ofSuffix(String suffix) {
            return Arrays.stream(values()).filter(k -> k.suffix.equals(suffix)).findFirst().orElse(null);
        }
    }

    /** A parsed device topic. */
    public record DeviceTopic(String site, String device, Kind kind) {
    }

    private Topics() {
    }

    public static String of(String site, String device, Kind kind) {
        return ROOT + "/" + Checks.id("site", site) + "/" + Checks.id("device", device) + "/" + kind.suffix();
    }

    /** {@code tandem/v1/+/+/kind}: every device of every site. */
    public static String allDevices(Kind kind) {
        return ROOT + "/+/+/" + kind.suffix();
    }

    /** {@code tandem/v1/site/+/kind}: every device of one site. */
    public static String allDevices(String site, Kind kind) {
        return ROOT + "/" + Checks.id("site", site) + "/+/" + kind.suffix();
    }

    /**
     * {@code tandem/v1/site/notifications}: where the site's hubs may publish alarm notifications for
     * integrations (the topic a broker with ACLs allows them; monitors may read it).
     */
    public static String notifications(String site) {
        return ROOT + "/" + Checks.id("site", site) + "/notifications";
    }

    /** {@code $share/hub/tandem/v1/+/+/kind}: the hub group's share of every device's messages. */
    public static String shared(Kind kind) {
        return "$share/" + HUB_GROUP + "/" + allDevices(kind);
    }

    /** Parses a concrete (not wildcard) device topic, or throws {@link ErrorCode#UNEXPECTED_TOPIC}. */
    /** The hub group's shared subscription to one kind of every device of one site. */
    public static String shared(String site, Kind kind) {
        return "$share/" + HUB_GROUP + "/" + allDevices(site, kind);
    }

    public static DeviceTopic parse(String topic) {
        if (topic != null && topic.startsWith(ROOT + "/")) {
            String[] parts = topic.substring(ROOT.length() + 1).split("/", 3);
            if (parts.length == 3) {
                Kind kind = Kind.ofSuffix(parts[2]);
                if (kind != null) {
                    try {
                        return new DeviceTopic(Checks.id("site", parts[0]), Checks.id("device", parts[1]), kind);
                    } catch (TandemException e) {
                        throw new TandemException(ErrorCode.UNEXPECTED_TOPIC, "bad topic '" + topic + "': " + e.getMessage());
                    }
                }
            }
        }
        throw new TandemException(ErrorCode.UNEXPECTED_TOPIC, "not a Tandem device topic: '" + topic + "'");
    }
}
