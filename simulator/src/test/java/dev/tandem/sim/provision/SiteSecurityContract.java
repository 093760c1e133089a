package dev.tandem.sim.provision;

import dev.tandem.sim.attack.AttackClient;
import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provisioned site on a real broker (mosquitto with the generated dynamic-security file, the
 * embedded HiveMQ with its security extension), plain and TLS listeners: each identity may do what
 * the topic table says and nothing else. One contract, one subclass per broker.
 */
abstract class SiteSecurityContract {
    static final String SITE = "plant";
    /** A refused QoS 1 publish: PUBACK 0x87 (mosquitto), or that and the connection closed (HiveMQ: -1). */
    static final java.util.Set<Integer> REFUSED = java.util.Set.of(0x87, -1);

    /** The broker's plain {@code tcp://} URL. */
    abstract String url();

    /** The broker's TLS {@code ssl://} URL. */
    abstract String tlsUrl();

    static SiteLayout layout;

    /** Provisions the test site (once per broker class). */
    static SiteLayout provision(Path dir) {
        SiteLayout l = new SiteLayout(dir.resolve("site"));
        Provisioner.create(l, new Provisioner.Plan(SITE, List.of(
                Identity.agent(SITE, "box-1", List.of("m1", "m2")),
                Identity.agent(SITE, "box-2", List.of("m3")),
                Identity.agent(SITE, "box-9", List.of("m9")),
                Identity.sensor(SITE, "line-1", List.of("m1", "m2", "m3")),
                Identity.hub(SITE, "hub-1"),
                Identity.hub(SITE, "hub-2")), List.of("localhost", "127.0.0.1")));
        layout = l;
        return l;
    }

    static void assertRefused(int pubackCode, String... what) {
        assertTrue(REFUSED.contains(pubackCode), "publish not refused (" + pubackCode + ") " + String.join("", what));
    }

    static void assertRefused(int pubackCode) {
        assertRefused(pubackCode, new String[0]);
    }

    static Credentials creds(String name) {
        return Credentials.load(layout.credentials(name));
    }

    static String topic(String device, Topics.Kind kind) {
        return Topics.of(SITE, device, kind);
    }

    @Test
    void anonymousWrongPasswordAndForeignClientId_areRefusedAtConnect() {
        Credentials box1 = creds("box-1");
        assertThrows(MqttException.class, () -> AttackClient.connect(url(), "anon", null, null, null));
        assertThrows(MqttException.class, () -> AttackClient.connect(url(), box1.username(), box1.username(), "wrong", null));
        assertThrows(MqttException.class, () -> AttackClient.connect(url(), "plant/box-2", box1.username(),
                box1.password(), null));
    }

    @Test
    void agent_speaksForItsDevicesOnly_andTheHubHearsIt() throws Exception {
        Credentials c = creds("box-1");
        try (AttackClient hub = AttackClient.as(url(), creds("hub-1"), null)) {
            assertArrayEquals(new int[]{1}, hub.subscribe("$share/hub/" + Topics.allDevices(SITE, Topics.Kind.ESCALATIONS)));
            // each forged publish on its own connection (the client id is pinned: a second one takes the session over)
            assertRefused(AttackClient.publishOnce(url(), c, topic("m3", Topics.Kind.ESCALATIONS), "forged"),
                    "another agent's device");
            assertRefused(AttackClient.publishOnce(url(), c, topic("m1", Topics.Kind.VERDICTS), "forged"),
                    "only the hub issues verdicts");
            assertRefused(AttackClient.publishOnce(url(), c, topic("m1", Topics.Kind.MODEL), "forged"),
                    "only the hub assigns models");
            assertRefused(AttackClient.publishOnce(url(), c,
                    Topics.of("other-site", "m1", Topics.Kind.ESCALATIONS), "forged"));
            AttackClient.publishOnce(url(), c, topic("m1", Topics.Kind.ESCALATIONS), "mine");

            assertEquals(topic("m1", Topics.Kind.ESCALATIONS) + " mine", hub.next(Duration.ofSeconds(5)));
            assertNull(hub.next(Duration.ofMillis(300)), "nothing forged arrived");
        }
    }

