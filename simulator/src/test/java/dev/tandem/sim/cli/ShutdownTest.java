package dev.tandem.sim.cli;

import dev.tandem.shared.testing.MosquittoBroker;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Honest ends: a hub stopped by SIGTERM finishes its shutdown; a simulator whose broker is gone exits 3. */
class ShutdownTest {

    @Test
    void hub_onSigterm_completesItsShutdown_beforeTheJvmExits() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    TandemCli.class.getName(), "hub", "--insecure", "--broker", broker.url(), "--status-every", "1")
                    .redirectErrorStream(true).start();
            List<String> lines = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> connected = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                        if (l.startsWith("hub: connected true")) {
                            connected.complete(null);
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            try {
                connected.get(90, TimeUnit.SECONDS);
                p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
                assertTrue(p.waitFor(45, TimeUnit.SECONDS), "the hub exits within its bounded shutdown");
                reader.join(5_000);
                assertTrue(lines.stream().anyMatch(l -> l.matches("hub .*: stopped, .*")),
                        "the shutdown ran to its end (exit " + p.exitValue() + "): " + lines);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void sim_whenItsBrokerGoesAway_exitsThree() throws Exception {
        MosquittoBroker broker = MosquittoBroker.start();
        CompletableFuture<TandemCliProbe.Result> run = CompletableFuture.supplyAsync(() -> TandemCliProbe.run(
                "sim", "--insecure", "--broker", broker.url(), "--devices", "1", "--rate", "20"));
        org.eclipse.paho.mqttv5.client.MqttClient watcher = new org.eclipse.paho.mqttv5.client.MqttClient(broker.url(),
                "watcher", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        watcher.connect();
        CompletableFuture<Void> flowing = new CompletableFuture<>();
        watcher.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[]{
                        new org.eclipse.paho.mqttv5.common.MqttSubscription("tandem/v1/+/+/readings", 0)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[]{(t, m) -> flowing.complete(null)});
        flowing.get(60, TimeUnit.SECONDS);
        broker.close(); // for good: the publisher does not reconnect
        TandemCliProbe.Result r = run.get(60, TimeUnit.SECONDS);
        assertEquals(SimCommand.BROKER_LOST, r.exit(), r.out());
        assertTrue(r.out().contains("BROKER_UNAVAILABLE"), r.out());
    }
}
