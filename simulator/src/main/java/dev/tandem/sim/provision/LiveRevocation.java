package dev.tandem.sim.provision;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.Role;
import dev.tandem.shared.wire.Wire;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Revokes an identity on a running mosquitto at once: as the site's broker administrator, a
 * {@code deleteClient} command per username of the identity (its will connections too) on the
 * dynamic-security plugin's control topic; the plugin disconnects the client and refuses its next
 * CONNECT. (The embedded broker follows {@code site.json} by itself.)
 */
public final class LiveRevocation {
    static final String CONTROL = "$CONTROL/dynamic-security/v1";
    private static final long ANSWER_SECONDS = 10;

    private LiveRevocation() {
    }

    /** @return the usernames deleted */
    public static List<String> onMosquitto(BrokerAddress broker, BrokerLogin admin, Identity revoked) {
        List<String> usernames = new ArrayList<>();
        usernames.add(revoked.username());
        if (revoked.role() == Role.AGENT) {
            revoked.devices().subList(1, revoked.devices().size()).forEach(d -> usernames.add(revoked.willUsername(d)));
        }
        var root = Wire.mapper().createObjectNode();
        var commands = root.putArray("commands");
        for (String u : usernames) {
            commands.addObject().put("command", "deleteClient").put("username", u);
        }
        String clientId = admin.clientId("tandem-provision");
        try {
            MqttClient client = new MqttClient(broker.url(), clientId, new MemoryPersistence());
            try {
                MqttConnectionOptions o = new MqttConnectionOptions();
                o.setUserName(admin.credentials().username());
                o.setPassword(admin.credentials().password().getBytes(StandardCharsets.UTF_8));
                o.setConnectionTimeout(10);
                if (broker.tls()) {
                    o.setSocketFactory(admin.sslContext().getSocketFactory());
                }
                client.connect(o);
                BlockingQueue<String> answers = new ArrayBlockingQueue<>(4);
                // the array form: Paho 1.2.5's subscribe(String, int, listener) recurses into itself
                client.subscribe(new MqttSubscription[]{new MqttSubscription(CONTROL + "/response", 1)},
                        new IMqttMessageListener[]{(t, m) -> answers.offer(new String(m.getPayload(),
                                StandardCharsets.UTF_8))});
                MqttMessage m = new MqttMessage(Wire.encode(root));
                m.setQos(1);
                client.publish(CONTROL, m);
                String answer = answers.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
                if (answer == null) {
                    throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "mosquitto at " + broker + " did not answer "
                            + "the revocation within " + ANSWER_SECONDS + " s (is its dynamic-security plugin loaded?)");
                }
                if (answer.contains("\"error\"") && !answer.contains("Client not found")) {
                    throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "mosquitto refused the revocation: " + answer);
                }
            } finally {
                if (client.isConnected()) {
                    client.disconnectForcibly(100, 2000, true); // bounded, whatever the broker does
                }
                client.close(true);
            }
        } catch (MqttException e) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "cannot reach mosquitto at " + broker
                    + " as its administrator: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "interrupted while revoking");
        }
        return usernames;
    }
}
