package dev.tandem.hub.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.alarm.AlarmEntry;
import dev.tandem.hub.live.HubEvents;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NotificationTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private Vertx vertx;
    private final String site = Signals.site();

    @BeforeEach
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A webhook receiver on a free loopback port; {@code handler} answers (or does not). */
    private URI receiver(Consumer<HttpServerRequest> handler) throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(handler::accept)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return URI.create("http://127.0.0.1:" + server.actualPort() + "/hooks/tandem?secret=s3cret");
    }

    private Alarm alarm(String device, String episode, Alarm.Phase phase, long window) {
        return new Alarm(Alarm.VERSION, site, device, episode, phase, window, 1_700_000_000_000L + window,
                1_700_000_000_000L, window * 10, 1 + window / 100, 2.0, 3.5, List.of(1, 0), Alarm.Source.HUB, "tiny-a");
    }

    private static void send(TestClient device, Alarm a) {
        device.publish(Topics.of(a.site(), a.device(), Topics.Kind.ALARMS), Wire.encode(a));
    }

    @Test
    void webhook_failingOnceWith500_getsOnsetAndClearOnceEach_inOrder_andTheFailedAttemptIsCounted() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        List<JsonNode> accepted = new CopyOnWriteArrayList<>();
        URI url = receiver(req -> req.body().onSuccess(body -> {
            if (requests.incrementAndGet() == 1) {
                req.response().setStatusCode(500).end("not now");
                return;
            }
            try {
                accepted.add(Wire.mapper().readTree(body.getBytes()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            req.response().setStatusCode(204).end();
        }));
        NotifySettings notify = NotifySettings.none().withWebhook(url).withRetries(3, Duration.ofMillis(50));
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub hub = CloudHub.start(HubConfig.builder(broker.address()).notifications(notify).build());
             TestClient device = TestClient.connect(broker.url())) {
            assertTrue(hub.awaitConnected(WAIT));
            send(device, alarm("m1", "e1", Alarm.Phase.ONSET, 100));
            send(device, alarm("m1", "e1", Alarm.Phase.ONSET, 100)); // a redelivery
            send(device, alarm("m1", "e1", Alarm.Phase.UPDATE, 150));
            send(device, alarm("m1", "e1", Alarm.Phase.CLEAR, 200));

            assertTrue(TestWait.until(WAIT, () -> accepted.size() >= 2), "received: " + accepted);
            assertEquals(List.of("alarm.onset", "alarm.clear"), accepted.stream().map(n -> n.get("event").asText()).toList());
            JsonNode onset = accepted.get(0);
            assertEquals(site + ":m1", onset.get("deviceId").asText());
            assertEquals("e1", onset.get("episode").asText());
            assertEquals("HUB", onset.get("source").asText());
            assertEquals(hub.alarms().recent(1, null).get(0).id(), onset.get("alarmId").asLong());
            assertEquals(hub.config().instanceId(), onset.get("hub").asText());
            assertEquals(3, requests.get(), "one refused attempt, then one delivery per phase");

            Notifier.ChannelStatus s = hub.notifications().get(0);
            assertEquals(Notifier.WEBHOOK, s.channel());
            assertEquals(2, s.sent());
            assertEquals(1, s.failedAttempts());
            assertEquals(java.util.Map.of("http_status", 1L), s.failedAttemptsByReason());
            assertEquals(0, s.failed());
            assertTrue(!s.target().contains("s3cret") && !s.target().contains("hooks"), "the URL's secret stays out: "
                    + s.target());
            String metrics = hub.metrics().scrape();
            assertTrue(metrics.contains("tandem_hub_notifications_attempt_failures_total{channel=\"webhook\","
                    + "reason=\"http_status\"} 1.0"), metrics);
            assertTrue(metrics.contains("tandem_hub_notifications_sent_total{channel=\"webhook\"} 2.0"), metrics);
        }
    }

    @Test
    void webhook_neverAnswering_isCountedFailedAfterItsRetries_andTheHubGoesOnServingVerdicts() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        URI url = receiver(req -> requests.incrementAndGet()); // reads nothing, answers nothing
        NotifySettings notify = NotifySettings.none().withWebhook(url).withRetries(1, Duration.ofMillis(50))
                .withTimeout(Duration.ofMillis(300));
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub hub = CloudHub.start(Hubs.config(broker.address()).toBuilder().notifications(notify).build());
             TestClient device = TestClient.connect(broker.url())
                     .subscribe(Topics.of(site, "m1", Topics.Kind.MODEL))
                     .subscribe(Topics.allDevices(site, Topics.Kind.VERDICTS))) {
            Hubs.commission(device, site, "m1");
            int contextSize = Hubs.awaitModel(device, site, "m1").contextSize();
            send(device, alarm("m1", "e1", Alarm.Phase.ONSET, 100));

            assertTrue(TestWait.until(WAIT, () -> hub.notifications().get(0).failed() == 1), hub.notifications()::toString);
            Notifier.ChannelStatus s = hub.notifications().get(0);
            assertEquals(0, s.sent());
            assertEquals(java.util.Map.of("timeout", 2L), s.failedAttemptsByReason(), "the attempt and its retry");
            assertEquals(2, requests.get());
            assertTrue(hub.metrics().scrape().contains(
                    "tandem_hub_notifications_failed_total{channel=\"webhook\",reason=\"retries_exhausted\"} 1.0"));

            Escalation e = Signals.normalEscalation(site, "m1", 5_000, contextSize);
            Hubs.send(device, e);
            Verdict v = Hubs.awaitVerdict(device, e.id(), WAIT);
            assertNotNull(v, "the hub still answers escalations");
            assertEquals(1, hub.alarms().recent(10, null).size());
        }
    }

    @Test
    void mqttTopic_getsOnsetAndRebaselined_publishedByTheHubWithQos1() {
        String topic = Topics.notifications(site);
        NotifySettings notify = NotifySettings.none().withTopic(topic);
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub hub = CloudHub.start(HubConfig.builder(broker.address()).notifications(notify).build());
             TestClient integration = TestClient.connect(broker.url()).subscribe(topic);
             TestClient device = TestClient.connect(broker.url())) {
            assertTrue(hub.awaitConnected(WAIT));
            send(device, alarm("m2", "e7", Alarm.Phase.ONSET, 100));
            send(device, alarm("m2", "e7", Alarm.Phase.REBASELINED, 300));

            TestClient.Received first = integration.await(m -> m.topic().equals(topic), WAIT);
            assertNotNull(first, "no notification on " + topic);
            TestClient.Received second = integration.await(m -> m.topic().equals(topic)
                    && Wire.decode(m.payload(), Notification.class).phase().equals("REBASELINED"), WAIT);
            assertNotNull(second, "no REBASELINED notification on " + topic);
            Notification onset = Wire.decode(first.payload(), Notification.class);
            assertEquals("alarm.onset", onset.event());
            assertEquals(List.of(1, 0), onset.channels());
            assertEquals("m2", onset.device());
            assertEquals("alarm.rebaselined", Wire.decode(second.payload(), Notification.class).event());
            assertTrue(TestWait.until(WAIT, () -> hub.notifications().get(0).sent() == 2));
            assertEquals(Notifier.MQTT, hub.notifications().get(0).channel());
        }
    }

    @Test
    void fullQueue_dropsAndCountsByReason_andNothingThrows() throws Exception {
        URI url = receiver(req -> { }); // never answers: the first notification holds the channel
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HubEvents events = new HubEvents();
        NotifySettings notify = NotifySettings.none().withWebhook(url).withQueue(1).withRetries(0, Duration.ofMillis(10))
                .withTimeout(Duration.ofSeconds(5));
        try (Notifier n = Notifier.start(notify, "test", null, registry, events)) {
            for (long id = 1; id <= 5; id++) {
                Alarm a = alarm("m" + id, "e" + id, Alarm.Phase.ONSET, 100);
                events.publish(HubEvents.Kind.ALARM, new AlarmEntry(id, a, Instant.now(), Instant.now(), 1, null, null, null));
            }
            Notifier.ChannelStatus s = n.status().get(0);
            assertTrue(s.dropped() >= 3, s.toString()); // one in flight, at most one queued
            assertEquals(s.dropped(), s.droppedByReason().get("queue_full"));
            assertTrue(registry.scrape().contains("tandem_hub_notifications_dropped_total{channel=\"webhook\","
                    + "reason=\"queue_full\"} " + s.dropped() + ".0"));
        }
    }

    @Test
    void settings_refuseBadValues_andACredentialedHubPublishesOnlyOnItsSitesTopic() {
        for (Runnable bad : List.<Runnable>of(
                () -> NotifySettings.none().withWebhook(URI.create("ftp://x/y")),
                () -> NotifySettings.none().withWebhook(URI.create("/relative")),
                () -> NotifySettings.none().withTopic("a/+/b"),
                () -> NotifySettings.none().withTopic(""),
                () -> NotifySettings.none().withRetries(-1, Duration.ofMillis(50)),
                () -> NotifySettings.none().withRetries(11, Duration.ofMillis(50)),
                () -> NotifySettings.none().withRetries(1, Duration.ZERO),
                () -> NotifySettings.none().withTimeout(Duration.ofMillis(-5)),
                () -> NotifySettings.none().withQueue(0))) {
            assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, bad::run).code());
        }
        assertEquals(Duration.ofMillis(500), NotifySettings.none().backoffAfter(1));
        assertEquals(Duration.ofMillis(2000), NotifySettings.none().backoffAfter(3));
        assertEquals(NotifySettings.MAX_BACKOFF, NotifySettings.none().backoffAfter(30));
        assertEquals("tandem/v1/plant/notifications", Topics.notifications("plant"));
        BrokerLogin hubLogin = BrokerLogin.of(dev.tandem.shared.identity.Credentials.of(
                dev.tandem.shared.identity.Identity.hub("plant", "hub-1"), "pw-0123456789abcdef"), null);
        HubConfig.Builder credentialed = HubConfig.builder(BrokerAddress.parse("tcp://127.0.0.1:1883")).login(hubLogin);
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class,
                () -> credentialed.notifications(NotifySettings.none().withTopic("alerts/tandem")).build()).code());
        assertEquals("tandem/v1/plant/notifications", credentialed.notifications(NotifySettings.none()
                .withTopic("tandem/v1/plant/notifications")).build().notifications().topic());
    }
}
