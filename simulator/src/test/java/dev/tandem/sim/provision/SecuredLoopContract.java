package dev.tandem.sim.provision;

import dev.tandem.sim.attack.AttackClient;
import dev.tandem.edge.EdgeAgent;
import dev.tandem.edge.EdgeConfig;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.signing.AssignmentSigner;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.factory.SimConfig;
import io.vertx.core.Vertx;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running secured fleet (provisioned site, hub and edge agent with their credentials, the device's
 * model signed by the site key) attacked by a legitimate identity of the same site and by outsiders:
 * every attack is refused, the refusals counted where the fleet sees them, and the device still
 * raises its alarms with its genuine model. One contract, one subclass per broker.
 */
abstract class SecuredLoopContract {
    static final String SITE = "plant";
    static final String VICTIM = "m1";
    static final String ATTACKER = "m2";
    static final Duration WAIT = Duration.ofSeconds(30);

    static SiteLayout layout;
    static SiteAccess access;
    static CloudHub hub;
    static Vertx vertx;
    static EdgeAgent agent;
    static MachineSimulator machine;
    static long seq;
    static String genuineModel;

    /** Provisions the site: an agent per device, the sensors, the hub and an observer hub identity. */
    static SiteLayout provision(Path dir) {
        layout = new SiteLayout(dir.resolve("site"));
        Provisioner.create(layout, new Provisioner.Plan(SITE, List.of(
                Identity.agent(SITE, "agent-" + VICTIM, List.of(VICTIM)),
                Identity.agent(SITE, "agent-" + ATTACKER, List.of(ATTACKER)),
                Identity.sensor(SITE, "sensors", List.of(VICTIM, ATTACKER)),
                Identity.hub(SITE, "hub-1"),
                Identity.hub(SITE, "observer")), List.of("127.0.0.1")));
        access = SiteAccess.open(layout);
        return layout;
    }

    /** Starts the hub and the victim's agent on the broker and commissions the victim. */
    static void startFleet(BrokerAddress broker) throws Exception {
        hub = CloudHub.start(HubConfig.builder(broker).login(access.hub()).signingKey(access.signingKey())
                .sharedSubscription(false).build());
        vertx = Vertx.vertx();
        agent = new EdgeAgent(EdgeConfig.builder(broker, SITE, List.of(VICTIM)).login(access.agentFor(VICTIM))
                .hubKey(access.hubPublicKey()).commissioningSamples(300).build());
        vertx.deployVerticle(agent).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        agent.ready().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        machine = new FactoryLine(SimConfig.builder(7, 1).healthy().build()).machine(SimConfig.deviceId(0));
        readings(300, 0);
        agent.modelsLoaded().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        genuineModel = agent.modelVersion(VICTIM).orElseThrow();
    }

