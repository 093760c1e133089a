package dev.tandem.sim.provision;

import dev.tandem.shared.testing.MosquittoBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/** The site security contract on mosquitto 2 with the provisioned dynamic-security file and TLS listener. */
class MosquittoSiteSecurityTest extends SiteSecurityContract {
    @TempDir
    static Path dir;
    static MosquittoBroker broker;
    static int tlsPort;

    @BeforeAll
    static void provisionAndStart() {
        SiteLayout site = provision(dir);
        tlsPort = MosquittoBroker.freePort();
        broker = MosquittoBroker.start(MosquittoBroker.freePort(), List.of(
                "user root", // the tests run as root; a real broker runs as 'mosquitto' (see the generated config)
                "allow_anonymous false",
                "plugin " + MosquittoSiteConfig.DYNSEC_PLUGIN,
                "plugin_opt_config_file " + site.dynsec(),
                "listener " + tlsPort + " 127.0.0.1",
                "cafile " + site.caCertificate(),
                "certfile " + site.tls().resolve(TlsMaterial.SERVER_CERT),
                "keyfile " + site.tls().resolve(TlsMaterial.SERVER_KEY)));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Override
    String url() {
        return broker.url();
    }

    @Override
    String tlsUrl() {
        return "ssl://127.0.0.1:" + tlsPort;
    }
}
