package dev.tandem.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.identity.OperatorRole;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rollout endpoints of a real hub (two commissioned devices) over HTTP: what they refuse, and with which code. */
class RolloutApiTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SITE = Signals.site();
    private static final OperatorToken.Issued ADMIN = OperatorToken.issue("alice", OperatorRole.ADMIN);
    private static final OperatorToken.Issued VIEWER = OperatorToken.issue("bob", OperatorRole.READ_ONLY);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static MosquittoBroker broker;
    private static CloudHub hub;
    private static HubApi api;

    @BeforeAll
    static void start() {
        broker = MosquittoBroker.start();
        hub = CloudHub.start(Hubs.config(broker.address()).toBuilder().site(SITE).build());
        api = HubApi.start(hub, ApiConfig.loopback(0, OperatorAuthenticator.of(List.of(ADMIN.stored(), VIEWER.stored()))));
        try (TestClient device = TestClient.connect(broker.url())) {
            Hubs.commission(device, SITE, "a1");
            Hubs.commission(device, SITE, "a2");
            device.flush();
        }
        assertTrue(TestWait.until(WAIT, () -> hub.metrics().snapshot().modelsPublished() >= 2));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void badRollouts_areRefusedWith400_theirStableCode_andTheField_andNothingIsPlanned() throws Exception {
        record Bad(String body, String code, String field) {
        }
        List<Bad> bad = List.of(
                new Bad("not json", "BAD_REQUEST", "body"),
                new Bad("[]", "BAD_REQUEST", "body"),
                new Bad("{}", "BAD_REQUEST", "recipe"),
                new Bad("{\"recipe\": \"default\", \"artifact\": \"tiny-1\"}", "BAD_REQUEST", "recipe"),
                new Bad("{\"recipe\": \"default\", \"colour\": \"red\"}", "BAD_REQUEST", "colour"),
                new Bad("{\"recipe\": \"pca-v9\"}", "INVALID_FIELD", null),
                new Bad("{\"recipe\": \"default:threshold-scale=0\"}", "INVALID_FIELD", null),
                new Bad("{\"recipe\": \"default:bogus=1\"}", "INVALID_FIELD", null),
                new Bad("{\"recipe\": \"has spaces\"}", "INVALID_FIELD", "recipe"),
                new Bad("{\"artifact\": \"tiny-000000000000\"}", "INVALID_FIELD", null),
                new Bad("{\"policy\": \"strict\"}", "INVALID_FIELD", null),
                new Bad("{\"recipe\": \"default\", \"target\": {\"deviceClass\": \"nobody\"}}", "INVALID_FIELD", null),
                new Bad("{\"recipe\": \"default\", \"target\": {\"devices\": [\"ghost\"]}}", "UNKNOWN_DEVICE", null),
                new Bad("{\"recipe\": \"default\", \"target\": {\"share\": 0}}", "INVALID_FIELD", "target"),
                new Bad("{\"recipe\": \"default\", \"target\": {\"share\": \"half\"}}", "BAD_REQUEST", "target.share"),
                new Bad("{\"recipe\": \"default\", \"waves\": [\"50%\", \"25%\", \"100%\"]}", "INVALID_FIELD", "waves"),
                new Bad("{\"recipe\": \"default\", \"waves\": [1, \"50%\"]}", "INVALID_FIELD", "waves"),
                new Bad("{\"recipe\": \"default\", \"waves\": [\"lots\"]}", "INVALID_FIELD", "waves"),
                new Bad("{\"recipe\": \"default\", \"waves\": []}", "INVALID_FIELD", "waves"),
                new Bad("{\"recipe\": \"default\", \"gate\": {\"successThreshold\": 1.5}}", "INVALID_FIELD", "gate"),
                new Bad("{\"recipe\": \"default\", \"gate\": {\"errorThreshold\": -0.1}}", "INVALID_FIELD", "gate"),
                new Bad("{\"recipe\": \"default\", \"gate\": {\"shadowSeconds\": 60, \"timeoutSeconds\": 30}}",
                        "INVALID_FIELD", "gate"),
                new Bad("{\"recipe\": \"default\", \"gate\": {\"timeoutSeconds\": -1}}", "BAD_REQUEST",
                        "gate.timeoutSeconds"),
                new Bad("{\"recipe\": \"default\", \"watchdog\": {\"alarmRateMax\": 2}}", "INVALID_FIELD", "watchdog"),
                new Bad("{\"recipe\": \"default\", \"start\": \"yes\"}", "BAD_REQUEST", "start"));
        long before = hub.metrics().apiRefusedCount(ErrorCode.INVALID_FIELD);
        int planned = json(get("/api/v1/rollouts", VIEWER.token())).get("count").asInt();
        for (Bad b : bad) {
            HttpResponse<String> r = post("/api/v1/rollouts", ADMIN.token(), b.body());
            assertEquals(400, r.statusCode(), b.body() + ": " + r.body());
            JsonNode e = json(r);
            assertEquals(b.code(), e.get("code").asText(), b.body() + ": " + r.body());
            if (b.field() != null) {
                assertEquals(b.field(), e.path("field").asText(), b.body() + ": " + r.body());
            }
        }
        assertEquals(before + bad.stream().filter(b -> b.code().equals("INVALID_FIELD")).count(),
                hub.metrics().apiRefusedCount(ErrorCode.INVALID_FIELD), "each refusal counted by its code");
        assertEquals(planned, json(get("/api/v1/rollouts", VIEWER.token())).get("count").asInt(), "nothing planned");
        // a read-only operator may look but not plan
        HttpResponse<String> viewer = post("/api/v1/rollouts", VIEWER.token(), "{\"recipe\": \"default\"}");
        assertEquals(403, viewer.statusCode());
        assertEquals("FORBIDDEN", json(viewer).get("code").asText());
        assertEquals(404, get("/api/v1/rollouts/r-none", VIEWER.token()).statusCode());
        assertEquals("NOT_FOUND", json(post("/api/v1/rollouts/r-none/pause", ADMIN.token(), "")).get("code").asText());
        assertEquals(400, get("/api/v1/rollouts/r-none?limit=0", VIEWER.token()).statusCode());
    }

    @Test
    void aRolloutPlannedOverTheApi_isListedAndShown_andAbortedByCommand_thenItsCommandsConflict() throws Exception {
        HttpResponse<String> created = post("/api/v1/rollouts", ADMIN.token(), "{\"name\": \"held\", "
                + "\"recipe\": \"default:threshold-quantile=0.99\", \"waves\": [1, \"100%\"], \"start\": false, "
                + "\"gate\": {\"shadowSeconds\": 1, \"timeoutSeconds\": 60}, \"watchdog\": {\"watchSeconds\": 0}}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode r = json(created);
        String id = r.get("id").asText();
        assertEquals("READY", r.get("state").asText());
        assertEquals(2, r.get("devices").asInt());
        assertEquals(2, r.get("waveDetails").size());
        assertEquals(1, r.get("waveDetails").get(0).get("reach").asInt());
        assertEquals(1, r.get("waveDetails").get(0).get("shadowSeconds").asInt());
        assertEquals(2, r.get("counts").get("SCHEDULED").asInt());
        assertEquals(SITE + ":a1", r.get("actions").get("items").get(0).get("device").asText());

        JsonNode list = json(get("/api/v1/rollouts", VIEWER.token()));
        assertTrue(list.get("count").asInt() >= 1);
        JsonNode page = json(get("/api/v1/rollouts/" + id + "?offset=1&limit=1", VIEWER.token()));
        assertEquals(1, page.get("actions").get("items").size());
        assertEquals(SITE + ":a2", page.get("actions").get("items").get(0).get("device").asText());
        assertEquals(2, page.get("actions").get("total").asInt());

        HttpResponse<String> pause = post("/api/v1/rollouts/" + id + "/pause", ADMIN.token(), "");
        assertEquals(409, pause.statusCode(), "a READY rollout cannot pause: " + pause.body());
        assertEquals("INVALID_STATE_TRANSITION", json(pause).get("code").asText());
        assertEquals(403, post("/api/v1/rollouts/" + id + "/abort", VIEWER.token(), "").statusCode());
        HttpResponse<String> aborted = post("/api/v1/rollouts/" + id + "/abort", ADMIN.token(), "");
        assertEquals(200, aborted.statusCode(), aborted.body());
        assertEquals("ABORTED", json(aborted).get("state").asText());
        assertEquals(2, json(aborted).get("counts").get("CANCELED").asInt());
        HttpResponse<String> again = post("/api/v1/rollouts/" + id + "/resume", ADMIN.token(), "");
        assertEquals(409, again.statusCode());
        assertTrue(TestWait.until(WAIT, () -> {
            try {
                return "ABORTED".equals(json(get("/api/v1/rollouts/" + id, VIEWER.token())).get("state").asText());
            } catch (Exception e) {
                return false;
            }
        }), "read back from the store once no longer under way");

        // what /metrics shows of the rollouts: under way by state, ended by how, actions by state, reports by outcome
        String metrics = HTTP.send(HttpRequest.newBuilder(uri("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String sample : List.of("tandem_hub_rollouts{state=\"RUNNING\"}", "tandem_hub_rollouts_ended_total{state=\"ABORTED\"} 1.0",
                "tandem_hub_rollout_actions{state=\"SHADOW\"}", "tandem_hub_rollout_reports_total{outcome=\"stale\"}",
                "tandem_hub_rollout_reports_total{outcome=\"INVALID_STATE_TRANSITION\"}")) {
            assertTrue(metrics.contains(sample), sample + " in\n" + metrics.lines().filter(l -> l.contains("rollout"))
                    .toList());
        }

        JsonNode models = json(get("/api/v1/models", VIEWER.token()));
        assertEquals(2, models.get("count").asInt());
        assertTrue(models.get("devices").get(0).get("assignedVersion").asText().startsWith("tiny-"));
        assertEquals("default", models.get("recipes").get("names").get(0).asText());
    }

    // --- helpers

    private static URI uri(String path) {
        return URI.create(api.url() + path);
    }

    private static HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String token, String body) throws IOException,
            InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return Wire.mapper().readTree(r.body());
    }
}