    @AfterAll
    static void stopFleet() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
        if (hub != null) {
            hub.close();
        }
    }

    abstract String url();

    /** Publishes n readings of the victim as the sensor publisher, {@code shift} standard deviations off. */
    static void readings(int n, double shift) throws MqttException {
        try (AttackClient sensors = AttackClient.as(urlOf(), creds("sensors"), null)) {
            for (int i = 0; i < n; i++) {
                double[] v = machine.next().sample().values();
                for (int c = 0; c < v.length; c++) {
                    v[c] += shift * Math.max(1, Math.abs(v[c]) * 0.2);
                }
                Sample s = new Sample(++seq, System.currentTimeMillis(), v);
                sensors.publish(Topics.of(SITE, VICTIM, Kind.READINGS),
                        new String(Wire.encode(ReadingBatch.of(SITE, VICTIM, List.of(s))), StandardCharsets.UTF_8));
            }
        }
    }

    static String brokerUrl;

    static String urlOf() {
        return brokerUrl;
    }

    static Credentials creds(String name) {
        return Credentials.load(layout.credentials(name));
    }

    private static String json(Object message) {
        return new String(Wire.encode(message), StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void everyAttack_isRefused_andTheVictimStillAlarmsWithItsGenuineModel() throws Exception {
        Credentials attacker = creds("agent-" + ATTACKER);
        String url = url();
        long invalidBefore = hub.metrics().errorCount(ErrorCode.INVALID_FIELD);
        int modelsBefore = hub.metrics().snapshot().devicesWithModel();

        // outsiders
        assertThrows(MqttException.class, () -> AttackClient.connect(url, "anyone", null, null, null), "anonymous");
        assertThrows(MqttException.class, () -> AttackClient.connect(url, attacker.username(), attacker.username(), "guess",
                null), "wrong password");
        assertThrows(MqttException.class, () -> AttackClient.connect(url, "plant/agent-" + VICTIM, attacker.username(),
                attacker.password(), null), "a second client with the victim's client id");

        // a legitimate identity of the site going rogue
        AssignmentSigner selfSigned = new AssignmentSigner(HubKey.generate());
        SiteSecurityContract.assertRefused(AttackClient.publishOnce(url, attacker, Topics.of(SITE, VICTIM, Kind.MODEL),
                json(selfSigned.assign(SITE, VICTIM, Commissioning.DEFAULT_CLASS, Long.MAX_VALUE,
                        dev.tandem.shared.tiny.TinyModelCodec.decode(dev.tandem.shared.tiny.TinyModelCodec.encode(
                                hub.fleet().models(new dev.tandem.hub.fleet.DeviceId(SITE, VICTIM)).orElseThrow().tiny())),
                        null, 12))), "a model hijack");
        SiteSecurityContract.assertRefused(AttackClient.publishOnce(url, attacker, Topics.of(SITE, VICTIM, Kind.VERDICTS),
                json(new Verdict(Verdict.VERSION, "x", SITE, VICTIM, 1, false, 0, "forged", -1, 0))), "a forged verdict");
        SiteSecurityContract.assertRefused(AttackClient.publishOnce(url, attacker, Topics.of(SITE, "ghost", Kind.COMMISSIONING),
                json(Commissioning.of(SITE, "ghost", List.of(new Sample(1, 1, new double[]{1}))))),
                "commissioning an invented device");
        SiteSecurityContract.assertRefused(AttackClient.publishOnce(url, attacker, Topics.of(SITE, VICTIM, Kind.READINGS),
                "{}"), "readings as the victim");
        try (AttackClient p = AttackClient.as(url, attacker, null)) {
            int[] codes = p.subscribe("$share/hub/" + Topics.allDevices(SITE, Kind.ESCALATIONS),
                    Topics.of(SITE, VICTIM, Kind.VERDICTS), Topics.of(SITE, VICTIM, Kind.READINGS));
            for (int c : codes) {
                assertTrue(c >= 0x80, "subscription granted: " + c);
            }
        }
        // what the broker lets through (its own topic) the hub bounds before allocating
        String huge = "{\"v\":1,\"id\":\"e\",\"site\":\"" + SITE + "\",\"device\":\"" + ATTACKER + "\",\"windowId\":1,"
                + "\"windowSize\":1,\"contextSize\":2147483647,\"modelVersion\":\"m\",\"edgeScore\":1.0,"
                + "\"samples\":[{\"seq\":1,\"ts\":1,\"values\":[1.0]}],\"sentAt\":0}";
        AttackClient.publishOnce(url, attacker, Topics.of(SITE, ATTACKER, Kind.ESCALATIONS), huge);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (hub.metrics().errorCount(ErrorCode.INVALID_FIELD) == invalidBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(invalidBefore + 1, hub.metrics().errorCount(ErrorCode.INVALID_FIELD), "contextSize 2^31 counted");

        // nothing changed for the victim: its genuine model, and it still alarms on a faulty stream
        assertEquals(modelsBefore, hub.metrics().snapshot().devicesWithModel(), "no model fitted for a forged set");
        assertEquals(genuineModel, agent.modelVersion(VICTIM).orElseThrow());
        try (AttackClient observer = AttackClient.as(url, creds("observer"), null)) {
            assertEquals(1, observer.subscribe(Topics.allDevices(SITE, Kind.ALARMS))[0], "a hub identity reads alarms");
            readings(40, 25);
            String alarm = observer.next(WAIT);
            assertTrue(alarm != null, "the victim raised an alarm on the faulty stream: " + agent.metrics().snapshot());
            Alarm a = Wire.decode(alarm.substring(alarm.indexOf(' ') + 1).getBytes(StandardCharsets.UTF_8), Alarm.class);
            assertEquals(genuineModel, a.modelVersion());
        }
    }
}
