package dev.tandem.sim.scenario;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.Role;
import dev.tandem.sim.provision.SiteAccess;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A secured run's connections: one per sensor publisher of the site (its client id is its username,
 * so it cannot be split), with the scenario's devices it publishes.
 */
final class SensorGroups {
    private SensorGroups() {
    }

    /** Sensor identity name to the scenario's devices it publishes; INVALID_CONFIG for a device none publishes. */
    static Map<String, List<String>> of(Scenario s, SiteAccess site) {
        List<Identity> sensors = site.identities().stream().filter(i -> i.role() == Role.SENSOR).toList();
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Scenario.Device d : s.devices()) {
            if (!d.site().equals(site.site())) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "device " + d.id() + " of scenario " + s.name()
                        + " is on site " + d.site() + ", the site in " + site.layout().root() + " is " + site.site());
            }
            Identity sensor = sensors.stream().filter(i -> i.devices().contains(d.id())).findFirst().orElseThrow(() ->
                    new TandemException(ErrorCode.INVALID_CONFIG, "no sensor publisher of site " + site.site()
                            + " publishes device " + d.id() + " (./tandem provision --add --sensor NAME=" + d.id() + ")"));
            out.computeIfAbsent(sensor.name(), k -> new ArrayList<>()).add(d.id());
        }
        return out;
    }
}
