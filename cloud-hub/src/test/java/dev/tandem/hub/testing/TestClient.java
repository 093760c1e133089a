package dev.tandem.hub.testing;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A plain Paho MQTT 5 client for tests: publishes with bounded in-flight, collects what it receives. */
public final class TestClient implements AutoCloseable {
    public record Received(String topic, byte[] payload, boolean retained) {
    }

    private final MqttAsyncClient client;
    private final List<Received> received = new ArrayList<>();
    private final int maxInflight;
    private final Semaphore inflight;
    private final boolean keep;
    private final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastArrivalNanos;

    private TestClient(String url, int maxInflight, boolean keep) throws MqttException {
        this.maxInflight = maxInflight;
        this.inflight = new Semaphore(maxInflight);
        this.keep = keep;
        client = new MqttAsyncClient(url, "test-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                lastArrivalNanos = System.nanoTime();
                count.incrementAndGet();
                if (!keep) {
                    return;
                }
                synchronized (received) {
                    received.add(new Received(topic, m.getPayload(), m.isRetained()));
                    received.notifyAll();
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
    }

    public static TestClient connect(String url) {
        try {
            return new TestClient(url, 100, true);
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client that only counts what it receives (for throughput runs); {@code maxInflight} QoS 1 publishes. */
    public static TestClient counting(String url, int maxInflight) {
        try {
            return new TestClient(url, maxInflight, false);
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    public long count() {
        return count.get();
    }

    public long lastArrivalNanos() {
        return lastArrivalNanos;
    }

    public TestClient subscribe(String filter) {
        try {
            client.subscribe(filter, 1).waitForCompletion(5000);
            return this;
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    /** QoS 1, bounded in flight. */
    public void publish(String topic, byte[] payload) {
        publish(topic, payload, false);
    }

    public void publish(String topic, byte[] payload, boolean retained) {
        try {
            if (!inflight.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("publish stuck");
            }
            client.publish(topic, payload, 1, retained, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken t) {
                    inflight.release();
                }

                @Override
                public void onFailure(IMqttToken t, Throwable e) {
                    inflight.release();
                }
            });
        } catch (MqttException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until every publish was acknowledged. */
    public void flush() {
        try {
            if (!inflight.tryAcquire(maxInflight, 10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("publishes not acknowledged in 10 s");
            }
            inflight.release(maxInflight);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Removes and returns the first message matching, waiting at most {@code timeout}; null if none. */
    public Received await(Predicate<Received> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                for (java.util.Iterator<Received> it = received.iterator(); it.hasNext(); ) {
                    Received r = it.next();
                    if (match.test(r)) {
                        it.remove();
                        return r;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(received, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    /** Collects {@code n} messages matching, waiting at most {@code timeout} in all. */
    public List<Received> awaitAll(Predicate<Received> match, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Received> got = new ArrayList<>();
        while (got.size() < n) {
            Received r = await(match, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (r == null) {
                break;
            }
            got.add(r);
        }
        return got;
    }

    /** Everything received so far (and removes it). */
    public List<Received> drain() {
        synchronized (received) {
            List<Received> all = new ArrayList<>(received);
            received.clear();
            return all;
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(2000);
            }
            client.close(true);
        } catch (MqttException e) {
            // best effort
        }
    }
}
