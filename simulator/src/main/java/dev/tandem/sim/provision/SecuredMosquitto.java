package dev.tandem.sim.provision;

import dev.tandem.shared.testing.MosquittoBroker;

import java.util.List;

/** A real mosquitto for a provisioned site (tests, benchmarks): its dynamic-security file, a plain and a TLS listener on loopback. */
public record SecuredMosquitto(MosquittoBroker broker, int tlsPort) implements AutoCloseable {
    public static SecuredMosquitto start(SiteLayout site) {
        int tlsPort = MosquittoBroker.freePort();
        MosquittoBroker broker = MosquittoBroker.start(MosquittoBroker.freePort(), List.of(
                // as root, mosquitto drops to user 'mosquitto', who cannot read the site's files; a real broker
                // runs as 'mosquitto' from the start (see the generated config)
                "root".equals(System.getProperty("user.name")) ? "user root" : "",
                "allow_anonymous false",
                "plugin " + MosquittoSiteConfig.DYNSEC_PLUGIN,
                "plugin_opt_config_file " + site.dynsec(),
                "listener " + tlsPort + " 127.0.0.1",
                "cafile " + site.caCertificate(),
                "certfile " + site.tls().resolve(TlsMaterial.SERVER_CERT),
                "keyfile " + site.tls().resolve(TlsMaterial.SERVER_KEY)));
        return new SecuredMosquitto(broker, tlsPort);
    }

    public String tlsUrl() {
        return "ssl://127.0.0.1:" + tlsPort;
    }

    @Override
    public void close() {
        broker.close();
    }
}
