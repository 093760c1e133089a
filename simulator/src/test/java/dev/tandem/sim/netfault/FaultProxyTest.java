package dev.tandem.sim.netfault;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.testing.MosquittoBroker;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault proxy between real MQTT clients and a real Mosquitto. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultProxyTest {
    private MosquittoBroker mosquitto;
    private Vertx vertx;
    private FaultProxy proxy;
    private final BlockingQueue<Long> received = new ArrayBlockingQueue<>(1000);

    @BeforeEach
    void start() throws Exception {
        mosquitto = MosquittoBroker.start();
        vertx = Vertx.vertx();
        proxy = FaultProxy.start(vertx, mosquitto.address());
        MqttClient sub = connect(mosquitto.address(), "direct-subscriber");
        sub.publishHandler(m -> {
            if (m.topicName().equals("t/pad")) {
                return; // filler
            }
            received.add(System.nanoTime() - Long.parseLong(m.payload().toString()));
        });
        sub.subscribe("t/#", 1).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        mosquitto.close();
    }

    private MqttClient connect(BrokerAddress to, String id) throws Exception {
        MqttClient c = MqttClient.create(vertx, new MqttClientOptions().setClientId(id).setKeepAliveInterval(30).setMaxMessageSize(1 << 20));
        c.connect(to.port(), to.host()).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return c;
    }

    private void publish(MqttClient c, String topic) {
        c.publish(topic, Buffer.buffer(String.valueOf(System.nanoTime())), MqttQoS.AT_LEAST_ONCE, false, false);
    }

    private Long next(long ms) throws InterruptedException {
        return received.poll(ms, TimeUnit.MILLISECONDS);
    }

    @Test
    void latency_delaysOnlyTheClientsItNames() throws Exception {
        MqttClient slow = connect(proxy.address(), "slow-1");
        MqttClient fast = connect(proxy.address(), "fast-1");
        FaultProxy.Active a = proxy.apply(NetworkFault.latency(Duration.ofMillis(300), Duration.ofMillis(50)),
                id -> id.startsWith("slow"), "slow");
        publish(fast, "t/fast");
        Long direct = next(5000);
        assertNotNull(direct);
        publish(slow, "t/slow");
        Long delayed = next(5000);
        assertNotNull(delayed);
        assertTrue(direct < 150_000_000L, "unaffected client: " + direct / 1e6 + " ms");
        assertTrue(delayed >= 300_000_000L, "300 ms added on the way to the broker: " + delayed / 1e6 + " ms");
        assertTrue(delayed < 2_000_000_000L, "but not lost: " + delayed / 1e6 + " ms");
        a.lift();
        publish(slow, "t/slow");
        Long after = next(5000);
        assertNotNull(after);
        assertTrue(after < 150_000_000L, "lifted: " + after / 1e6 + " ms");
        assertTrue(proxy.counters().snapshot().chunksDelayed() >= 1);
    }

    @Test
    void partition_passesNothing_thenClosesTheCutConnection() throws Exception {
        MqttClient cut = connect(proxy.address(), "cut-1");
        MqttClient other = connect(proxy.address(), "other-1");
        FaultProxy.Active a = proxy.apply(NetworkFault.of(NetworkFault.Kind.PARTITION), "cut-1"::equals, "cut-1");
        publish(cut, "t/cut");
        publish(other, "t/other");
        assertNotNull(next(5000), "the other client still gets through");
        assertNull(next(1000), "nothing from the partitioned client");
        assertThrows(Exception.class, () -> connect(proxy.address(), "cut-1"), "a new connection hangs (no CONNACK)");
        a.lift();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (cut.isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(!cut.isConnected(), "healing closes the connection whose bytes were dropped");
        assertTrue(proxy.counters().snapshot().bytesDropped() > 0);
        MqttClient again = connect(proxy.address(), "cut-1");
        publish(again, "t/cut");
        assertNotNull(next(5000), "reconnected after the partition");
    }

    @Test
    void brokerOutage_closesAndRefusesEveryone_untilLifted() throws Exception {
        MqttClient c = connect(proxy.address(), "any-1");
        FaultProxy.Active a = proxy.apply(NetworkFault.of(NetworkFault.Kind.BROKER_OUTAGE), id -> false, "all");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (c.isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(!c.isConnected());
        assertThrows(Exception.class, () -> connect(proxy.address(), "any-2"));
        assertTrue(proxy.counters().snapshot().refused() >= 1);
        a.lift();
        publish(connect(proxy.address(), "any-3"), "t/x");
        assertNotNull(next(5000));
    }

    @Test
    void bandwidth_capsThroughput() throws Exception {
        MqttClient c = connect(proxy.address(), "thin-1");
        proxy.apply(NetworkFault.bandwidth(10_000), "thin-1"::equals, "thin");
        long t0 = System.nanoTime();
        c.publish("t/pad", Buffer.buffer(new byte[20_000]), MqttQoS.AT_LEAST_ONCE, false, false);
        publish(c, "t/after");
        Long took = next(10_000);
        assertNotNull(took, "the message behind 20 kB arrived: " + proxy.counters().snapshot());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds >= 1.5 && seconds < 6, "20 kB at 10 kB/s takes about 2 s: " + seconds);
    }
}
