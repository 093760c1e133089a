package dev.tandem.sim.provision;

import dev.tandem.shared.testing.MosquittoBroker;

import java.util.List;

/** A real mosquitto for a provisioned site (tests, benchmarks): its dynamic-security file, a plain and a TLS listener on loopback. */
public record SecuredMosquitto(MosquittoBroker broker, int tlsPort, SiteLayout site) implements AutoCloseable {
    public static SecuredMosquitto start(SiteLayout site) {
        return start(site, MosquittoBroker.freePort(), MosquittoBroker.freePort());
    }

    /** Stops this broker and starts it again on the same ports and site (what it held in memory is gone). */
    public SecuredMosquitto restart() {
        close();
        return start(site, broker.address().port(), tlsPort);
    }

    private static SecuredMosquitto start(SiteLayout site, int port, int tlsPort) {
        try {
            java.nio.file.Files.createDirectories(site.root().resolve("mosquitto-data"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot make mosquitto's data directory under " + site.root(), e);
        }
        MosquittoBroker broker = MosquittoBroker.start(port, List.of(
                // as root, mosquitto drops to user 'mosquitto', who cannot read the site's files; a real broker
                // runs as 'mosquitto' from the start (see the generated config)
                "root".equals(System.getProperty("user.name")) ? "user root" : "",
                "allow_anonymous false",
                // retained models, key histories and sessions kept across a restart (saved at a clean stop), as
                // docs/mosquitto.conf does
                "persistence true",
                "persistence_location " + site.root().resolve("mosquitto-data") + "/",
                "plugin " + MosquittoSiteConfig.DYNSEC_PLUGIN,
                "plugin_opt_config_file " + site.dynsec(),
                "listener " + tlsPort + " 127.0.0.1",
                "cafile " + site.caCertificate(),
                "certfile " + site.tls().resolve(TlsMaterial.SERVER_CERT),
                "keyfile " + site.tls().resolve(TlsMaterial.SERVER_KEY)));
        return new SecuredMosquitto(broker, tlsPort, site);
    }

    public String tlsUrl() {
        return "ssl://127.0.0.1:" + tlsPort;
    }

    @Override
    public void close() {
        broker.close();
    }
}
