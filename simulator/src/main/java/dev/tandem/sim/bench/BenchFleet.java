package dev.tandem.sim.bench;

import dev.tandem.edge.EdgeConfig;
import dev.tandem.hub.HubConfig;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.sim.provision.Provisioner;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.provision.SiteLayout;

import java.nio.file.Path;
import java.util.List;

/**
 * Who the benchmark's clients are on one broker: anonymous, each flow on a site of its own (a plain
 * run), or the identities of a site provisioned for the benchmark, every flow on that site, over
 * plain TCP or TLS (a secured run: the broker checks every CONNECT, PUBLISH and SUBSCRIBE).
 */
final class BenchFleet {
    /** The secured site's name and its devices: one for the reading flows, one for the escalation flows. */
    static final String SITE = "bench";
    static final String READINGS_DEVICE = "machine-01";
    static final String ESCALATIONS_DEVICE = "machine-02";

    private final String mode;
    private final SiteAccess site;
    private final String run;
    /** A plain run's signing key (a secured run signs with the site's). */
    private final HubKey plainKey = HubKey.generate();

    private BenchFleet(String mode, SiteAccess site, String run) {
        this.mode = mode;
        this.site = site;
        this.run = run;
    }

    static BenchFleet plain(String run) {
        return new BenchFleet("plain", null, run);
    }

    /** A secured run with the identities of {@code site} (see {@link #provision}); {@code tls} names the mode only. */
    static BenchFleet secured(SiteAccess site, boolean tls, String run) {
        return new BenchFleet(tls ? "acl+tls" : "acl", site, run);
    }

    /**
     * The benchmark's site: a sensor publisher and an agent for the readings device (the agent also
     * reads the raw flow, before it runs), an agent for the escalations device, the hub and a second
     * hub identity for the raw escalation flow (run after the hub has gone).
     */
    static SiteAccess provision(Path dir) {
        SiteLayout layout = new SiteLayout(dir);
        Provisioner.create(layout, new Provisioner.Plan(SITE, List.of(
                Identity.sensor(SITE, "sensors", List.of(READINGS_DEVICE)),
                Identity.agent(SITE, "agent", List.of(READINGS_DEVICE)),
                Identity.agent(SITE, "esc-agent", List.of(ESCALATIONS_DEVICE)),
                Identity.hub(SITE, "hub-1"),
                Identity.hub(SITE, "hub-raw")), List.of("localhost", "127.0.0.1")));
        return SiteAccess.open(layout);
    }

    String mode() {
        return mode;
    }

    /** The site of a flow: its own in a plain run, the benchmark's site in a secured one. */
    String site(String flow) {
        return site == null ? "bench-" + flow + "-" + run : site.site();
    }

    /** The device of the escalation flows (in a plain run the line's own id, on a site of its own). */
    String escalationsDevice(String lineDevice) {
        return site == null ? lineDevice : ESCALATIONS_DEVICE;
    }

    /** A client: {@code name} is the identity in a secured run, part of the client id in a plain one. */
    BenchClient client(String name) {
        return site == null ? BenchClient.anonymous("bench-" + name + "-" + run)
                : new BenchClient(name, site.loginOf(name));
    }

    BrokerLogin login(String name) {
        return client(name).login();
    }

    HubConfig.Builder hub(HubConfig.Builder b) {
        b.instanceId("bench-hub-" + run);
        return site == null ? b.signingKey(plainKey) : b.login(site.loginOf("hub-1")).signingKey(site.signingKey());
    }

    EdgeConfig.Builder agent(EdgeConfig.Builder b) {
        if (site == null) {
            return b.clientId("bench-edge-" + run).hubKey(plainKey.publicKey());
        }
        return b.login(site.loginOf("agent")).hubKey(site.hubPublicKey());
    }
}
