package dev.tandem.sim.cli;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.Role;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.provision.Provisioner;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.provision.SiteLayout;
import dev.tandem.sim.provision.SiteRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "provision", mixinStandardHelpOptions = true,
        description = {
                "Provisions a site: an identity per agent, sensor publisher and hub instance, and both brokers' configuration.",
                "Writes to --out: site.json (identities and password hashes), credentials/NAME.json per identity (owner-only), "
                        + "hub.key (the site's model signing key, every hub instance) and hub.pub (pinned on every agent), "
                        + "tls/ (CA and broker certificate), mosquitto/ (dynamic-security file and listener configuration). "
                        + "The embedded broker reads site.json. --add and --revoke change a provisioned site without touching "
                        + "the other identities."})
final class ProvisionCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The site's directory.")
    Path out;

    @Option(names = "--site", paramLabel = "ID", description = "The site id (new sites only).")
    String site;

    @Option(names = "--agents", paramLabel = "N", description = "Agents agent-01..N, each serving one device machine-01..N "
            + "(the simulator's names), and one sensor publisher 'sensors' of all of them.")
    int agents;

    @Option(names = "--agent", paramLabel = "NAME=DEV[,DEV...]", description = "An agent and the devices it serves (repeat).")
    List<String> agentSpecs = new ArrayList<>();

    @Option(names = "--sensor", paramLabel = "NAME=DEV[,DEV...]", description = "A sensor publisher and its devices (repeat).")
    List<String> sensorSpecs = new ArrayList<>();

    @Option(names = "--hubs", paramLabel = "N", description = "Hub instances hub-1..N (default: 1 for a new site, 0 with --add).")
    Integer hubs;

    @Option(names = "--host", paramLabel = "NAME", description = "A host name or address the broker certificate is for "
            + "(repeat; default: localhost and 127.0.0.1).")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--add", description = "Add the identities given to the site in --out.")
    boolean add;

    @Option(names = "--revoke", paramLabel = "NAME", description = "Remove an identity from the site in --out "
            + "(the embedded broker disconnects it at once; a running mosquitto: see the README).")
    String revoke;

    @Option(names = "--rotate-key", description = "Rotate the site's signing key in --out: a new hub.key/hub.pub, "
            + "the rotation signed by the old key appended to key-history.json (give it to the hubs: --key-history).")
    boolean rotateKey;

    @Option(names = "--broker", paramLabel = "URL", converter = BrokerOption.class,
            description = "With --revoke: a running mosquitto of this site to revoke the identity on at once "
                    + "(as the site's broker administrator).")
    dev.tandem.shared.config.BrokerAddress broker;

    @Override
    public Integer call() {
        SiteLayout layout = new SiteLayout(out);
        if (rotateKey) {
            if (add || revoke != null || agents > 0 || !agentSpecs.isEmpty() || !sensorSpecs.isEmpty() || hubs != null) {
                throw invalid("--rotate-key takes no other change");
            }
            var history = Provisioner.rotateKey(layout);
            System.out.printf("rotated the signing key of site %s: %s now signs; %d rotation(s) in %s%n", history.site(),
                    dev.tandem.shared.signing.HubKey.load(layout.hubKey()).keyId(), history.rotations().size(),
                    layout.keyHistory());
            System.out.println("restart the hubs with --signing-key " + layout.hubKey() + " --key-history "
                    + layout.keyHistory());
            return 0;
        }
        if (revoke != null) {
            if (add || agents > 0 || !agentSpecs.isEmpty() || !sensorSpecs.isEmpty() || hubs != null) {
                throw invalid("--revoke takes no identities to add");
            }
            Identity revoked = SiteRegistry.load(layout.registry()).accounts().stream()
                    .map(SiteRegistry.Account::identity).filter(i -> i.name().equals(revoke)).findFirst()
                    .orElseThrow(() -> invalid("the site in " + out + " has no identity named " + revoke));
            SiteRegistry after = Provisioner.revoke(layout, revoke);
            if (broker != null) {
                List<String> gone = dev.tandem.sim.provision.LiveRevocation.onMosquitto(broker,
                        Provisioner.adminLogin(layout), revoked);
                System.out.printf("revoked on the running mosquitto at %s: %s%n", broker, String.join(", ", gone));
            }
            System.out.printf("revoked %s/%s; %d identities left in %s%n", after.site(), revoke,
                    after.accounts().size(), layout.registry());
            return 0;
        }
        String siteId = add ? SiteRegistry.load(layout.registry()).site() : site;
        if (siteId == null) {
            throw invalid("--site ID is required for a new site");
        }
        if (add && site != null && !site.equals(siteId)) {
            throw invalid("--site " + site + " is not the site in " + out + " (" + siteId + ")");
        }
        if (agents < 0 || agents > Identity.MAX_DEVICES) {
            throw invalid("--agents must be 0.." + Identity.MAX_DEVICES + ", got " + agents);
        }
        List<Identity> ids = new ArrayList<>();
        List<String> simDevices = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            String device = SimConfig.deviceId(i);
            simDevices.add(device);
            ids.add(Identity.agent(siteId, String.format("agent-%02d", i + 1), List.of(device)));
        }
        if (!simDevices.isEmpty()) {
            ids.add(Identity.sensor(siteId, "sensors", simDevices));
        }
        agentSpecs.forEach(s -> ids.add(spec(siteId, Role.AGENT, s)));
        sensorSpecs.forEach(s -> ids.add(spec(siteId, Role.SENSOR, s)));
        int hubCount = hubs != null ? hubs : add ? 0 : 1;
        if (hubCount < 0 || hubCount > 100) {
            throw invalid("--hubs must be 0..100, got " + hubCount);
        }
        for (int i = 1; i <= hubCount; i++) {
            ids.add(Identity.hub(siteId, "hub-" + i));
        }
        if (!add) {
            ids.add(Identity.monitor(siteId, SiteAccess.MONITOR)); // the site's read-only observer
        }
        if (ids.isEmpty()) {
            throw invalid("no identities given (--agents, --agent, --sensor, --hubs)");
        }
        if (add) {
            Provisioner.add(layout, ids);
        } else {
            Provisioner.create(layout, new Provisioner.Plan(siteId, ids,
                    hosts.isEmpty() ? List.of("localhost", "127.0.0.1") : hosts));
        }
        System.out.printf("%s site %s in %s: %d identities%n", add ? "added to" : "provisioned", siteId, out, ids.size());
        for (Identity id : ids) {
            System.out.printf("  %-7s %-24s %s%n", id.role().name().toLowerCase(java.util.Locale.ROOT), id.username(),
                    id.devices().isEmpty() ? "" : String.join(",", id.devices()));
        }
        if (!add) {
            System.out.printf("mosquitto: mosquitto -c %s (TLS on %d, plain on 127.0.0.1:%d)%n", layout.mosquittoConf(),
                    Provisioner.TLS_PORT, Provisioner.PLAIN_PORT);
        }
        return 0;
    }

    private static Identity spec(String site, Role role, String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw invalid("expected NAME=DEV[,DEV...], got '" + spec + "'");
        }
        Set<String> devices = new LinkedHashSet<>(List.of(spec.substring(eq + 1).split(",")));
        try {
            return new Identity(role, site, spec.substring(0, eq), List.copyOf(devices));
        } catch (TandemException e) {
            throw invalid(e.getMessage());
        }
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, message);
    }
}
