package dev.tandem.hub.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.api.ApiConfig;
import dev.tandem.hub.api.HubApi;
import dev.tandem.hub.api.OperatorAuthenticator;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.shared.identity.OperatorRole;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retraining on what the hub holds, through the gate, with real parts (mosquitto, the hub, its REST
 * API): too few readings is refused; a candidate no better than the active model is refused by the gate;
 * a device whose process moved, the teacher calling the move anomalous, gets no new model (distilled,
 * the student is fitted only on what the teacher calls normal, and nothing of the move is left); once an
 * operator labels the stretch normal, the labels win, the candidate beats the active model and is
 * published signed with the active model as parent; every run is kept.
 */
class RetrainTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final OperatorToken.Issued ADMIN = OperatorToken.issue("alice", OperatorRole.ADMIN);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(WAIT).build();

    /** The process after the move: the same load cycle at another operating point. */
    private static Sample moved(long seq) {
        Sample s = Signals.sample(seq);
        double[] v = s.values();
        v[1] += 15;
        v[2] += 3;
        return new Sample(seq, s.ts(), v);
    }

    /** Escalates readings [from, to) one context a message, and waits for the last verdict. */
    private static void escalate(TestClient device, String site, long from, long to, int context,
                                 java.util.function.LongFunction<Sample> reading) throws Exception {
        String last = null;
        for (long s = from; s < to; s += context) {
            List<Sample> samples = new ArrayList<>();
            for (long q = s; q < Math.min(to, s + context); q++) {
                samples.add(reading.apply(q));
            }
            Escalation e = Signals.escalation(site, "r1", samples, context);
            Hubs.send(device, e);
            last = e.id();
        }
        assertNotNull(Hubs.awaitVerdict(device, last, WAIT), "the hub judged the escalations");
    }

    private static JsonNode call(HubApi api, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(WAIT)
                .header("Authorization", "Bearer " + ADMIN.token()).header("Content-Type", "application/json");
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.ofString(body)) : b.GET();
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() / 100 == 2, path + ": " + r.statusCode() + " " + r.body());
        return Wire.mapper().readTree(r.body());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void retraining_isGated_byTheTeacherAndTheLabels_andPublishedOnlyWhenItBeatsTheActiveModel() throws Exception {
        String site = Signals.site();
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub hub = CloudHub.start(Hubs.config(broker.address()));
             HubApi api = HubApi.start(hub, ApiConfig.loopback(0, OperatorAuthenticator.of(List.of(ADMIN.stored()))));
             TestClient device = TestClient.connect(broker.url())
                     .subscribe(Topics.of(site, "r1", Topics.Kind.MODEL))
                     .subscribe(Topics.of(site, "r1", Topics.Kind.VERDICTS))) {
            assertTrue(hub.awaitConnected(WAIT));
            Hubs.commission(device, site, "r1");
            ModelManifest first = Hubs.manifestOf(Hubs.awaitModel(device, site, "r1"));
            DeviceId id = new DeviceId(site, "r1");

            JsonNode tooFew = call(api, "POST", "/api/v1/devices/r1/retrain", "");
            assertEquals("REFUSED", tooFew.get("status").asText(), tooFew.toString());
            assertEquals("TOO_FEW_READINGS", tooFew.get("code").asText());

            // the process runs as commissioned; the edge escalates what it sees (contiguous, one context a message)
            int context = hub.fleet().models(id).orElseThrow().large().contextSize();
            long from = Hubs.COMMISSIONING_SAMPLES;
            escalate(device, site, from, from + 360, context, Signals::sample);
            JsonNode nothingNew = call(api, "POST", "/api/v1/devices/r1/retrain", "{\"reason\": \"test\"}");
            assertEquals("REFUSED", nothingNew.get("status").asText(), nothingNew.toString());
            assertEquals("GATE_REFUSED", nothingNew.get("code").asText(), "a candidate no better is not published");
            assertEquals("test", nothingNew.get("reason").asText());
            assertTrue(nothingNew.get("trainReadings").asInt() >= 200, nothingNew.toString());

            // the process moves: the teacher calls the move anomalous, and the student learns no anomaly from it
            from += 360;
            long to = from + 360;
            escalate(device, site, from, to, context, RetrainTest::moved);
            JsonNode teacherSaysNo = call(api, "POST", "/api/v1/devices/r1/retrain", "");
            assertEquals("REFUSED", teacherSaysNo.get("status").asText(), teacherSaysNo.toString());
            assertEquals("TOO_FEW_READINGS", teacherSaysNo.get("code").asText());
            assertTrue(teacherSaysNo.get("teacherDropped").asInt() > 200, teacherSaysNo.toString());
            assertTrue(teacherSaysNo.get("message").asText().contains("the teacher judged anomalous"), teacherSaysNo.toString());
            assertEquals(first.version(), hub.fleet().models(id).orElseThrow().tiny().version(), "nothing published");

            long fromTs = Signals.sample(from).ts(), toTs = Signals.sample(to).ts();
            call(api, "POST", "/api/v1/devices/r1/labels", "{\"from\": " + fromTs + ", \"to\": " + toTs
                    + ", \"anomaly\": false, \"note\": \"new operating point\"}");
            JsonNode published = call(api, "POST", "/api/v1/devices/r1/retrain", "");
            assertEquals("PUBLISHED", published.get("status").asText(), published.toString());
            JsonNode gate = published.get("gate");
            assertTrue(gate.get("passed").asBoolean());
            assertTrue(gate.get("labelledWindows").asInt() > 0);
            assertTrue(gate.get("candidate").get("agreement").asDouble() > gate.get("active").get("agreement").asDouble(),
                    gate.toString());
            String candidate = published.get("candidateVersion").asText();
            assertNotEquals(first.version(), candidate);

            // the new model goes out signed, a higher generation, naming the active one as its parent
            TestClient.Received next = device.await(m -> m.topic().endsWith("/model")
                    && Hubs.manifestOf(Wire.decode(m.payload(), dev.tandem.shared.wire.ModelAssignment.class))
                    .version().equals(candidate), WAIT);
            assertNotNull(next, "the retrained model was published");
            ModelManifest m = Hubs.manifestOf(Wire.decode(next.payload(), dev.tandem.shared.wire.ModelAssignment.class));
            assertEquals(first.version(), m.parentVersion());
            assertTrue(m.generation() > first.generation());
            assertEquals(candidate, hub.fleet().models(id).orElseThrow().tiny().version());

            JsonNode runs = call(api, "GET", "/api/v1/devices/r1/retraining", null);
            assertEquals(4, runs.get("count").asInt(), runs.toString());
            assertEquals("PUBLISHED", runs.get("runs").get(0).get("status").asText());
            assertTrue(runs.get("runs").get(0).get("detail").get("gate").get("passed").asBoolean());
            assertEquals(1, hub.metrics().retrains(HubMetrics.RETRAIN_PUBLISHED));
            assertEquals(3, hub.metrics().retrains(HubMetrics.RETRAIN_REFUSED));
            assertEquals(0, published.get("teacherDropped").asInt(), "the operator's labels win over the teacher");

            // drift: the device's status says it escalates far above its budget, span after span
            for (int k = 0; k <= 3; k++) {
                device.publish(Topics.of(site, "r1", Topics.Kind.STATUS), Wire.encode(new dev.tandem.shared.wire.DeviceStatus(
                        dev.tandem.shared.wire.DeviceStatus.VERSION, site, "r1",
                        dev.tandem.shared.wire.DeviceStatus.State.DETECTING, candidate, 1000L + 200L * k, 0, 0, 0, null,
                        100L * k, System.currentTimeMillis(), null, null)));
            }
            assertTrue(dev.tandem.hub.testing.TestWait.until(WAIT, () -> hub.metrics().retrains(HubMetrics.RETRAIN_PUBLISHED)
                    + hub.metrics().retrains(HubMetrics.RETRAIN_REFUSED) + hub.metrics().retrains(HubMetrics.RETRAIN_FAILED) == 5),
                    "the drift trigger ran a retraining");
            JsonNode after = call(api, "GET", "/api/v1/devices/r1/retraining", null);
            assertTrue(after.get("runs").get(0).get("reason").asText().startsWith("drift: 50.0% escalated over 200 windows"),
                    after.toString());
        }
    }
}
