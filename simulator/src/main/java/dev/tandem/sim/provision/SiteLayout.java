package dev.tandem.sim.provision;

import java.nio.file.Path;

/** Where {@code ./tandem provision} puts a site's files, below one directory. */
public record SiteLayout(Path root) {
    public Path registry() {
        return root.resolve("site.json");
    }

    /** An identity's credentials (owner-only). */
    public Path credentials(String name) {
        return root.resolve("credentials").resolve(name + ".json");
    }

    /** An operator's REST API token (owner-only): the plaintext, one line. */
    public Path operatorToken(String name) {
        return root.resolve("operators").resolve(name + ".token");
    }

    /** The hub's signing key, shared by every hub instance of the site (owner-only). */
    public Path hubKey() {
        return root.resolve("hub.key");
    }

    /** The hub's public key, pinned on every agent. */
    public Path hubPublicKey() {
        return root.resolve("hub.pub");
    }

    /** The signing key's rotations, oldest first (absent until the first rotation). */
    public Path keyHistory() {
        return root.resolve("key-history.json");
    }

    public Path tls() {
        return root.resolve("tls");
    }

    public Path caCertificate() {
        return tls().resolve(TlsMaterial.CA);
    }

    public Path dynsec() {
        return root.resolve("mosquitto").resolve("dynsec.json");
    }

    public Path mosquittoConf() {
        return root.resolve("mosquitto").resolve("mosquitto.conf");
    }
}
