package dev.tandem.shared.identity;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.util.List;

/**
 * One broker identity: its role, its site and its name, and for sensors and agents the devices it
 * speaks for. The username is {@code site/name}, so that no identity can act under another site;
 * the MQTT client id is pinned to the username.
 */
public record Identity(Role role, String site, String name, List<String> devices) {
    /** A site serves at most this many devices per identity (bounds what a file or request can ask for). */
    public static final int MAX_DEVICES = 10_000;

    public Identity {
        if (role == null) {
            throw TandemException.invalid("role is required");
        }
        Checks.id("site", site);
        Checks.id("name", name);
        devices = devices == null ? List.of() : List.copyOf(devices);
        boolean siteWide = role == Role.HUB || role == Role.ADMIN || role == Role.MONITOR;
        if (siteWide && !devices.isEmpty()) {
            throw TandemException.invalid("a " + role + " identity names no devices (it serves the whole site)");
        }
        if (!siteWide && devices.isEmpty()) {
            throw TandemException.invalid(role + " identity " + name + " must name at least one device");
        }
        if (devices.size() > MAX_DEVICES) {
            throw TandemException.invalid(name + " names " + devices.size() + " devices, at most " + MAX_DEVICES);
        }
        if (devices.stream().distinct().count() != devices.size()) {
            throw TandemException.invalid(name + " names a device twice");
        }
        for (String d : devices) {
            Checks.id("device", d);
        }
    }

    public static Identity hub(String site, String name) {
        return new Identity(Role.HUB, site, name, List.of());
    }

    /** The site's read-only observer ({@link Role#MONITOR}). */
    public static Identity monitor(String site, String name) {
        return new Identity(Role.MONITOR, site, name, List.of());
    }

    public static Identity admin(String site) {
        return new Identity(Role.ADMIN, site, "broker-admin", List.of());
    }

    public static Identity agent(String site, String name, List<String> devices) {
        return new Identity(Role.AGENT, site, name, devices);
    }

    public static Identity sensor(String site, String name, List<String> devices) {
        return new Identity(Role.SENSOR, site, name, devices);
    }

    /** {@code site/name}: the MQTT username and client id. */
    public String username() {
        return site + "/" + name;
    }

    /**
     * The username of the extra connection an agent opens for the last will of one of its devices
     * besides the first (MQTT has one will per connection): {@code site/name~device}. It may only
     * publish that device's status.
     */
    public String willUsername(String device) {
        if (role != Role.AGENT || !devices.contains(device)) {
            throw TandemException.invalid(username() + " publishes no will for " + device);
        }
        return username() + WILL_SEPARATOR + device;
    }

    /** Separates an agent's username from the device of a will connection. */
    public static final String WILL_SEPARATOR = "~";

    /** The site and name of a username, or {@link dev.tandem.shared.error.ErrorCode#INVALID_FIELD}. */
    public static String[] splitUsername(String username) {
        int slash = username == null ? -1 : username.indexOf('/');
        if (slash < 0 || username.indexOf('/', slash + 1) >= 0) {
            throw TandemException.invalid("a username is site/name, got " + (username == null ? "none" : "'"
                    + (username.length() > 80 ? username.substring(0, 80) : username) + "'"));
        }
        return new String[]{Checks.id("site", username.substring(0, slash)), Checks.id("name", username.substring(slash + 1))};
    }
}
