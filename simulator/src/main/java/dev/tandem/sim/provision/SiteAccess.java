package dev.tandem.sim.provision;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.Role;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.shared.signing.TrustedKey;

import java.nio.file.Files;
import java.util.List;

/**
 * A provisioned site read back for the components of one process (the demo, a bench): who logs in
 * as what, the site CA, the hub's signing key and the key agents pin.
 */
public final class SiteAccess {
    /**
     * The identity an alarm recorder logs in as: a {@link Role#MONITOR} (reads the site's alarms, status and
     * model states, publishes nothing), its own name, so it takes no other client's session.
     */
    public static final String RECORDER = "alarm-recorder";

    private final SiteLayout layout;
    private final SiteRegistry registry;

    private SiteAccess(SiteLayout layout) {
        this.layout = layout;
        this.registry = SiteRegistry.load(layout.registry());
    }

    public static SiteAccess open(SiteLayout layout) {
        return new SiteAccess(layout);
    }

    /**
     * A throwaway site for one process: one agent per device ({@code agent-<device>}), one sensor
     * publisher for all of them ({@code sensors}), one hub instance ({@code hub-1}) and the alarm
     * recorder ({@value #RECORDER}, a read-only monitor).
     */
    public static SiteAccess provisionFor(SiteLayout layout, String site, List<String> devices) {
        List<Identity> ids = new java.util.ArrayList<>();
        for (String d : devices) {
            ids.add(Identity.agent(site, "agent-" + d, List.of(d)));
        }
        ids.add(Identity.sensor(site, "sensors", devices));
        ids.add(Identity.hub(site, "hub-1"));
        ids.add(Identity.monitor(site, RECORDER));
        Provisioner.create(layout, new Provisioner.Plan(site, ids, List.of("localhost", "127.0.0.1")));
        return open(layout);
    }

    public String site() {
        return registry.site();
    }

    public SiteLayout layout() {
        return layout;
    }

    /** The login of the agent that serves {@code device}. */
    public BrokerLogin agentFor(String device) {
        return login(registry.accounts().stream().map(SiteRegistry.Account::identity)
                .filter(i -> i.role() == Role.AGENT && i.devices().contains(device)).findFirst()
                .orElseThrow(() -> missing("an agent serving device " + device)));
    }

    /** The login of a sensor publisher that publishes every one of {@code devices}. */
    public BrokerLogin sensorFor(List<String> devices) {
        return login(registry.accounts().stream().map(SiteRegistry.Account::identity)
                .filter(i -> i.role() == Role.SENSOR && i.devices().containsAll(devices)).findFirst()
                .orElseThrow(() -> missing("a sensor publisher of devices " + devices)));
    }

    /** The login of the first hub instance (not the alarm recorder). */
    public BrokerLogin hub() {
        return login(registry.accounts().stream().map(SiteRegistry.Account::identity)
                .filter(i -> i.role() == Role.HUB).findFirst()
                .orElseThrow(() -> missing("a hub identity")));
    }

    /** The login of the alarm recorder ({@value #RECORDER}; {@code ./tandem provision --add --recorder} adds it). */
    public BrokerLogin recorder() {
        return login(registry.accounts().stream().map(SiteRegistry.Account::identity)
                .filter(i -> i.role() == Role.MONITOR && i.name().equals(RECORDER)).findFirst()
                .orElseThrow(() -> missing("alarm recorder identity '" + RECORDER
                        + "' (./tandem provision --out " + layout.root() + " --add --recorder)")));
    }

    /**
     * The sensor publishers that publish {@code devices}, each with the devices given that it
     * publishes (the first sensor identity of the site that publishes a device takes it), in the
     * order of the devices; INVALID_CONFIG naming a device no sensor identity may publish.
     */
    public java.util.Map<Identity, List<String>> sensorsOf(List<String> devices) {
        List<Identity> sensors = registry.accounts().stream().map(SiteRegistry.Account::identity)
                .filter(i -> i.role() == Role.SENSOR).toList();
        java.util.Map<Identity, List<String>> out = new java.util.LinkedHashMap<>();
        for (String d : devices) {
            Identity s = sensors.stream().filter(i -> i.devices().contains(d)).findFirst()
                    .orElseThrow(() -> missing("sensor identity that may publish device " + d
                            + " (./tandem provision --out " + layout.root() + " --add --sensor NAME=" + d + ")"));
            out.computeIfAbsent(s, k -> new java.util.ArrayList<>()).add(d);
        }
        return out;
    }

    /** The identities of the site, as provisioned. */
    public List<Identity> identities() {
        return registry.accounts().stream().map(SiteRegistry.Account::identity).toList();
    }

    /** The login of the identity named {@code name} (its credentials file must be here). */
    public BrokerLogin loginOf(String name) {
        return login(registry.accounts().stream().map(SiteRegistry.Account::identity)
                .filter(i -> i.name().equals(name)).findFirst().orElseThrow(() -> missing("an identity " + name)));
    }

    /** The login of one identity of the site. */
    public BrokerLogin loginOf(Identity id) {
        return login(id);
    }

    public HubKey signingKey() {
        return HubKey.load(layout.hubKey());
    }

    /** The signing key's rotations, oldest first (empty: never rotated). */
    public java.util.List<dev.tandem.shared.signing.Signed> keyHistory() {
        return KeyHistory.load(layout.keyHistory(), registry.site()).rotations();
    }

    public TrustedKey hubPublicKey() {
        return TrustedKey.load(layout.hubPublicKey());
    }

    private BrokerLogin login(Identity id) {
        java.nio.file.Path file = layout.credentials(id.name());
        if (!Files.exists(file)) {
            throw missing("the credentials of " + id.username() + " (" + file + ")");
        }
        return BrokerLogin.of(Credentials.load(file), layout.caCertificate());
    }

    private TandemException missing(String what) {
        return new TandemException(ErrorCode.INVALID_CONFIG, "site " + registry.site() + " in " + layout.root()
                + " has no " + what);
    }
}
