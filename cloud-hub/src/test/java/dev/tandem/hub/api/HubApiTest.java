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
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.ModelState;
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
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST API of a real hub on a real broker, called over HTTP on loopback. */
class HubApiTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SITE = Signals.site();
    private static final OperatorToken.Issued ADMIN = OperatorToken.issue("alice", OperatorRole.ADMIN);
    private static final OperatorToken.Issued VIEWER = OperatorToken.issue("bob", OperatorRole.READ_ONLY);

    private static MosquittoBroker broker;
    private static CloudHub hub;
    private static HubApi api;
    private static TestClient devices;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(WAIT).build();

    @BeforeAll
    static void start() {
        broker = MosquittoBroker.start();
        hub = CloudHub.start(Hubs.config(broker.address()));
        assertTrue(hub.awaitConnected(WAIT));
        api = HubApi.start(hub, ApiConfig.loopback(0, OperatorAuthenticator.of(List.of(ADMIN.stored(), VIEWER.stored()))));
        devices = TestClient.connect(broker.url());
    }

    @AfterAll
    static void stop() {
        if (devices != null) {
            devices.close();
        }
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
    void everyEndpoint_withoutAKnownToken_is401Unauthenticated() throws Exception {
        long before = hub.metrics().apiRefusedCount(ErrorCode.UNAUTHENTICATED);
        for (String path : List.of("/api/v1/fleet", "/api/v1/devices/x", "/api/v1/devices/x/models", "/api/v1/alarms",
                "/api/v1/status", "/api/v1/no-such-thing")) {
            HttpResponse<String> none = get(path, null);
            assertEquals(401, none.statusCode(), path);
            assertEquals("UNAUTHENTICATED", json(none).get("code").asText(), path);
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), path);
            HttpResponse<String> wrong = get(path, "tdm_not-a-token-of-this-site");
            assertEquals(401, wrong.statusCode(), path);
        }
        HttpResponse<String> basic = send(HttpRequest.newBuilder(uri("/api/v1/fleet"))
                .header("Authorization", "Basic YWxpY2U6c2VjcmV0").GET());
        assertEquals(401, basic.statusCode());
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/api/v1/alarms/1/ack"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(401, post.statusCode(), "a write without a token is refused before anything else");
        assertEquals(before + 14, hub.metrics().apiRefusedCount(ErrorCode.UNAUTHENTICATED));
    }

    @Test
    void fleet_showsDevicesBySite_withStateModelCountersAndEscalationRateAgainstTheBudget() throws Exception {
        status("m1", DeviceStatus.State.DETECTING, "tiny-1", 1000, 7, 20);
        status("m2", DeviceStatus.State.COMMISSIONING, null, 0, 0, 0);
        devices.publish(Topics.of(SITE, "m1", Topics.Kind.MODEL_STATE), Wire.encode(ModelState.active(SITE, "m1", "tiny-1")));
        awaitFleet(f -> device(f, "m1") != null && "ACTIVE".equals(device(f, "m1").path("modelState").asText())
                && device(f, "m2") != null);

        JsonNode fleet = json(get("/api/v1/fleet", VIEWER.token()));
        assertEquals(0.04, fleet.get("escalationBudget").asDouble(), 1e-12);
        JsonNode m1 = device(fleet, "m1");
        assertEquals(SITE + ":m1", m1.get("id").asText());
        assertEquals("DETECTING", m1.get("state").asText());
        assertEquals("tiny-1", m1.get("modelVersion").asText());
        assertEquals(1000, m1.get("windows").asLong());
        assertEquals(0.02, m1.get("escalationRate").asDouble(), 1e-12);
        assertFalse(m1.get("overBudget").asBoolean());
        assertTrue(m1.get("lastSeen").asText().endsWith("Z"));
        JsonNode m2 = device(fleet, "m2");
        assertEquals("COMMISSIONING", m2.get("state").asText());
        assertTrue(m2.get("escalationRate").isNull(), "no windows yet: no rate");

        status("m3", DeviceStatus.State.DETECTING, "tiny-3", 1000, 0, 90);
        awaitFleet(f -> device(f, "m3") != null);
        assertTrue(device(json(get("/api/v1/fleet", VIEWER.token())), "m3").get("overBudget").asBoolean());
    }

    @Test
    void device_byIdOrSiteAndId_andUnknownOrMalformedIds_areRefusedWithTheirCodes() throws Exception {
        status("d1", DeviceStatus.State.DETECTING, "tiny-d", 50, 1, 2);
        awaitFleet(f -> device(f, "d1") != null);

        JsonNode byName = json(get("/api/v1/devices/d1", VIEWER.token()));
        assertEquals("DETECTING", byName.get("state").asText());
        HttpResponse<String> bySite = get("/api/v1/devices/" + SITE + ":d1", VIEWER.token());
        assertEquals(200, bySite.statusCode());
        assertEquals(SITE + ":d1", json(bySite).get("id").asText());

        HttpResponse<String> unknown = get("/api/v1/devices/nope", VIEWER.token());
        assertEquals(404, unknown.statusCode());
        assertEquals("UNKNOWN_DEVICE", json(unknown).get("code").asText());
        assertEquals(404, get("/api/v1/devices/" + SITE + ":nope/models", VIEWER.token()).statusCode());

        HttpResponse<String> malformed = get("/api/v1/devices/..%20bad", VIEWER.token());
        assertEquals(400, malformed.statusCode());
        assertEquals("BAD_REQUEST", json(malformed).get("code").asText());
        assertEquals("id", json(malformed).get("field").asText());

        HttpResponse<String> noRoute = get("/api/v1/nothing-here", VIEWER.token());
        assertEquals(404, noRoute.statusCode());
        assertEquals("NOT_FOUND", json(noRoute).get("code").asText());
    }

    @Test
    void alarms_newestFirst_acknowledgedByAnAdminOnly_withBoundedParametersAndBody() throws Exception {
        for (int w = 1; w <= 3; w++) {
            devices.publish(Topics.of(SITE, "a1", Topics.Kind.ALARMS), Wire.encode(new Alarm(Alarm.VERSION, SITE, "a1",
                    "e" + w, Alarm.Phase.ONSET, w, 1_700_000_000_000L + w, 1_700_000_000_000L + w, 0, 1, 1.5 + w, 1.5 + w,
                    java.util.List.of(0), w == 3 ? Alarm.Source.EDGE_TIMEOUT : Alarm.Source.EDGE, "tiny-a")));
        }
        assertTrue(TestWait.until(WAIT, () -> hub.alarms().recent(10, new dev.tandem.hub.fleet.DeviceId(SITE, "a1"))
                .size() == 3));
        status("a1", DeviceStatus.State.DETECTING, "tiny-a", 10, 3, 0);
        awaitFleet(f -> device(f, "a1") != null);
        // the first episode goes on and clears: still one entry, now ended
        for (Alarm.Phase phase : List.of(Alarm.Phase.UPDATE, Alarm.Phase.CLEAR)) {
            devices.publish(Topics.of(SITE, "a1", Topics.Kind.ALARMS), Wire.encode(new Alarm(Alarm.VERSION, SITE, "a1",
                    "e1", phase, 10 + phase.ordinal(), 1_700_000_010_000L, 1_700_000_000_001L, 9_999, 4, 1.2, 2.5,
                    List.of(0), Alarm.Source.EDGE, "tiny-a")));
        }
        assertTrue(TestWait.until(WAIT, () -> hub.alarms().recent(10, new dev.tandem.hub.fleet.DeviceId(SITE, "a1"))
                .stream().anyMatch(e -> e.latest().phase() == Alarm.Phase.CLEAR)));
        JsonNode all = json(get("/api/v1/alarms?device=a1", VIEWER.token()));
        assertEquals(3, all.get("count").asInt(), "one entry per episode");
        JsonNode cleared = all.get("alarms").get(2);
        assertEquals("e1", cleared.get("episode").asText());
        assertEquals("CLEAR", cleared.get("phase").asText());
        assertFalse(cleared.get("open").asBoolean());
        assertEquals(3, cleared.get("messages").asLong());
        assertEquals(2.5, cleared.get("peakScore").asDouble(), 1e-12);
        assertEquals(2, json(get("/api/v1/alarms?device=a1&open=true", VIEWER.token())).get("count").asInt());
        assertEquals("open", json(get("/api/v1/alarms?open=maybe", VIEWER.token())).get("field").asText());

        JsonNode alarms = json(get("/api/v1/alarms?device=a1&limit=2", VIEWER.token()));
        assertEquals(2, alarms.get("count").asInt());
        JsonNode newest = alarms.get("alarms").get(0);
        assertEquals(3, newest.get("windowId").asLong());
        assertEquals("EDGE_TIMEOUT", newest.get("source").asText());
        assertTrue(newest.get("ackedBy").isNull());
        long id = newest.get("id").asLong();

        for (String bad : List.of("0", "1001", "ten")) {
            HttpResponse<String> r = get("/api/v1/alarms?limit=" + bad, VIEWER.token());
            assertEquals(400, r.statusCode(), bad);
            assertEquals("limit", json(r).get("field").asText());
        }

        HttpResponse<String> readOnly = post("/api/v1/alarms/" + id + "/ack", VIEWER.token(), "{}");
        assertEquals(403, readOnly.statusCode());
        assertEquals("FORBIDDEN", json(readOnly).get("code").asText());
        assertTrue(hub.alarms().recent(1, null).get(0).ackedBy() == null || hub.alarms().recent(1, null).get(0).id() != id);

        assertEquals("note", json(post("/api/v1/alarms/" + id + "/ack", ADMIN.token(), "{\"note\": 5}")).get("field").asText());
        assertEquals("body", json(post("/api/v1/alarms/" + id + "/ack", ADMIN.token(), "[1, 2]")).get("field").asText());
        assertEquals("body", json(post("/api/v1/alarms/" + id + "/ack", ADMIN.token(), "not json")).get("field").asText());
        HttpResponse<String> huge = post("/api/v1/alarms/" + id + "/ack", ADMIN.token(),
                "{\"note\": \"" + "x".repeat(ApiConfig.DEFAULT_MAX_BODY_BYTES) + "\"}");
        assertEquals(413, huge.statusCode());
        assertEquals("OVERSIZED_PAYLOAD", json(huge).get("code").asText());
        HttpResponse<String> unknown = post("/api/v1/alarms/999999/ack", ADMIN.token(), "");
        assertEquals(404, unknown.statusCode());
        assertEquals("NOT_FOUND", json(unknown).get("code").asText());
        assertEquals("id", json(post("/api/v1/alarms/first/ack", ADMIN.token(), "")).get("field").asText());

        HttpResponse<String> acked = post("/api/v1/alarms/" + id + "/ack", ADMIN.token(), "{\"note\": \"valve checked\"}");
        assertEquals(200, acked.statusCode(), acked.body());
        assertEquals("alice", json(acked).get("ackedBy").asText());
        JsonNode shown = json(get("/api/v1/alarms?device=" + SITE + ":a1", VIEWER.token())).get("alarms").get(0);
        assertEquals("alice", shown.get("ackedBy").asText());
        assertEquals("valve checked", shown.get("note").asText());
        assertNotNull(shown.get("ackedAt").asText());
    }

    @Test
    void status_namesTheHubAndTheOperatorAsking() throws Exception {
        JsonNode s = json(get("/api/v1/status", VIEWER.token()));
        assertEquals(hub.config().instanceId(), s.get("instanceId").asText());
        assertTrue(s.get("connected").asBoolean());
        assertEquals("bob", s.get("operator").get("name").asText());
        assertEquals("read-only", s.get("operator").get("role").asText());
        assertEquals("admin", json(get("/api/v1/status", ADMIN.token())).get("operator").get("role").asText());
    }

    @Test
    void metrics_onLoopbackWithoutAToken_arePrometheusTextWithTheHubsCounters() throws Exception {
        devices.publish(Topics.of(SITE, "p1", Topics.Kind.ALARMS), Wire.encode(new Alarm(Alarm.VERSION, SITE, "p1",
                "e1", Alarm.Phase.ONSET, 1, 1, 1, 0, 1, 2.0, 2.0, java.util.List.of(0), Alarm.Source.HUB, "tiny-p")));
        devices.publish(Topics.of(SITE, "p1", Topics.Kind.ALARMS), "garbage".getBytes());
        status("p1", DeviceStatus.State.DETECTING, "tiny-p", 10, 1, 0);
        awaitFleet(f -> device(f, "p1") != null);
        assertTrue(TestWait.until(WAIT, () -> hub.metrics().alarmsReceived(Alarm.Source.HUB) >= 1
                && hub.metrics().errorCount(ErrorCode.MALFORMED_PAYLOAD) >= 1));
        get("/api/v1/fleet", null); // one refusal to count

        HttpResponse<String> r = get("/metrics", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        Map<String, Double> samples = r.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .collect(Collectors.toMap(l -> l.substring(0, l.lastIndexOf(' ')),
                        l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)), (a, b) -> a));
        for (String name : List.of("tandem_hub_escalations_received_total", "tandem_hub_verdicts_sent_total",
                "tandem_hub_models_fitted_total", "tandem_hub_devices_with_model", "tandem_hub_verdict_latency_seconds_count",
                "tandem_hub_fit_time_seconds_count")) {
            assertTrue(samples.containsKey(name), name + " in " + samples.keySet());
        }
        assertTrue(samples.get("tandem_hub_alarms_received_total{source=\"HUB\"}") >= 1);
        assertTrue(samples.containsKey("tandem_hub_alarms_received_total{source=\"EDGE_TIMEOUT\"}"));
        assertTrue(samples.get("tandem_hub_errors_total{code=\"MALFORMED_PAYLOAD\"}") >= 1);
        assertTrue(samples.get("tandem_hub_api_refused_total{code=\"UNAUTHENTICATED\"}") >= 1);
        assertTrue(samples.keySet().stream().allMatch(k -> k.startsWith("tandem_")), "only Tandem's meters");
        assertTrue(samples.keySet().stream().anyMatch(k -> k.startsWith("tandem_hub_verdict_latency_seconds_bucket{le=")),
                "latencies as histograms");
        assertTrue(samples.get("tandem_hub_devices{state=\"DETECTING\"}") >= 1, "devices by state");
    }

    @Test
    void models_showTheLineageOfAFittedDevice_withItsSignedGeneration() throws Exception {
        TestClient watcher = TestClient.connect(broker.url()).subscribe(Topics.of(SITE, "f1", Topics.Kind.MODEL));
        try (watcher) {
            Hubs.commission(devices, SITE, "f1");
            var assignment = Hubs.awaitModel(watcher, SITE, "f1");
            var manifest = Wire.decode(java.util.Base64.getDecoder().decode(assignment.manifest().payload()),
                    dev.tandem.shared.signing.ModelManifest.class);
            JsonNode lineage = json(get("/api/v1/devices/f1/models", VIEWER.token()));
            assertEquals(SITE + ":f1", lineage.get("id").asText());
            assertEquals(1, lineage.get("models").size());
            JsonNode m = lineage.get("models").get(0);
            assertEquals(manifest.version(), m.get("version").asText());
            assertEquals(manifest.generation(), m.get("generation").asLong());
            assertTrue(m.get("current").asBoolean());
            assertTrue(m.get("parentVersion").isNull());
            assertTrue(m.get("generation").asLong() > 0);
            JsonNode device = json(get("/api/v1/devices/f1", VIEWER.token()));
            assertEquals(m.get("generation").asLong(), device.get("generation").asLong());
            assertEquals(manifest.version(), device.get("assignedVersion").asText());
            // the registry: one model by its version, with its teacher, artifact and training set
            JsonNode one = json(get("/api/v1/models/" + manifest.version(), VIEWER.token()));
            assertEquals(manifest.version(), one.get("version").asText());
            assertEquals(SITE + ":f1", one.get("devices").get(0).asText());
            assertEquals("full", one.get("variant").asText());
            assertEquals(dev.tandem.shared.tiny.TinyModel.FORMAT, one.get("format").asText());
            assertEquals(m.get("largeVersion").asText(), one.get("teacherVersion").asText());
            assertEquals(manifest.generation(), one.get("generation").asLong());
            assertEquals(0, one.get("lineage").size(), "a first model has no ancestors");
            assertEquals("ok", one.get("store").asText());
            assertEquals(manifest.sha256(), one.get("artifact").get("sha256").asText());
            assertEquals(manifest.sizeBytes(), one.get("artifact").get("sizeBytes").asLong());
            assertTrue(one.get("trainingSet").get("readings").asInt() >= 100, one.toString());
            assertTrue(one.get("trainingSet").get("from").asText().compareTo(one.get("trainingSet").get("to").asText()) <= 0);
            JsonNode figures = one.get("figures");
            assertEquals("full", figures.get("variant").asText(), one.toString());
            assertEquals(manifest.sizeBytes(), figures.get("artifactBytes").asLong(), "the measured size is the artifact's");
            assertTrue(figures.get("windows").asInt() > 100, figures.toString());
            assertTrue(figures.get("teacherAgreement").asDouble() > 0.5, "on its own commissioning windows the student "
                    + "mostly agrees with its teacher: " + figures);
            assertTrue(figures.get("nanosPerWindow").asDouble() > 0, figures.toString());
            HttpResponse<String> unknown = get("/api/v1/models/tiny-nope", VIEWER.token());
            assertEquals(404, unknown.statusCode());
            assertTrue(unknown.body().contains("NOT_FOUND"), unknown.body());
            HttpResponse<String> bad = get("/api/v1/models/a%20b", VIEWER.token());
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("version"), bad.body());
        }
    }

    @Test
    void openApiDocument_describesEveryEndpoint_andEachAnswersAsDocumented() throws Exception {
        assertEquals(401, get("/api/v1/openapi.yaml", null).statusCode());
        HttpResponse<String> doc = get("/api/v1/openapi.yaml", VIEWER.token());
        assertEquals(200, doc.statusCode());
        assertTrue(doc.body().startsWith("openapi: 3."));
        // the paths block: two-space indented keys
        List<String> paths = doc.body().lines().dropWhile(l -> !l.equals("paths:")).skip(1)
                .takeWhile(l -> l.isEmpty() || l.startsWith(" ")).filter(l -> l.matches("  /\\S+:"))
                .map(l -> l.trim().substring(0, l.trim().length() - 1)).toList();
        assertEquals(List.of("/api/v1/fleet", "/api/v1/devices/{id}", "/api/v1/devices/{id}/models",
                "/api/v1/devices/{id}/readings", "/api/v1/devices/{id}/labels", "/api/v1/devices/{id}/retrain",
                "/api/v1/devices/{id}/retraining", "/api/v1/alarms",
                "/api/v1/alarms/{id}/ack", "/api/v1/status", "/api/v1/events", "/api/v1/models", "/api/v1/models/{version}", "/api/v1/rollouts",
                "/api/v1/rollouts/{id}", "/api/v1/rollouts/{id}/start", "/api/v1/rollouts/{id}/pause",
                "/api/v1/rollouts/{id}/resume", "/api/v1/rollouts/{id}/abort", "/api/v1/openapi.yaml", "/metrics"), paths);
        for (String path : paths) {
            String concrete = path.replace("{id}", path.startsWith("/api/v1/alarms") ? "999999" : "nope")
                    .replace("{version}", "nope");
            if (path.endsWith("/events")) {
                int status = streamOpened(concrete, ADMIN.token());
                assertEquals(200, status, path);
                assertTrue(doc.body().substring(doc.body().indexOf("\n  " + path + ":")).contains("\"200\""));
                continue;
            }
            HttpResponse<String> r = path.matches(".*/(ack|start|pause|resume|abort|retrain)") ? post(concrete, ADMIN.token(), "")
                    : get(concrete, ADMIN.token());
            // the documented path exists: any answer but the router's own "no such resource"
            assertFalse(r.statusCode() == 404 && r.body().contains("no such resource"), path + ": " + r.body());
            int start = doc.body().indexOf("\n  " + path + ":");
            int next = doc.body().indexOf("\n  /", start + 1);
            String section = doc.body().substring(start, next > 0 ? next : doc.body().indexOf("\ncomponents:"));
            assertTrue(section.contains("\"" + r.statusCode() + "\""), path + " answered " + r.statusCode()
                    + ", not documented: " + section);
        }
    }

    // --- helpers

    /** An event stream's status, the stream closed at once (its body never ends). */
    private static int streamOpened(String path, String token) throws IOException, InterruptedException {
        HttpResponse<java.io.InputStream> r = HTTP.send(HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + token).timeout(WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        r.body().close();
        return r.statusCode();
    }

    private static void status(String device, DeviceStatus.State state, String model, long windows, long alarms,
                               long escalations) {
        devices.publish(Topics.of(SITE, device, Topics.Kind.STATUS), Wire.encode(new DeviceStatus(DeviceStatus.VERSION,
                SITE, device, state, model, windows, alarms, alarms, 0, null, escalations, System.currentTimeMillis())));
    }

    private static void awaitFleet(Predicate<JsonNode> condition) {
        assertTrue(TestWait.until(WAIT, () -> {
            try {
                return condition.test(json(get("/api/v1/fleet", VIEWER.token())));
            } catch (Exception e) {
                return false;
            }
        }), "the fleet did not show it within " + WAIT);
    }

    private static JsonNode device(JsonNode fleet, String device) {
        for (JsonNode site : fleet.get("sites")) {
            if (site.get("site").asText().equals(SITE)) {
                for (JsonNode d : site.get("devices")) {
                    if (d.get("device").asText().equals(device)) {
                        return d;
                    }
                }
            }
        }
        return null;
    }

    private static URI uri(String path) {
        return URI.create(api.url() + path);
    }

    private static HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    private static HttpResponse<String> post(String path, String token, String body) throws IOException,
            InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return HTTP.send(b.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                r.statusCode() + " " + r.body());
        return Wire.mapper().readTree(r.body());
    }
}
