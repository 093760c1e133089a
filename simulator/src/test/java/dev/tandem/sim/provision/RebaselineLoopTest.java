package dev.tandem.sim.provision;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.sim.attack.AttackClient;
import dev.tandem.edge.EdgeConfig;
import dev.tandem.edge.alarm.AlarmSettings;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.rebaseline.RebaselineSettings;
import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Re-baselining end to end on the secured embedded broker (a provisioned site, every part logged in
 * with its credentials, the models signed by the site key): a level shift that persists raises one
 * onset; the edge's reviews of the held episode give the hub the device's recent readings; the hub
 * judges them a steady state, re-fits the device on them and sends the new model, signed, a new
 * generation; the edge ends the episode as REBASELINED when it goes active, and detection resumes on
 * the new normal (a further shift is a new onset).
 */
class RebaselineLoopTest {
    private static final String SITE = "plant";
    private static final String DEVICE = "m1";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Sample time: 10 readings per second, published as fast as the broker acknowledges them. */
    private static final long PERIOD_MS = 100;

    @TempDir
    Path dir;
    private final SplittableRandom random = new SplittableRandom(11);
    private long seq;

    private double[] reading(double shift0, double shift2) {
        return new double[]{10 + shift0 + random.nextGaussian(), 5 + 0.5 * random.nextGaussian(),
                -3 + shift2 + random.nextGaussian()};
    }

    private void publish(AttackClient sensors, int n, double shift0, double shift2) throws Exception {
        for (int i = 0; i < n; i++) {
            long s = ++seq;
            Sample sample = new Sample(s, 1_700_000_000_000L + s * PERIOD_MS, reading(shift0, shift2));
            sensors.publish(Topics.of(SITE, DEVICE, Kind.READINGS),
                    new String(Wire.encode(ReadingBatch.of(SITE, DEVICE, List.of(sample))), StandardCharsets.UTF_8));
            if (i % 10 == 9) {
                Thread.sleep(5); // about the pace of the reviews' verdicts on a loaded machine
            }
        }
    }

