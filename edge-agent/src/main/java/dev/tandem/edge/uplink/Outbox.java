package dev.tandem.edge.uplink;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * The edge's queue of QoS 1 publishes (alarms, escalations, commissioning, model states).
 *
 * <p>vertx-mqtt 5.0.x does not block or queue past its in-flight window ({@code maxInflightQueue}):
 * a publish beyond it fails. The outbox therefore keeps at most {@code window} publishes awaiting
 * PUBACK and releases the next ones from {@link MqttClient#publishCompletionHandler}. While there is
 * no connection it holds everything and flushes on {@link #attach}; publishes that were in flight
 * when a connection dropped are sent again first (at least once: the hub may see a duplicate).
 * Past {@code capacity} queued messages it drops the oldest and counts them.
 *
 * <p><b>Not durable:</b> the queue lives in memory, so a restart of the agent loses what was not
 * yet acknowledged. Persisting it on disk (fsync on a worker thread) is a later issue.
 *
 * <p>Not thread-safe: use it on the owning verticle's context only.
 */
public final class Outbox {
    /** One queued publish. */
    public record Message(String topic, byte[] payload, boolean retain) {
    }

    private final int capacity;
    private final int window;
    private final Runnable onDrop;
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    /** packet id -> message, in send order, on the current client. */
    private final LinkedHashMap<Integer, Message> inFlight = new LinkedHashMap<>();
    /** PUBACKs that overtook the publish future (defensive; not expected on one event loop). */
    private final Set<Integer> earlyAcks = new HashSet<>();
    private MqttClient client;
    private int writing;
    private long sent;
    private long acked;
    private long dropped;

    /**
     * @param capacity most messages held (queued, not in flight)
     * @param window   most publishes awaiting PUBACK (must not exceed the client's maxInflightQueue)
     * @param onDrop   called once per message dropped because the outbox was full
     */
    public Outbox(int capacity, int window, Runnable onDrop) {
        if (capacity < 1 || window < 1) {
            throw new IllegalArgumentException("capacity and window must be >= 1");
        }
        this.capacity = capacity;
        this.window = window;
        this.onDrop = onDrop;
    }

    /** Queues a QoS 1 publish and sends it at once if the window allows. */
    public void offer(String topic, byte[] payload, boolean retain) {
        enqueueLast(new Message(topic, payload, retain));
        drain();
    }

    /** Starts draining through a connected client (call on every (re)connection). */
    public void attach(MqttClient c) {
        requeueInFlight();
        this.client = c;
        c.publishCompletionHandler(id -> {
            if (c == client) {
                acked(id);
            }
        });
        drain();
    }

    /** The connection is gone: hold everything, re-send what was in flight on the next {@link #attach}. */
    public void detach() {
        client = null;
        requeueInFlight();
    }

    /** Messages waiting to be sent (not counting those in flight). */
    public int size() {
        return queue.size();
    }

    public int inFlight() {
        return inFlight.size() + writing;
    }

    /** Nothing queued and nothing awaiting PUBACK. */
    public boolean isEmpty() {
        return queue.isEmpty() && inFlight() == 0;
    }

    public long sent() {
        return sent;
    }

    public long acked() {
        return acked;
    }

    public long dropped() {
        return dropped;
    }

    private void acked(int packetId) {
        if (inFlight.remove(packetId) == null) {
            earlyAcks.add(packetId);
        } else {
            acked++;
        }
        drain();
    }

    private void drain() {
        MqttClient c = client;
        while (c != null && c == client && !queue.isEmpty() && inFlight() < window) {
            if (!c.isConnected()) {
                return;
            }
            Message m = queue.pollFirst();
            writing++;
            sent++;
            c.publish(m.topic(), Buffer.buffer(m.payload()), MqttQoS.AT_LEAST_ONCE, false, m.retain())
                    .onComplete(ar -> {
                        writing--;
                        if (c != client) {
                            // the connection changed meanwhile: its fate is unknown, send it again
                            enqueueFirst(List.of(m));
                        } else if (ar.failed()) {
                            if (c.isConnected()) {
                                // refused by the client itself (not a lost connection): retrying would spin
                                drop();
                            } else {
                                enqueueFirst(List.of(m));
                            }
                        } else if (earlyAcks.remove(ar.result())) {
                            acked++;
                        } else {
                            inFlight.put(ar.result(), m);
                        }
                        drain();
                    });
        }
    }

    private void requeueInFlight() {
        if (!inFlight.isEmpty()) {
            enqueueFirst(new ArrayList<>(inFlight.values()));
            inFlight.clear();
        }
        earlyAcks.clear();
    }

    private void enqueueLast(Message m) {
        while (queue.size() >= capacity) {
            queue.pollFirst();
            drop();
        }
        queue.addLast(m);
    }

    /** Puts messages back at the head in their order; if that overflows, the oldest go. */
    private void enqueueFirst(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            queue.addFirst(messages.get(i));
        }
        while (queue.size() > capacity) {
            queue.pollFirst();
            drop();
        }
    }

    private void drop() {
        dropped++;
        onDrop.run();
    }

    /** A snapshot of the queued messages, oldest first (for tests and diagnostics). */
    public List<Message> queued() {
        return List.copyOf(queue);
    }

    @Override
    public String toString() {
        return "Outbox[queued=" + queue.size() + ", inFlight=" + inFlight() + ", sent=" + sent + ", acked=" + acked
                + ", dropped=" + dropped + "]";
    }

    /** Whether a connected client is attached. */
    public boolean attached() {
        return client != null;
    }
}
