package dev.tandem.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.live.HubEvents;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.identity.OperatorRole;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console's live endpoints (readings, server-sent events) of a real hub on a real broker, over HTTP. */
class LiveApiTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String SITE = Signals.site();
    private static final OperatorToken.Issued ADMIN = OperatorToken.issue("alice", OperatorRole.ADMIN);
    private static final OperatorToken.Issued CAROL = OperatorToken.issue("carol", OperatorRole.READ_ONLY);
    /** The operators the API accepts; a test revokes one by removing it. */
    private static final Set<OperatorToken> OPERATORS = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(WAIT).build();

    private static MosquittoBroker broker;
    private static CloudHub hub;
    private static HubApi api;
    private static TestClient devices;

    @BeforeAll
    static void start() {
        OPERATORS.add(ADMIN.stored());
        OPERATORS.add(CAROL.stored());
        broker = MosquittoBroker.start();
        hub = CloudHub.start(Hubs.config(broker.address()));
        assertTrue(hub.awaitConnected(WAIT));
        api = HubApi.start(hub, ApiConfig.loopback(0, token -> OperatorAuthenticator.of(List.copyOf(OPERATORS))
                .authenticate(token)));
        devices = TestClient.connect(broker.url())
                .subscribe(Topics.allDevices(SITE, Topics.Kind.MODEL))
                .subscribe(Topics.allDevices(SITE, Topics.Kind.VERDICTS));
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
    void events_needAToken_andStreamDeviceChanges_alarmEpisodes_andAcknowledgements() throws Exception {
        HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/events")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode());

        try (Events events = Events.open(ADMIN.token())) {
            assertTrue(events.contentType.startsWith("text/event-stream"), events.contentType);
            status("e1", DeviceStatus.State.DETECTING);
            JsonNode device = events.await("device", d -> d.get("id").asText().equals(SITE + ":e1"));
            assertEquals("DETECTING", device.get("state").asText());

            alarm("e1", "ep-1", Alarm.Phase.ONSET);
            JsonNode onset = events.await("alarm", a -> a.get("deviceId").asText().equals(SITE + ":e1"));
            assertEquals("ONSET", onset.get("phase").asText());
            assertEquals("ep-1", onset.get("episode").asText());
            assertTrue(onset.get("ackedBy").isNull());

            HttpResponse<String> ack = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/alarms/" + onset.get("id").asLong()
                    + "/ack")).header("Authorization", "Bearer " + ADMIN.token()).timeout(WAIT)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"note\": \"seen\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ack.statusCode(), ack.body());
            JsonNode acked = events.await("alarm", a -> a.get("id").asLong() == onset.get("id").asLong()
                    && !a.get("ackedBy").isNull());
            assertEquals("alice", acked.get("ackedBy").asText());
            assertEquals("seen", acked.get("note").asText());

            alarm("e1", "ep-1", Alarm.Phase.CLEAR);
            assertEquals("CLEAR", events.await("alarm", a -> a.get("episode").asText().equals("ep-1")
                    && a.get("phase").asText().equals("CLEAR")).get("phase").asText());
        }
    }

    @Test
    void readings_ofACommissionedDevice_areTheSamplesOfItsEscalations_withTheVerdicts_alsoStreamed() throws Exception {
        Hubs.commission(devices, SITE, "r1");
        ModelAssignment model = Hubs.awaitModel(devices, SITE, "r1");
        int context = model.contextSize();

        int commissioning = Hubs.COMMISSIONING_SAMPLES;
        JsonNode before = json(get("/api/v1/devices/r1/readings?limit=" + LiveRoutes.MAX_READINGS, ADMIN.token()));
        assertEquals(commissioning, before.get("samples").size(), "nothing escalated yet: the commissioning set");
        assertEquals(commissioning - 1, before.get("commissionedThroughSeq").asLong());
        assertEquals(0, before.get("escalations").size());

        try (Events events = Events.open(ADMIN.token())) {
            Escalation normal = Signals.normalEscalation(SITE, "r1", 500, context);
            // the next one carries what the hub does not hold: three new samples after the first's
            Escalation delta = Signals.escalation(SITE, "r1", Signals.range(501, 503), context);
            Escalation anomalous = Signals.anomalousEscalation(SITE, "r1", 900, context, 5);
            for (Escalation e : List.of(normal, delta, anomalous)) {
                Hubs.send(devices, e);
                assertNotNull(Hubs.awaitVerdict(devices, e.id(), WAIT), "verdict on " + e.id());
            }
            JsonNode verdict = events.await("verdict", v -> v.get("escalationId").asText().equals(anomalous.id()));
            assertTrue(verdict.get("anomaly").asBoolean());
            assertEquals(900, verdict.get("windowId").asLong());
            assertEquals(anomalous.samples().get(context - 1).ts(), verdict.get("ts").asLong());

            JsonNode r = json(get("/api/v1/devices/" + SITE + ":r1/readings?limit=" + LiveRoutes.MAX_READINGS,
                    ADMIN.token()));
            assertEquals(SITE + ":r1", r.get("id").asText());
            assertEquals(5, r.get("channels").asInt());
            List<Long> seqs = new ArrayList<>();
            r.get("samples").forEach(s -> seqs.add(s.get("seq").asLong()));
            assertEquals(commissioning + 2 * context + 3, seqs.size(), "each sample once: " + seqs);
            assertEquals(seqs.stream().sorted().toList(), seqs, "oldest first");
            JsonNode last = r.get("samples").get(seqs.size() - 1);
            Sample sent = anomalous.samples().get(context - 1);
            assertEquals(sent.ts(), last.get("ts").asLong());
            assertEquals(sent.value(1), last.get("values").get(1).asDouble(), 0.0);
            JsonNode judged = r.get("escalations");
            assertEquals(3, judged.size());
            assertFalse(judged.get(0).get("anomaly").asBoolean());
            assertTrue(judged.get(2).get("anomaly").asBoolean());
            assertTrue(judged.get(2).get("hubModelVersion").asText().startsWith("large-"));

            JsonNode newest = json(get("/api/v1/devices/r1/readings?limit=" + context, ADMIN.token()));
            assertEquals(context, newest.get("samples").size());
            assertEquals(1, newest.get("escalations").size(), "only the escalations on the samples shown");
        }
        for (String bad : List.of("0", String.valueOf(LiveRoutes.MAX_READINGS + 1), "many")) {
            HttpResponse<String> r = get("/api/v1/devices/r1/readings?limit=" + bad, ADMIN.token());
            assertEquals(400, r.statusCode(), bad);
            assertEquals("limit", json(r).get("field").asText());
        }
        HttpResponse<String> unknown = get("/api/v1/devices/nope/readings", ADMIN.token());
        assertEquals(404, unknown.statusCode());
        assertEquals("UNKNOWN_DEVICE", json(unknown).get("code").asText());
    }

    @Test
    void aClientThatDoesNotRead_losesTheEventsBeyondItsQueue_counted_andTheHubGoesOn() throws Exception {
        status("slow", DeviceStatus.State.DETECTING);
        assertTrue(TestWait.until(WAIT, () -> hub.fleet().view(new DeviceId(SITE, "slow")).isPresent()));
        double before = dropped();
        try (Socket stuck = rawStream(ADMIN.token())) {
            // never read again: the socket's buffers fill, then the stream's queue, then events are dropped
            for (int i = 0; i < 100_000 && dropped() == before; i++) {
                hub.events().publish(HubEvents.Kind.DEVICE, new DeviceId(SITE, "slow"));
            }
            assertTrue(dropped() > before, "events beyond the queue are dropped and counted");
            assertEquals(200, get("/api/v1/status", ADMIN.token()).statusCode(), "the hub answers meanwhile");
            try (Events reader = Events.open(ADMIN.token())) {
                status("slow-2", DeviceStatus.State.COMMISSIONING);
                reader.await("device", d -> d.get("id").asText().equals(SITE + ":slow-2"));
            }
        }
    }

    @Test
    void streamsBeyondTheLimit_areRefused503Overloaded_untilOneCloses() throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            assertTrue(TestWait.until(WAIT, () -> streams() == 0), "the other tests' streams are closed");
            for (int i = 0; i < LiveRoutes.MAX_STREAMS; i++) {
                open.add(rawStream(ADMIN.token()));
            }
            HttpResponse<String> refused = get("/api/v1/events", ADMIN.token());
            assertEquals(503, refused.statusCode());
            assertEquals("OVERLOADED", json(refused).get("code").asText());
            open.remove(0).close();
            assertTrue(TestWait.until(WAIT, () -> streams() == LiveRoutes.MAX_STREAMS - 1), "a closed stream is let go");
            try (Events again = Events.open(ADMIN.token())) {
                assertTrue(again.contentType.startsWith("text/event-stream"));
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void aStreamOfARevokedToken_isEndedAtItsNextPing() throws Exception {
        try (Events events = Events.open(CAROL.token())) {
            OPERATORS.remove(CAROL.stored());
            events.await("revoked", x -> true, Duration.ofMillis(LiveRoutes.PING_MS).plus(WAIT));
            assertEquals(401, get("/api/v1/status", CAROL.token()).statusCode());
        } finally {
            OPERATORS.add(CAROL.stored());
        }
    }

    @Test
    void theConsole_isServedWithoutAToken_fromTheClasspath_withNothingFromElsewhere() throws Exception {
        HttpResponse<String> root = HTTP.send(HttpRequest.newBuilder(uri("/")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, root.statusCode());
        assertEquals("/console/", root.headers().firstValue("Location").orElse(""));
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(uri("/console/")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        for (String asset : List.of("/console/console.js", "/console/console.css", "/vendor/uplot/uPlot.iife.min.js",
                "/vendor/uplot/uPlot.min.css")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(asset)).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), asset);
            assertFalse(r.body().isEmpty(), asset);
            if (asset.startsWith("/console/")) {
                assertFalse(r.body().matches("(?s).*(src|href)=\"(https?:)?//.*"), asset + " loads nothing from elsewhere");
            }
        }
        assertFalse(page.body().matches("(?s).*(src|href)=\"(https?:)?//.*"), "the page loads nothing from elsewhere");
        assertEquals(404, HTTP.send(HttpRequest.newBuilder(uri("/console/../pom.xml")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    // --- helpers

    /** An event stream read on a background thread: its events, as they come. */
    private static final class Events implements AutoCloseable {
        record Event(String name, JsonNode data) {
        }

        final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        final String contentType;
        private final Stream<String> lines;

        private Events(HttpResponse<Stream<String>> response) {
            this.contentType = response.headers().firstValue("Content-Type").orElse("");
            this.lines = response.body();
            Thread t = new Thread(() -> {
                String name = "message";
                try {
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (line.startsWith("event: ")) {
                            name = line.substring(7);
                        } else if (line.startsWith("data: ")) {
                            queue.add(new Event(name, Wire.mapper().readTree(line.substring(6))));
                            name = "message";
                        }
                    }
                } catch (Exception e) {
                    // closed
                }
            }, "sse-reader");
            t.setDaemon(true);
            t.start();
        }

        static Events open(String token) throws Exception {
            HttpResponse<Stream<String>> r = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/events"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, r.statusCode());
            return new Events(r);
        }

        JsonNode await(String name, Predicate<JsonNode> condition) throws InterruptedException {
            return await(name, condition, WAIT);
        }

        JsonNode await(String name, Predicate<JsonNode> condition, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Event e = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e != null && e.name().equals(name) && condition.test(e.data())) {
                    return e.data();
                }
            }
            throw new AssertionError("no '" + name + "' event as expected within " + timeout);
        }

        @Override
        public void close() {
            lines.close();
        }
    }

    /** An event stream over a plain socket, its response headers read (so that the hub counts it), then left alone. */
    private static Socket rawStream(String token) throws IOException {
        Socket s = new Socket("127.0.0.1", api.port());
        s.setSoTimeout((int) WAIT.toMillis());
        s.setReceiveBufferSize(4096);
        OutputStream out = s.getOutputStream();
        out.write(("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
        return s;
    }

    private static double dropped() {
        return Optional.ofNullable(hub.metrics().registry().find("tandem.hub.api.events.dropped").counter())
                .map(c -> c.count()).orElse(0.0);
    }

    private static double streams() {
        return hub.metrics().registry().get("tandem.hub.api.events.streams").gauge().value();
    }

    private static void status(String device, DeviceStatus.State state) {
        devices.publish(Topics.of(SITE, device, Topics.Kind.STATUS), Wire.encode(new DeviceStatus(DeviceStatus.VERSION,
                SITE, device, state, "tiny-1", 200, 1, 0, 0, null, 3, System.currentTimeMillis())));
    }

    private static void alarm(String device, String episode, Alarm.Phase phase) {
        long ts = 1_700_000_000_000L;
        devices.publish(Topics.of(SITE, device, Topics.Kind.ALARMS), Wire.encode(new Alarm(Alarm.VERSION, SITE, device,
                episode, phase, 7, phase == Alarm.Phase.ONSET ? ts : ts + 4_000, ts, phase == Alarm.Phase.ONSET ? 0 : 4_000,
                3, 1.7, 2.2, List.of(2), Alarm.Source.EDGE, "tiny-1")));
    }

    private static URI uri(String path) {
        return URI.create(api.url() + path);
    }

    private static HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token).timeout(WAIT)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                r.statusCode() + " " + r.body());
        return Wire.mapper().readTree(r.body());
    }
}
