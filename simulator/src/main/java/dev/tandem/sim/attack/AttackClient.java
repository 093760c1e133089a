package dev.tandem.sim.attack;

import dev.tandem.shared.identity.CaTrust;
import dev.tandem.shared.identity.Credentials;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain MQTT 5 client (Paho), as an attacker holds one (the security tests and {@link Attacker}): connects as anyone (or no one), publishes,
 * subscribes and reports the broker's answers (CONNACK refusal, SUBACK reason codes, what arrives).
 */
public final class AttackClient implements AutoCloseable {
    private final MqttClient client;
    private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    private volatile boolean disconnectedByBroker;

    private AttackClient(MqttClient client) {
        this.client = client;
    }

    /** Connects; throws the broker's refusal as an MqttException. */
    public static AttackClient connect(String url, String clientId, String username, String password, Path ca) throws MqttException {
        MqttClient c = new MqttClient(url, clientId, new MemoryPersistence());
        c.setTimeToWait(10_000); // no blocking call waits forever (a broker may close instead of answering)
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(5);
        if (username != null) {
            o.setUserName(username);
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        if (ca != null) {
            o.setSocketFactory(CaTrust.sslContext(ca).getSocketFactory());
        }
        AttackClient p = new AttackClient(c);
        c.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
                p.disconnectedByBroker = true;
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                p.received.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken t) {
            }

            @Override
            public void connectComplete(boolean reconnect, String uri) {
            }

            @Override
            public void authPacketArrived(int reason, MqttProperties properties) {
            }
        });
        c.connect(o);
        return p;
    }

    public static AttackClient as(String url, Credentials c, Path ca) throws MqttException {
        return connect(url, c.username(), c.username(), c.password(), ca);
    }

    /** SUBACK reason codes, one per filter (0-2 granted, 0x80+ refused). */
    public int[] subscribe(String... filters) throws MqttException {
        int[] qos = new int[filters.length];
        java.util.Arrays.fill(qos, 1);
        IMqttToken t = client.subscribe(filters, qos);
        return t.getReasonCodes();
    }

    /** Publishes at QoS 1 and returns the PUBACK reason code (0 or 0x10 accepted, 0x87 refused). */
    public int publish(String topic, String payload) throws MqttException {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken t = client.getTopic(topic).publish(m);
        t.waitForCompletion(5000);
        int[] codes = t.getReasonCodes();
        return codes == null || codes.length == 0 ? 0 : codes[0];
    }

    /**
     * A forged publish on a connection of its own (Paho closes a connection whose PUBACK refuses):
     * the PUBACK reason code, or -1 if the broker closed the connection instead.
     */
    public static int publishOnce(String url, Credentials c, String topic, String payload) throws MqttException {
        return publishOnce(url, c, null, topic, payload);
    }

    /** {@link #publishOnce(String, Credentials, String, String)} trusting the site CA {@code ca} for {@code ssl://}. */
    public static int publishOnce(String url, Credentials c, Path ca, String topic, String payload) throws MqttException {
        try (AttackClient p = as(url, c, ca)) {
            try {
                return p.publish(topic, payload);
            } catch (MqttException e) {
                return -1;
            }
        }
    }

    /** Whether the broker closed this connection (a refused publish on HiveMQ, a revocation). */
    public boolean disconnectedByBroker() {
        return disconnectedByBroker;
    }

    /** Messages received and not yet taken. */
    public int pending() {
        return received.size();
    }

    /** The next message that arrives within the timeout, or null. */
    public String next(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public List<String> drain() {
        List<String> out = new java.util.ArrayList<>();
        received.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                // forcibly, bounded: a broker that already closed the connection (HiveMQ after a refused
                // publish) never answers, and Paho's plain disconnect then waits forever
                client.disconnectForcibly(100, 1000, true);
            }
        } catch (MqttException ignored) {
            // closing anyway
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // closing anyway
        }
    }
}
