package dev.tandem.hub.rollout;

import dev.tandem.shared.signing.ManifestVerifier;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.signing.TrustedKey;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.wire.Wire;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The devices of a hub component test, played by a script on the broker: one MQTT session that takes
 * every device's retained assignment (verifying its signature as a device would) and answers each
 * manifest of a rollout with the {@code model/state} reports its {@link Script} gives (about that
 * manifest's generation and rollout). Keeps every manifest each device received, in order.
 */
final class ScriptedDevices implements AutoCloseable {
    /** What a device reports on a rollout's manifest (empty: nothing). */
    interface Script {
        List<ModelState> reports(String device, ModelManifest m);
    }

    /** VERIFYING, SHADOW, ACTIVE: a good candidate. */
    static List<ModelState> goesActive(String site, String device, ModelManifest m) {
        return List.of(ModelState.verifying(site, device, m.version()),
                ModelState.shadow(site, device, m.version(), dev.tandem.shared.wire.ShadowReport.EMPTY),
                ModelState.active(site, device, m.version()));
    }

    private final String site;
    private final ManifestVerifier verifier;
    private final MqttAsyncClient client;
    private final ExecutorService out = Executors.newSingleThreadExecutor();
    private final Map<String, List<ModelManifest>> received = new ConcurrentHashMap<>();
    private final List<Runnable> held = new CopyOnWriteArrayList<>();
    private volatile Script script;
    private volatile boolean holding;
    private volatile String holdingDevice;

    ScriptedDevices(String url, String site, TrustedKey hubKey, Script script) throws MqttException {
        this.site = site;
        this.verifier = new ManifestVerifier(hubKey);
        this.script = script;
        client = new MqttAsyncClient(url, "devices-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                if (m.getPayload().length > 0) {
                    onAssignment(Wire.decode(m.getPayload(), ModelAssignment.class));
                }
            }

            @Override
            public void deliveryComplete(IMqttToken t) {
            }

            @Override
            public void connectComplete(boolean reconnect, String uri) {
            }

            @Override
            public void authPacketArrived(int code, MqttProperties p) {
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        client.connect(o).waitForCompletion(5000);
        client.subscribe(Topics.allDevices(site, Topics.Kind.MODEL), 1).waitForCompletion(5000);
    }

    void script(Script s) {
        this.script = s;
    }

    /** Reports are kept back until {@link #release()} (a device busy while the hub restarts). */
    void hold() {
        holding = true;
    }

    /** Holds the reports of {@code device} only (set before its candidate can arrive), until {@link #release()}. */
    void hold(String device) {
        holdingDevice = device;
    }

    void release() {
        holding = false;
        holdingDevice = null;
        List<Runnable> all = new ArrayList<>(held);
        held.clear();
        all.forEach(out::execute);
    }

    private void onAssignment(ModelAssignment a) {
        ModelManifest m = verifier.verifyOrigin(a.manifest(), new ManifestVerifier.Device(a.site(), a.device(),
                Commissioning.DEFAULT_CLASS));
        received.computeIfAbsent(a.device(), d -> new CopyOnWriteArrayList<>()).add(m);
        if (m.rules() == null) {
            return; // outside a rollout (commissioning, or the hub sending it back): taken at once, nothing to report
        }
        List<ModelState> reports = script.reports(a.device(), m);
        Runnable send = () -> reports.forEach(r -> report(r.about(m.generation(), m.rules().rollout())));
        if (holding || a.device().equals(holdingDevice)) {
            held.add(send);
        } else {
            out.execute(send);
        }
    }

    /** Publishes one report as the device would. */
    void report(ModelState s) {
        try {
            client.publish(Topics.of(s.site(), s.device(), Topics.Kind.MODEL_STATE), Wire.encode(s), 1, false)
                    .waitForCompletion(5000);
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every manifest the device received, in order. */
    List<ModelManifest> manifests(String device) {
        return List.copyOf(received.getOrDefault(device, List.of()));
    }

    /** The newest manifest the device received. */
    ModelManifest last(String device) {
        List<ModelManifest> all = manifests(device);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    String site() {
        return site;
    }

    @Override
    public void close() {
        out.shutdownNow();
        try {
            out.awaitTermination(5, TimeUnit.SECONDS);
            client.disconnect().waitForCompletion(2000);
            client.close(true);
        } catch (Exception e) {
            // best effort
        }
    }
}
