package dev.tandem.sim.provision;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.OperatorRole;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.shared.identity.PasswordHash;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.shared.signing.ManifestSigner;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Provisions a site: for each identity a random password (its hash in the {@link SiteRegistry}, the
 * password itself only in that identity's credentials file), the hub's signing key and the public
 * key agents pin, the TLS CA and broker certificate, and both brokers' configuration (mosquitto's
 * dynamic-security file and listener configuration; the embedded HiveMQ reads the registry), and an
 * admin operator of the hub's REST API ({@value #FIRST_OPERATOR}: the hash of its token in the
 * registry, the token only in {@code operators/admin.token}, owner-only).
 * {@link #add}, {@link #addOperator} and {@link #revoke} change an existing site without touching the
 * other identities.
 */
public final class Provisioner {
    /** Broker ports the generated mosquitto configuration listens on. */
    public static final int TLS_PORT = 8883;
    public static final int PLAIN_PORT = 1883;
    /** The operator every new site gets, an admin. */
    public static final String FIRST_OPERATOR = "admin";

    private Provisioner() {
    }

    /** What a new site holds. */
    public record Plan(String site, List<Identity> identities, List<String> tlsHosts) {
        public Plan {
            identities = List.copyOf(identities);
            tlsHosts = List.copyOf(tlsHosts);
        }
    }

    /** Creates the site; {@link ErrorCode#INVALID_CONFIG} if the directory already holds one. */
    public static SiteRegistry create(SiteLayout layout, Plan plan) {
        if (Files.exists(layout.registry())) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, layout.registry()
                    + " exists: that site is provisioned (use --add or --revoke to change it)");
        }
        List<Identity> all = new ArrayList<>(plan.identities());
        all.add(Identity.admin(plan.site()));
        SiteRegistry site = addAll(layout, SiteRegistry.empty(plan.site()), all);
        site = addOperator(layout, FIRST_OPERATOR, OperatorRole.ADMIN);
        HubKey key = HubKey.generate();
        key.save(layout.hubKey());
        key.publicKey().save(layout.hubPublicKey());
        TlsMaterial.create(layout.tls(), plan.site(), plan.tlsHosts());
        writeBrokerConfig(layout, site);
        return site;
    }

    /** Adds identities to a provisioned site: new credentials for them, the others' unchanged. */
    public static SiteRegistry add(SiteLayout layout, List<Identity> identities) {
        SiteRegistry site = addAll(layout, SiteRegistry.load(layout.registry()), identities);
        writeBrokerConfig(layout, site);
        return site;
    }

    /**
     * Adds an operator of the hub's REST API: a new random token, its hash in the registry, the token
     * itself in {@link SiteLayout#operatorToken} (owner-only). Hubs following the registry accept it
     * within a second. {@link ErrorCode#INVALID_CONFIG} if the name is taken (by an operator or an identity).
     */
    public static SiteRegistry addOperator(SiteLayout layout, String name, OperatorRole role) {
        SiteRegistry site = SiteRegistry.load(layout.registry());
        if (site.operator(name).isPresent() || site.accounts().stream().anyMatch(a -> a.identity().name().equals(name))) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "site " + site.site() + " already has "
                    + name + " (revoke it first to issue a new token)");
        }
        OperatorToken.Issued issued;
        try {
            issued = OperatorToken.issue(name, role);
            site = site.withOperator(issued.stored());
        } catch (TandemException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, e.getMessage());
        }
        try {
            Path dir = layout.operatorToken(name).toAbsolutePath().getParent();
            Files.createDirectories(dir);
            SecretFiles.ownerOnlyDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the operators' directory", e);
        }
        SecretFiles.writeAtomically(layout.operatorToken(name),
                (issued.token() + "\n").getBytes(StandardCharsets.UTF_8), true);
        site.save(layout.registry());
        return site;
    }

    /**
     * Removes an identity from the site's files: the embedded broker follows {@code site.json} and
     * disconnects it within a second; a mosquitto started from {@code dynsec.json} is told with
     * {@link LiveRevocation} (the command does both with {@code --broker}).
     */
    public static SiteRegistry revoke(SiteLayout layout, String name) {
        SiteRegistry before = SiteRegistry.load(layout.registry());
        if (before.operator(name).isPresent()) {
            SiteRegistry site = before.withoutOperator(name);
            site.save(layout.registry());
            try {
                Files.deleteIfExists(layout.operatorToken(name));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return site;
        }
        SiteRegistry site = before.without(name);
        site.save(layout.registry());
        writeBrokerConfig(layout, site);
        try {
            Files.deleteIfExists(layout.credentials(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return site;
    }

    /**
     * Rotates the site's signing key: a new key, announced by a rotation signed with the old one and
     * appended to the key history; {@code hub.key} and {@code hub.pub} become the new key (agents
     * provisioned from now on pin it; those pinned before follow the history the hubs publish).
     * Restart the hub instances with the new key and the history.
     */
    public static KeyHistory rotateKey(SiteLayout layout) {
        SiteRegistry site = SiteRegistry.load(layout.registry());
        HubKey old = HubKey.load(layout.hubKey());
        HubKey next = HubKey.generate();
        KeyHistory history = KeyHistory.load(layout.keyHistory(), site.site())
                .plus(new ManifestSigner(old).rotateTo(next.publicKey()));
        SecretFiles.writeAtomically(layout.keyHistory(), Wire.encode(history), false);
        next.save(layout.hubKey());
        next.publicKey().save(layout.hubPublicKey());
        return history;
    }

    /** The admin's login (mosquitto's dynamic-security control topic) for {@link LiveRevocation}. */
    public static BrokerLogin adminLogin(SiteLayout layout) {
        return BrokerLogin.of(Credentials.load(layout.credentials(Identity.admin("x").name())), layout.caCertificate());
    }

    private static SiteRegistry addAll(SiteLayout layout, SiteRegistry site, List<Identity> identities) {
        for (Identity id : identities) {
            if (!id.site().equals(site.site())) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, id.username() + " is not of site " + site.site());
            }
            if (site.accounts().stream().anyMatch(a -> a.identity().name().equals(id.name()))
                    || site.operator(id.name()).isPresent()) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "site " + site.site() + " already has "
                        + id.name() + " (revoke it first to issue new credentials)");
            }
            String password = PasswordHash.randomPassword();
            try {
                site = site.with(new SiteRegistry.Account(id, PasswordHash.of(password)));
            } catch (TandemException e) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, e.getMessage());
            }
            SecretFiles.writeAtomically(layout.credentials(id.name()), Wire.encode(Credentials.of(id, password)), true);
        }
        site.save(layout.registry());
        return site;
    }

    private static void writeBrokerConfig(SiteLayout layout, SiteRegistry site) {
        SecretFiles.writeAtomically(layout.dynsec(), DynsecConfig.json(site), true);
        SecretFiles.writeAtomically(layout.mosquittoConf(), MosquittoSiteConfig.text(layout.dynsec(), layout.tls(),
                TLS_PORT, PLAIN_PORT).getBytes(StandardCharsets.UTF_8), false);
    }
}
