package dev.tandem.sim.provision;

import dev.tandem.sim.attack.AttackClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.identity.Identity;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void revokedAgent_isDisconnectedAtOnceByTheAdministrator_andCannotLogInAgain() throws Exception {
        Credentials box9 = creds("box-9");
        Identity identity = SiteRegistry.load(layout.registry()).account(box9.username()).orElseThrow().identity();
        try (AttackClient p = AttackClient.as(url(), box9, null)) {
            Provisioner.revoke(layout, "box-9");
            List<String> gone = LiveRevocation.onMosquitto(mosquitto.broker().address(), Provisioner.adminLogin(layout),
                    identity);
            assertEquals(List.of("plant/box-9"), gone);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!p.disconnectedByBroker() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(p.disconnectedByBroker(), "the revoked agent was disconnected");
        }
        assertThrows(MqttException.class, () -> AttackClient.as(url(), box9, null));
    }
}
