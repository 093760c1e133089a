package dev.tandem.sim.provision;

import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The secured-loop attacks on the embedded HiveMQ with its security extension. */
class EmbeddedSecuredLoopTest extends SecuredLoopContract {
    @TempDir
    static Path dir;
    static EmbeddedBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = new EmbeddedBroker(EmbeddedBrokerOptions.secured(provision(dir).root())).start();
        brokerUrl = broker.url();
        startFleet(broker.address());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    String url() {
        return broker.url();
    }
}