    /** The episode messages seen so far (phase UPDATE left out). */
    private static List<Alarm> episodes(AttackClient observer, List<Alarm> seen) throws Exception {
        String m;
        while ((m = observer.next(Duration.ofMillis(10))) != null) {
            Alarm a = Wire.decode(m.substring(m.indexOf(' ') + 1).getBytes(StandardCharsets.UTF_8), Alarm.class);
            if (a.phase() != Alarm.Phase.UPDATE) {
                seen.add(a);
            }
        }
        return seen;
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void persistentLevelShift_raisesOneOnset_isRebaselinedByTheHub_andDetectionResumes() throws Exception {
        SiteLayout layout = new SiteLayout(dir.resolve("site"));
        SiteAccess access = provision(layout);
        Vertx vertx = Vertx.vertx();
        try (EmbeddedBroker broker = new EmbeddedBroker(EmbeddedBrokerOptions.secured(layout.root())).start();
             CloudHub hub = hub(broker, access, Duration.ofSeconds(40));
             AttackClient observer = AttackClient.as(broker.url(), Credentials.load(layout.credentials("observer")), null);
             AttackClient sensors = AttackClient.as(broker.url(), Credentials.load(layout.credentials("sensors")), null)) {
            assertEquals(1, observer.subscribe(Topics.allDevices(SITE, Kind.ALARMS))[0]);
            EdgeAgent agent = commissioned(vertx, broker, access, sensors);
            String genuine = agent.modelVersion(DEVICE).orElseThrow();
            publish(sensors, 100, 0, 0);
            List<Alarm> seen = episodes(observer, new ArrayList<>());
            assertEquals(List.of(), seen, "normal readings raise nothing");

            // channel 0 moves 8 spreads up, and stays there
            long deadline = System.nanoTime() + Duration.ofSeconds(200).toNanos();
            while (agent.modelVersion(DEVICE).orElseThrow().equals(genuine) && System.nanoTime() < deadline) {
                publish(sensors, 50, 8, 0);
            }
            assertNotEquals(genuine, agent.modelVersion(DEVICE).orElseThrow(),
                    "the hub re-baselined the device: " + hub.metrics().snapshot() + " " + agent.metrics().snapshot());
            long until = System.nanoTime() + WAIT.toNanos();
            while (episodes(observer, seen).size() < 2 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertEquals(List.of(Alarm.Phase.ONSET, Alarm.Phase.REBASELINED),
                    seen.subList(0, 2).stream().map(Alarm::phase).toList(),
                    "one onset, held (not raised again), ended by the new model: " + seen);
            Alarm onset = seen.get(0), end = seen.get(1);
            assertEquals(List.of(0), onset.channels(), "channel 0 drove it");
            assertEquals(onset.episode(), end.episode());
            assertEquals(agent.modelVersion(DEVICE).orElseThrow(), end.modelVersion());
            assertTrue(end.heldMillis() >= 40_000, "held at least the hub's 40 s before the re-baseline: " + end);
            assertEquals(1, hub.metrics().rebaselines(HubMetrics.REBASELINE_SENT));
            assertEquals(end.modelVersion(), hub.fleet().models(new DeviceId(SITE, DEVICE)).orElseThrow().tiny().version());
            assertTrue(agent.metrics().reviews() > 0, "the held episode was reviewed");

            // the new normal is normal: no alarm holds on it (a model fitted on 300 readings has its false
            // alarms: at most a short episode or two in 300 windows)
            publish(sensors, 300, 8, 0);
            for (int i = 0; i < 20 && agent.metrics().snapshot().onsets() > agent.metrics().snapshot().clears()
                    + agent.metrics().snapshot().rebaselines(); i++) {
                publish(sensors, 10, 8, 0);
            }
            episodes(observer, seen);
            List<Alarm> onNewNormal = List.copyOf(seen.subList(2, seen.size()));
            assertTrue(onNewNormal.stream().filter(a -> a.phase() == Alarm.Phase.ONSET).count() <= 2
                    && onNewNormal.stream().allMatch(a -> a.windows() < 30), "the new level holds no alarm: "
                    + onNewNormal);
            assertEquals(agent.metrics().snapshot().onsets(),
                    agent.metrics().snapshot().clears() + agent.metrics().snapshot().rebaselines(), "nothing holds");
            int before = seen.size();
            // and detection resumes: channel 2 moves too
            publish(sensors, 60, 8, 8);
            until = System.nanoTime() + WAIT.toNanos();
            while (episodes(observer, seen).size() < before + 1 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(seen.size() > before, "a new onset: " + seen);
            Alarm next = seen.get(before);
            assertEquals(Alarm.Phase.ONSET, next.phase());
            assertNotEquals(onset.episode(), next.episode());
            assertEquals(List.of(2), next.channels());
            assertEquals(2 + onNewNormal.stream().filter(a -> a.phase() == Alarm.Phase.ONSET).count(),
                    agent.metrics().snapshot().onsets());
            assertEquals(1, agent.metrics().snapshot().rebaselines());
            until = System.nanoTime() + WAIT.toNanos();
            while (hub.rebaseliner().held(new DeviceId(SITE, DEVICE)) == null && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertEquals(next.episode(), hub.rebaseliner().held(new DeviceId(SITE, DEVICE)).episode(),
                    "the hub follows the new episode");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void heldAlarm_labelledNormalByAnOperator_isRebaselinedWithoutTheLargeModel() throws Exception {
        SiteLayout layout = new SiteLayout(dir.resolve("site"));
        SiteAccess access = provision(layout);
        dev.tandem.shared.identity.OperatorToken.Issued admin = dev.tandem.shared.identity.OperatorToken.issue("alice",
                dev.tandem.shared.identity.OperatorRole.ADMIN);
        dev.tandem.shared.identity.OperatorToken.Issued viewer = dev.tandem.shared.identity.OperatorToken.issue("bob",
                dev.tandem.shared.identity.OperatorRole.READ_ONLY);
        Vertx vertx = Vertx.vertx();
        // the hub would wait an hour before re-baselining by itself: only the label can do it here
        try (EmbeddedBroker broker = new EmbeddedBroker(EmbeddedBrokerOptions.secured(layout.root())).start();
             CloudHub hub = hub(broker, access, Duration.ofHours(1));
             dev.tandem.hub.api.HubApi api = dev.tandem.hub.api.HubApi.start(hub, dev.tandem.hub.api.ApiConfig.loopback(0,
                     dev.tandem.hub.api.OperatorAuthenticator.of(List.of(admin.stored(), viewer.stored()))));
             AttackClient observer = AttackClient.as(broker.url(), Credentials.load(layout.credentials("observer")), null);
             AttackClient sensors = AttackClient.as(broker.url(), Credentials.load(layout.credentials("sensors")), null)) {
            assertEquals(1, observer.subscribe(Topics.allDevices(SITE, Kind.ALARMS))[0]);
            EdgeAgent agent = commissioned(vertx, broker, access, sensors);
            String genuine = agent.modelVersion(DEVICE).orElseThrow();
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

            // bad labels are refused by code, and a read-only operator may not label
            assertEquals(400, label(http, api, admin.token(), "{\"from\": 10, \"to\": 5, \"anomaly\": false}").statusCode());
            assertEquals(400, label(http, api, admin.token(), "{\"from\": \"yesterday\", \"to\": 5, \"anomaly\": false}")
                    .statusCode());
            assertEquals(400, label(http, api, admin.token(), "{\"from\": 1, \"to\": 5}").statusCode());
            assertEquals(403, label(http, api, viewer.token(), "{\"from\": 1, \"to\": 5, \"anomaly\": true}").statusCode());
            var unknown = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url()
                            + "/api/v1/devices/nobody/labels")).header("Authorization", "Bearer " + admin.token())
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"from\": 1, \"to\": 5, \"anomaly\": true}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(404, unknown.statusCode(), unknown.body());
            assertTrue(unknown.body().contains("UNKNOWN_DEVICE"), unknown.body());

            // channel 0 moves 8 spreads up and stays: one onset, held
            List<Alarm> seen = new ArrayList<>();
            long until = System.nanoTime() + WAIT.toNanos();
            while (episodes(observer, seen).isEmpty() && System.nanoTime() < until) {
                publish(sensors, 20, 8, 0);
            }
            assertEquals(Alarm.Phase.ONSET, seen.get(0).phase(), "the shift raised an onset: " + seen);
            Alarm onset = seen.get(0);
            // the operator says the new level is normal; the hub needs 300 of its readings inside the label
            String outcome = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            while (!outcome.equals("REBASELINING") && System.nanoTime() < deadline) {
                publish(sensors, 50, 8, 0);
                var r = label(http, api, admin.token(), "{\"from\": " + onset.onsetTs() + ", \"to\": "
                        + (1_700_000_000_000L + (seq + 1) * PERIOD_MS) + ", \"anomaly\": false, \"note\": \"new setpoint\"}");
                assertEquals(201, r.statusCode(), r.body());
                outcome = Wire.mapper().readTree(r.body()).path("rebaseline").asText();
                assertTrue(outcome.equals("REBASELINING") || outcome.equals("TOO_FEW_READINGS"), r.body());
            }
            assertEquals("REBASELINING", outcome);
            until = System.nanoTime() + WAIT.toNanos();
            while (agent.modelVersion(DEVICE).orElseThrow().equals(genuine) && System.nanoTime() < until) {
                publish(sensors, 10, 8, 0);
            }
            assertNotEquals(genuine, agent.modelVersion(DEVICE).orElseThrow(), "the labelled normal re-baselined the device");
            until = System.nanoTime() + WAIT.toNanos();
            while (seen.stream().noneMatch(a -> a.phase() == Alarm.Phase.REBASELINED) && System.nanoTime() < until) {
                episodes(observer, seen);
                Thread.sleep(20);
            }
            Alarm end = seen.stream().filter(a -> a.phase() == Alarm.Phase.REBASELINED).findFirst().orElseThrow(
                    () -> new AssertionError("no REBASELINED: " + seen));
            assertEquals(onset.episode(), end.episode());
            assertTrue(end.heldMillis() < 3_600_000, "long before the hub would have re-baselined by itself");
            assertEquals(1, hub.metrics().rebaselines(HubMetrics.REBASELINE_SENT));
            var list = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url() + "/api/v1/devices/"
                            + DEVICE + "/labels")).header("Authorization", "Bearer " + viewer.token()).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, list.statusCode(), list.body());
            assertTrue(Wire.mapper().readTree(list.body()).path("count").asInt() >= 1, list.body());
            assertTrue(list.body().contains("new setpoint") && list.body().contains("alice"), list.body());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
    }

    /** The test's site: an agent, the sensors, the hub and an observer (a hub identity, to read the alarms). */
    private static SiteAccess provision(SiteLayout layout) {
        Provisioner.create(layout, new Provisioner.Plan(SITE, List.of(
                Identity.agent(SITE, "agent-" + DEVICE, List.of(DEVICE)),
                Identity.sensor(SITE, "sensors", List.of(DEVICE)),
                Identity.hub(SITE, "hub-1"),
                Identity.hub(SITE, "observer")), List.of("127.0.0.1")));
        return SiteAccess.open(layout);
    }

    /** The hub, re-baselining on 300 readings once an episode has held {@code heldFor}. */
    private static CloudHub hub(EmbeddedBroker broker, SiteAccess access, Duration heldFor) {
        return CloudHub.start(HubConfig.builder(broker.address()).login(access.hub())
                .signingKey(access.signingKey()).sharedSubscription(false)
                .rebaseline(new RebaselineSettings(heldFor, 300, 0.1)).build());
    }

    /** The device's agent (reviews of held episodes at once), commissioned on 400 normal readings. */
    private EdgeAgent commissioned(Vertx vertx, EmbeddedBroker broker, SiteAccess access, AttackClient sensors)
            throws Exception {
        EdgeAgent agent = new EdgeAgent(EdgeConfig.builder(broker.address(), SITE, List.of(DEVICE))
                .login(access.agentFor(DEVICE)).hubKey(access.hubPublicKey()).commissioningSamples(400)
                .alarms(AlarmSettings.defaults().withReviewAfter(Duration.ZERO)).build());
        vertx.deployVerticle(agent).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        agent.ready().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        publish(sensors, 400, 0, 0);
        agent.modelsLoaded().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return agent;
    }

    private static java.net.http.HttpResponse<String> label(java.net.http.HttpClient http, dev.tandem.hub.api.HubApi api,
                                                            String token, String body) throws Exception {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url() + "/api/v1/devices/" + DEVICE
                        + "/labels")).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20)).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }
}
