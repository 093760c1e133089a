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
    /** The name of the read-only observer every new site gets ({@link Role#MONITOR}). */
    public static final String MONITOR = "monitor";

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
     * publisher for all of them ({@code sensors}) and one hub instance ({@code hub-1}).
     */
    public static SiteAccess provisionFor(SiteLayout layout, String site, List<String> devices) {
        List<Identity> ids = new java.util.ArrayList<>();
        for (String d : devices) {
            ids.add(Identity.agent(site, "agent-" + d, List.of(d)));
        }
        ids.add(Identity.sensor(site, "sensors", devices));
        ids.add(Identity.hub(site, "hub-1"));
        ids.add(Identity.monitor(site, MONITOR));
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

    /** The login of the first hub instance. */
    public BrokerLogin hub() {
        return login(registry.accounts().stream().map(SiteRegistry.Account::identity)
                .filter(i -> i.role() == Role.HUB).findFirst().orElseThrow(() -> missing("a hub identity")));
    }

    /** The login of the site's read-only observer (alarms, status, model state of every device). */
    public BrokerLogin monitor() {
        return login(registry.accounts().stream().map(SiteRegistry.Account::identity)
                .filter(i -> i.role() == Role.MONITOR).findFirst().orElseThrow(() -> missing("a monitor identity")));
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
