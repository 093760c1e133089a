package dev.tandem.sim.provision;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The site security contract on mosquitto 2 with the provisioned dynamic-security file and TLS listener. */
class MosquittoSiteSecurityTest extends SiteSecurityContract {
    @TempDir
    static Path dir;
    static SecuredMosquitto mosquitto;

    @BeforeAll
    static void provisionAndStart() {
        mosquitto = SecuredMosquitto.start(provision(dir));
    }

    @AfterAll
    static void stop() {
        mosquitto.close();
    }

    @Override
    String url() {
        return mosquitto.broker().url();
    }

    @Override
    String tlsUrl() {
        return mosquitto.tlsUrl();
    }
}
