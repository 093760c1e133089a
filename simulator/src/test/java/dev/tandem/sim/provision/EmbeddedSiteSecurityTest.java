package dev.tandem.sim.provision;

import dev.tandem.sim.attack.AttackClient;
import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.topic.Topics;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import dev.tandem.sim.broker.security.AnonymousConnectCheck;
import dev.tandem.sim.broker.security.BrokerSecurity;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The site security contract on the embedded HiveMQ with its security extension, and what only it does. */
class EmbeddedSiteSecurityTest extends SiteSecurityContract {
    @TempDir
    static Path dir;
    static EmbeddedBroker broker;

    @BeforeAll
    static void provisionAndStart() {
        SiteLayout site = provision(dir);
        broker = new EmbeddedBroker(EmbeddedBrokerOptions.builder().site(site.root()).tlsPort(0).build()).start();
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
        return broker.tlsUrl();
    }

    @Test
    void refusals_areCountedByReason() throws Exception {
        BrokerSecurity security = broker.security().orElseThrow();
        long credentials = security.refused(BrokerSecurity.Refusal.BAD_CREDENTIALS);
        long publishes = security.refused(BrokerSecurity.Refusal.PUBLISH_REFUSED);
        long subscriptions = security.refused(BrokerSecurity.Refusal.SUBSCRIBE_REFUSED);

        Credentials box1 = creds("box-1");
        assertThrows(MqttException.class, () -> AttackClient.connect(url(), box1.username(), box1.username(), "nope", null));
        assertRefused(AttackClient.publishOnce(url(), box1, topic("m3", Topics.Kind.ALARMS), "forged"));
        try (AttackClient p = AttackClient.as(url(), box1, null)) {
            p.subscribe(topic("m3", Topics.Kind.VERDICTS));
        }

        assertTrue(security.refused(BrokerSecurity.Refusal.BAD_CREDENTIALS) > credentials);
        assertEquals(publishes + 1, security.refused(BrokerSecurity.Refusal.PUBLISH_REFUSED));
        assertEquals(subscriptions + 1, security.refused(BrokerSecurity.Refusal.SUBSCRIBE_REFUSED));
    }

    @Test
    void revokedAgent_isDisconnectedAtOnce_andCannotLogInAgain() throws Exception {
        Credentials box9 = creds("box-9");
        try (AttackClient p = AttackClient.as(url(), box9, null)) {
            Provisioner.revoke(layout, "box-9");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!p.disconnectedByBroker() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(p.disconnectedByBroker(), "the revoked agent was disconnected");
        }
        assertThrows(MqttException.class, () -> AttackClient.as(url(), box9, null));
        assertFalse(java.nio.file.Files.exists(layout.credentials("box-9")));
    }

    @Test
    void selfTest_tellsAnOpenBrokerFromASecuredOne() throws Exception {
        assertTrue(AnonymousConnectCheck.refused(broker.address().host(), broker.port()));
        try (EmbeddedBroker open = new EmbeddedBroker(EmbeddedBrokerOptions.anonymous()).start()) {
            assertFalse(AnonymousConnectCheck.refused(open.address().host(), open.port()));
        }
    }
}
