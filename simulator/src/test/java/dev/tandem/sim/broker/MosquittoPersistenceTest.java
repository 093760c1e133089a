package dev.tandem.sim.broker;

import dev.tandem.shared.testing.MosquittoBroker;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker configuration in docs/mosquitto.conf keeps retained models across a broker restart. */
class MosquittoPersistenceTest {
    @TempDir
    Path data;

    /** docs/mosquitto.conf as documented, with this test's port and data directory. */
    private List<String> documentedConfig(int port) throws Exception {
        // run as root, mosquitto drops to its own user: the data directory must be writable for it
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path conf = Path.of("..", "docs", "mosquitto.conf");
        List<String> out = new ArrayList<>();
        boolean persistence = false;
        for (String line : Files.readAllLines(conf)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("listener") || l.startsWith("allow_anonymous")) {
                continue;
            }
            if (l.startsWith("persistence_location")) {
                l = "persistence_location " + data.toAbsolutePath() + "/";
            }
            persistence |= l.equals("persistence true");
            out.add(l);
        }
        assertTrue(persistence, "docs/mosquitto.conf turns persistence on");
        return out;
    }

    private static MqttClient connect(MosquittoBroker broker, String id) throws Exception {
        MqttClient c = new MqttClient(broker.url(), id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setConnectionTimeout(10);
        c.connect(o);
        return c;
    }

    @Test
    void aRetainedModel_isStillDelivered_afterTheBrokerRestarts() throws Exception {
        int port = MosquittoBroker.freePort();
        List<String> config = documentedConfig(port);
        String topic = "tandem/v1/site-p/pump-1/model";
        byte[] model = "{\"v\":2,\"a signed assignment\":true}".getBytes(StandardCharsets.UTF_8);
        try (MosquittoBroker broker = MosquittoBroker.start(port, config)) {
            MqttClient hub = connect(broker, "hub");
            MqttMessage m = new MqttMessage(model);
            m.setQos(1);
            m.setRetained(true);
            hub.publish(topic, m);
            hub.disconnect(2000);
            hub.close();
        } // SIGTERM: mosquitto writes its database as it stops
        assertTrue(Files.exists(data.resolve("mosquitto.db")), "the broker wrote its database into " + data);

        try (MosquittoBroker restarted = MosquittoBroker.start(port, config)) {
            MqttClient device = connect(restarted, "edge");
            BlockingQueue<MqttMessage> got = new ArrayBlockingQueue<>(4);
            IMqttToken t = device.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[]{
                    new org.eclipse.paho.mqttv5.common.MqttSubscription(topic, 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[]{(tp, msg) -> got.add(msg)});
            t.waitForCompletion(5000);
            MqttMessage back = got.poll(10, TimeUnit.SECONDS);
            assertNotNull(back, "the retained model survived the restart");
            assertTrue(back.isRetained());
            assertEquals(new String(model, StandardCharsets.UTF_8), new String(back.getPayload(), StandardCharsets.UTF_8));
            device.disconnect(2000);
            device.close();
        }
    }
}
