package dev.tandem.sim.provision;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The secured-loop attacks on mosquitto 2 with the provisioned dynamic-security file. */
class MosquittoSecuredLoopTest extends SecuredLoopContract {
    @TempDir
    static Path dir;
    static SecuredMosquitto mosquitto;

    @BeforeAll
    static void start() throws Exception {
        mosquitto = SecuredMosquitto.start(provision(dir));
        brokerUrl = mosquitto.broker().url();
        startFleet(mosquitto.broker().address());
    }

    @AfterAll
    static void stopBroker() {
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    @Override
    String url() {
        return mosquitto.broker().url();
    }
}
