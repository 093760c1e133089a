package dev.tandem.sim.cli;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.OperatorRole;
import dev.tandem.shared.identity.Role;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.provision.Provisioner;
import dev.tandem.sim.provision.SiteLayout;
import dev.tandem.sim.provision.SiteRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "provision", mixinStandardHelpOptions = true,
        description = {
                "Provisions a site: an identity per agent, sensor publisher and hub instance, and both brokers' configuration.",
                "Writes to --out: site.json (identities and password hashes), credentials/NAME.json per identity (owner-only), "
                        + "hub.key (the site's model signing key, every hub instance) and hub.pub (pinned on every agent), "
                        + "tls/ (CA and broker certificate), mosquitto/ (dynamic-security file and listener configuration), "
                        + "operators/admin.token (the REST API token of operator 'admin', owner-only; site.json keeps its hash). "
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

    @Option(names = "--recorder", description = "The alarm recorder's identity (read-only: a monitor named "
            + dev.tandem.sim.provision.SiteAccess.RECORDER + ", for sim run --site-dir --record-alarms and attacks).")
    boolean recorder;

    @Option(names = "--operator", paramLabel = "NAME=ROLE", description = "An operator of the hub's REST API, role "
            + "admin or read-only (repeat); its token goes to operators/NAME.token. A new site always gets 'admin'.")
    List<String> operatorSpecs = new ArrayList<>();

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
            if (add || agents > 0 || !agentSpecs.isEmpty() || !sensorSpecs.isEmpty() || hubs != null || recorder
                    || !operatorSpecs.isEmpty()) {
                throw invalid("--revoke takes no identities to add");
            }
            SiteRegistry registry = SiteRegistry.load(layout.registry());
            if (registry.operator(revoke).isPresent()) {
                SiteRegistry after = Provisioner.revoke(layout, revoke);
                System.out.printf("revoked operator %s of site %s (hubs following %s refuse its token within a second); "
                        + "%d operators left%n", revoke, after.site(), layout.registry(), after.operators().size());
                return 0;
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
        if (recorder) {
            ids.add(Identity.monitor(siteId, dev.tandem.sim.provision.SiteAccess.RECORDER));
        }
        Map<String, OperatorRole> operators = new LinkedHashMap<>();
        for (String spec : operatorSpecs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw invalid("expected --operator NAME=admin|read-only, got '" + spec + "'");
            }
            try {
                OperatorRole role = OperatorRole.parse(spec.substring(eq + 1));
                if (operators.put(dev.tandem.shared.wire.Checks.id("operator", spec.substring(0, eq)), role) != null
                        || (!add && spec.substring(0, eq).equals(Provisioner.FIRST_OPERATOR))) {
                    throw invalid("operator " + spec.substring(0, eq) + " given twice (a new site always has '"
                            + Provisioner.FIRST_OPERATOR + "')");
                }
            } catch (TandemException e) {
                throw e.code() == ErrorCode.INVALID_CONFIG ? e : invalid(e.getMessage());
            }
        }
        if (ids.isEmpty() && (!add || operators.isEmpty())) {
            throw invalid("no identities given (--agents, --agent, --sensor, --hubs, --recorder" + (add ? ", --operator)" : ")"));
        }
        if (add) {
            if (!ids.isEmpty()) {
                Provisioner.add(layout, ids);
            }
        } else {
            Provisioner.create(layout, new Provisioner.Plan(siteId, ids,
                    hosts.isEmpty() ? List.of("localhost", "127.0.0.1") : hosts));
        }
        operators.forEach((name, role) -> Provisioner.addOperator(layout, name, role));
        System.out.printf("%s site %s in %s: %d identities%n", add ? "added to" : "provisioned", siteId, out, ids.size());
        for (Identity id : ids) {
            System.out.printf("  %-7s %-24s %s%n", id.role().name().toLowerCase(java.util.Locale.ROOT), id.username(),
                    id.devices().isEmpty() ? "" : String.join(",", id.devices()));
        }
        Map<String, OperatorRole> issued = new LinkedHashMap<>();
        if (!add) {
            issued.put(Provisioner.FIRST_OPERATOR, OperatorRole.ADMIN);
        }
        issued.putAll(operators);
        issued.forEach((name, role) -> System.out.printf("  %-7s %-24s REST API token in %s%n", "operator",
                name + " (" + role.label() + ")", layout.operatorToken(name)));
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