    @Test
    void artifactFetches_goFromTheDeviceToTheHubGroup_andOnlyTheHubSendsChunks() throws Exception {
        Credentials c = creds("box-1");
        try (AttackClient hub = AttackClient.as(url(), creds("hub-1"), null);
             AttackClient box2 = AttackClient.as(url(), creds("box-2"), null)) {
            assertArrayEquals(new int[]{1}, hub.subscribe("$share/hub/" + Topics.allDevices(SITE, Topics.Kind.MODEL_FETCH)));
            int[] codes = box2.subscribe(topic("m3", Topics.Kind.MODEL_CHUNK), topic("m1", Topics.Kind.MODEL_CHUNK),
                    topic("m3", Topics.Kind.MODEL_FETCH), "$share/hub/" + Topics.allDevices(SITE, Topics.Kind.MODEL_FETCH));
            assertEquals(1, codes[0], "its own device's chunks");
            for (int i = 1; i < codes.length; i++) {
                assertTrue(codes[i] >= 0x80, "filter " + i + " granted to an agent: " + codes[i]);
            }
            assertRefused(AttackClient.publishOnce(url(), c, topic("m3", Topics.Kind.MODEL_FETCH), "forged"),
                    "a fetch for another agent's device");
            assertRefused(AttackClient.publishOnce(url(), c, topic("m3", Topics.Kind.MODEL_CHUNK), "forged"),
                    "only the hub sends chunks");
            assertRefused(AttackClient.publishOnce(url(), c, topic("m1", Topics.Kind.MODEL_CHUNK), "forged"),
                    "not even to its own device");
            AttackClient.publishOnce(url(), c, topic("m1", Topics.Kind.MODEL_FETCH), "mine");
            assertEquals(topic("m1", Topics.Kind.MODEL_FETCH) + " mine", hub.next(Duration.ofSeconds(5)));
            assertNull(hub.next(Duration.ofMillis(300)), "nothing forged reached the hub");

            int sent = hub.publish(topic("m3", Topics.Kind.MODEL_CHUNK), "chunk");
            assertTrue(sent == 0 || sent == 0x10, "the hub sends chunks: " + sent);
            assertEquals(topic("m3", Topics.Kind.MODEL_CHUNK) + " chunk", box2.next(Duration.ofSeconds(5)));
            assertNull(box2.next(Duration.ofMillis(300)), "no forged chunk reached the device");
        }
    }

    @Test
    void agent_cannotSubscribeToOthersTopics_norJoinTheHubsGroup() throws Exception {
        try (AttackClient box1 = AttackClient.as(url(), creds("box-1"), null)) {
            int[] codes = box1.subscribe(
                    topic("m1", Topics.Kind.VERDICTS),
                    topic("m3", Topics.Kind.VERDICTS),
                    topic("m3", Topics.Kind.READINGS),
                    Topics.allDevices(SITE, Topics.Kind.VERDICTS),
                    "$share/hub/" + Topics.allDevices(SITE, Topics.Kind.ESCALATIONS),
                    "#");
            assertEquals(1, codes[0], "its own verdicts");
            for (int i = 1; i < codes.length; i++) {
                assertTrue(codes[i] >= 0x80, "filter " + i + " granted: " + codes[i]);
            }
        }
    }

    @Test
    void sensor_publishesReadingsOnly_andTheAgentReadsThemOverTls() throws Exception {
        String tls = tlsUrl();
        assertRefused(AttackClient.publishOnce(url(), creds("line-1"), topic("m1", Topics.Kind.ALARMS), "x"));
        try (AttackClient box1 = AttackClient.as(tls, creds("box-1"), layout.caCertificate());
             AttackClient line = AttackClient.as(tls, creds("line-1"), layout.caCertificate())) {
            assertArrayEquals(new int[]{1}, box1.subscribe(topic("m1", Topics.Kind.READINGS)));
            line.publish(topic("m1", Topics.Kind.READINGS), "r1");
            assertEquals(topic("m1", Topics.Kind.READINGS) + " r1", box1.next(Duration.ofSeconds(5)));
        }
    }

    @Test
    void tlsListener_refusesClientsThatDoNotTrustTheSiteCa(@TempDir Path other) throws Exception {
        SiteLayout foreign = new SiteLayout(other);
        TlsMaterial.create(foreign.tls(), "elsewhere", List.of("127.0.0.1"));
        assertThrows(MqttException.class, () -> AttackClient.as(tlsUrl(), creds("box-1"),
                foreign.caCertificate()));
    }

    @Test
    void twoHubs_splitTheSharedGroup_andEachEscalationReachesOne() throws Exception {
        String group = "$share/hub/" + Topics.allDevices(SITE, Topics.Kind.ESCALATIONS);
        try (AttackClient h1 = AttackClient.as(url(), creds("hub-1"), null);
             AttackClient h2 = AttackClient.as(url(), creds("hub-2"), null);
             AttackClient box2 = AttackClient.as(url(), creds("box-2"), null)) {
            h1.subscribe(group);
            h2.subscribe(group);
            // HiveMQ serves a new group member only after up to 1 s: publish until both have had some (bounded)
            int sent = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while ((h1.pending() == 0 || h2.pending() == 0) && System.nanoTime() < deadline) {
                box2.publish(topic("m3", Topics.Kind.ESCALATIONS), "e" + sent++);
                Thread.sleep(50);
            }
            long settle = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (h1.pending() + h2.pending() < sent && System.nanoTime() < settle) {
                Thread.sleep(10);
            }
            List<String> all = new java.util.ArrayList<>(h1.drain());
            all.addAll(h2.drain());
            assertEquals(sent, all.size(), "every escalation reached exactly one hub");
            assertEquals(sent, new java.util.HashSet<>(all).size());
        }
    }

    @Test
    void provisionedFiles_keepSecretsOwnerOnly() throws Exception {
        for (Path secret : List.of(layout.credentials("box-1"), layout.hubKey(), layout.dynsec(),
                layout.tls().resolve(TlsMaterial.SERVER_KEY), layout.tls().resolve(TlsMaterial.CA_KEY))) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(secret)), secret.toString());
        }
        String registry = Files.readString(layout.registry());
        assertTrue(!registry.contains(creds("box-1").password()), "the registry holds hashes only");
    }
}
