package dev.tandem.sim.provision;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.notify.Notification;
import dev.tandem.hub.notify.NotifySettings;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.attack.AttackClient;
import dev.tandem.sim.broker.EmbeddedBroker;
import dev.tandem.sim.broker.EmbeddedBrokerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On both secured brokers (the embedded HiveMQ's authorizer and mosquitto's dynamic-security file,
 * both from AccessRules), a hub logged in with its site credentials publishes alarm notifications on
 * tandem/v1/SITE/notifications and a monitor identity receives them; nobody else may publish there.
 */
class NotificationAclTest {
    private static final String SITE = "plant";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private SiteLayout provision() {
        SiteLayout layout = new SiteLayout(dir.resolve("site"));
        Provisioner.create(layout, new Provisioner.Plan(SITE, List.of(
                Identity.agent(SITE, "agent-m1", List.of("m1")),
                Identity.hub(SITE, "hub-1"),
                Identity.monitor(SITE, "integration")), List.of("127.0.0.1")));
        return layout;
    }

    private void notificationsReachTheMonitor(SiteLayout layout, BrokerAddress broker, String url) throws Exception {
        SiteAccess access = SiteAccess.open(layout);
        String topic = Topics.notifications(SITE);
        try (CloudHub hub = CloudHub.start(HubConfig.builder(broker).login(access.hub()).signingKey(access.signingKey())
                .sharedSubscription(false).notifications(NotifySettings.none().withTopic(topic)).build());
             AttackClient monitor = AttackClient.as(url, Credentials.load(layout.credentials("integration")), null);
             AttackClient agent = AttackClient.as(url, Credentials.load(layout.credentials("agent-m1")), null)) {
            assertTrue(hub.awaitConnected(WAIT));
            assertEquals(1, monitor.subscribe(topic)[0], "a monitor may read the notifications");
            Alarm onset = new Alarm(Alarm.VERSION, SITE, "m1", "e1", Alarm.Phase.ONSET, 10, 1_700_000_000_000L,
                    1_700_000_000_000L, 0, 1, 2.0, 2.0, List.of(0), Alarm.Source.EDGE, "tiny-a");
            agent.publish(Topics.of(SITE, "m1", Topics.Kind.ALARMS), new String(Wire.encode(onset), StandardCharsets.UTF_8));

            String m = monitor.next(WAIT);
            assertNotNull(m, "no notification reached the monitor");
            assertTrue(m.startsWith(topic + " "), m);
            Notification n = Wire.decode(m.substring(m.indexOf(' ') + 1).getBytes(StandardCharsets.UTF_8),
                    Notification.class);
            assertEquals("alarm.onset", n.event());
            assertEquals(SITE + ":m1", n.deviceId());
            long until = System.nanoTime() + WAIT.toNanos(); // the PUBACK may come after the monitor's copy
            while (hub.notifications().get(0).sent() < 1 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(1, hub.notifications().get(0).sent());
            assertEquals(0, hub.notifications().get(0).failedAttempts());

            // an agent may not speak for the hub there: its publish is refused and no one receives it
            agent.publish(topic, "{\"fake\":true}");
            assertEquals(null, monitor.next(Duration.ofMillis(500)), "nothing but the hub's notifications");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void embeddedBroker_letsTheHubNotify_andAMonitorRead() throws Exception {
        SiteLayout layout = provision();
        try (EmbeddedBroker broker = new EmbeddedBroker(EmbeddedBrokerOptions.secured(layout.root())).start()) {
            notificationsReachTheMonitor(layout, broker.address(), broker.url());
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mosquitto_letsTheHubNotify_andAMonitorRead() throws Exception {
        SiteLayout layout = provision();
        try (SecuredMosquitto mosquitto = SecuredMosquitto.start(layout)) {
            notificationsReachTheMonitor(layout, mosquitto.broker().address(), mosquitto.broker().url());
        }
    }
}
