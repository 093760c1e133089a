package dev.tandem.edge.uplink;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiConsumer;

/**
 * The edge's queue of QoS 1 publishes (alarms, model states, escalations, commissioning sets),
 * durable when it has a directory.
 *
 * <p><b>Priorities.</b> Each message has a {@link MessageClass}; the next one sent is the oldest of
 * the highest class that has one ready (alarms and model states, then escalations, then readings).
 * <b>Bounds.</b> Each class has a byte budget: past it, the oldest of that class is dropped; past
 * {@code capacity} messages in all, the oldest of the lowest class that has any is dropped (the
 * oldest readings first). Every drop is counted by class and {@link DropReason}.
 *
 * <p><b>Durability.</b> With a directory ({@link #open}) every message is appended to its class's
 * {@link SegmentLog} (on the outbox's I/O thread) and replayed after a restart; a message acknowledged
 * (PUBACK) or dropped is released, so it is not replayed again. An {@link FsyncPolicy#ALWAYS} class
 * (alarms, model states) is sent only once its record is forced to the disk; a batched class is sent
 * at once and synced every batch interval. A directory that cannot be used, or a disk that fails
 * later (full, read-only), degrades the outbox to memory with a flag ({@link OutboxStats#degraded()}),
 * never an error for its caller. Delivery is at least once: what was sent but not yet acknowledged
 * when the agent stopped is sent again after the restart.
 *
 * <p><b>Flow control.</b> vertx-mqtt 5.0.x does not queue past its in-flight window
 * ({@code maxInflightQueue}): a publish beyond it fails. The outbox keeps at most {@code window}
 * publishes awaiting PUBACK and releases the next ones from {@link MqttClient#publishCompletionHandler}.
 * While there is no connection it holds everything and flushes on {@link #attach}; publishes that
 * were in flight when a connection dropped are sent again first.
 *
 * <p>Not thread-safe: use it on the owning verticle's context only ({@link #stats()} and the size
 * accessors may be read from any thread).
 */
public final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    private static final MessageClass[] CLASSES = MessageClass.values();
    private static final DropReason[] REASONS = DropReason.values();

    /** One queued publish. */
    public record Message(String topic, byte[] payload, boolean retain) {
    }

    private static final class Entry {
        final MessageClass cls;
        final Message message;
        final long index;
        boolean durable;
        boolean done;

        Entry(MessageClass cls, Message message, long index, boolean durable) {
            this.cls = cls;
            this.message = message;
            this.index = index;
            this.durable = durable;
        }

        int bytes() {
            return message.payload().length;
        }
    }

    private final int capacity;
    private final int window;
    private final OutboxSettings settings;
    private final BiConsumer<MessageClass, DropReason> onDrop;
    private final Map<MessageClass, ArrayDeque<Entry>> queues = new EnumMap<>(MessageClass.class);
    /** Live entries of each class in index order (queued, in flight or waiting for the disk). */
    private final Map<MessageClass, ArrayDeque<Entry>> live = new EnumMap<>(MessageClass.class);
    private final long[] classBytes = new long[CLASSES.length];
    private final long[] nextIndex = new long[CLASSES.length];
    private final AtomicLongArray drops = new AtomicLongArray(CLASSES.length * REASONS.length);
    /** packet id -> message, in send order, on the current client. */
    private final LinkedHashMap<Integer, Entry> inFlight = new LinkedHashMap<>();
    /** PUBACKs that overtook the publish future (defensive; not expected on one event loop). */
    private final Set<Integer> earlyAcks = new HashSet<>();
    private DiskStore store;
    private volatile boolean degraded;
    private volatile int queued;
    private volatile long queuedBytes;
    private volatile int writing;
    private volatile int inFlightCount;
    private volatile long sent;
    private volatile long acked;
    private volatile long replayed;
    private MqttClient client;

    /**
     * An outbox in memory with the default budgets.
     *
     * @param capacity most messages held (queued, not in flight)
     * @param window   most publishes awaiting PUBACK (must not exceed the client's maxInflightQueue)
     * @param onDrop   called once per message dropped
     */
    public Outbox(int capacity, int window, Runnable onDrop) {
        this(capacity, window, OutboxSettings.defaults(), (c, r) -> onDrop.run());
    }

    private Outbox(int capacity, int window, OutboxSettings settings, BiConsumer<MessageClass, DropReason> onDrop) {
        if (capacity < 1 || window < 1) {
            throw new IllegalArgumentException("capacity and window must be >= 1");
        }
        this.capacity = capacity;
        this.window = window;
        this.settings = settings;
        this.onDrop = onDrop;
        for (MessageClass c : CLASSES) {
            queues.put(c, new ArrayDeque<>());
            live.put(c, new ArrayDeque<>());
        }
    }

    /**
     * An outbox kept under {@code dir} (null: in memory), replaying what an earlier run left there.
     * Blocks while it replays: call it off the event loop. Never fails for the disk's sake: a
     * directory that cannot be used gives an outbox in memory, {@linkplain OutboxStats#degraded() degraded}.
     *
     * @param owner  runs the disk's callbacks on the outbox's thread (the verticle's context)
     * @param onDrop called once per message dropped (on the owner)
     */
    public static Outbox open(Path dir, int capacity, int window, OutboxSettings settings, Executor owner,
                              BiConsumer<MessageClass, DropReason> onDrop) {
        Outbox o = new Outbox(capacity, window, settings, onDrop);
        if (dir != null) {
            try {
                o.store = DiskStore.open(dir, settings, owner, o::diskFailed, o::replayRecord);
                for (MessageClass c : CLASSES) {
                    SegmentLog l = o.store.log(c);
                    o.nextIndex[c.ordinal()] = l.nextIndex();
                    for (long i = 0; i < l.corruptRecords(); i++) {
                        o.countDrop(c, DropReason.CORRUPT);
                    }
                }
                for (MessageClass c : CLASSES) {
                    o.advance(c);
                    o.enforceBounds(c);
                }
                if (o.replayed > 0) {
                    log.info("outbox: {} messages replayed from {} ({} dropped as corrupt)", o.replayed, dir,
                            o.dropTotal(DropReason.CORRUPT));
                }
            } catch (IOException e) {
                o.store = null;
                o.degraded = true;
                log.warn("outbox: cannot use {} ({}); messages are kept in memory only", dir, e.toString());
                o.recoverReadOnly(dir);
            }
        }
        return o;
    }

    /**
     * A directory that cannot be written may still be read (a disk remounted read-only after an error):
     * what an earlier run left there is taken into memory, so that its synced alarms still go out.
     */
    private void recoverReadOnly(Path dir) {
        for (MessageClass c : CLASSES) {
            try {
                for (Message m : pendingOnDisk(dir, c)) {
                    Entry e = new Entry(c, m, nextIndex[c.ordinal()]++, true);
                    live.get(c).addLast(e);
                    queues.get(c).addLast(e);
                    added(e);
                    replayed++;
                }
            } catch (IOException | RuntimeException e) {
                log.warn("outbox: what {} holds of {} cannot be read either ({})", dir, c.label(), e.toString());
            }
            enforceBounds(c);
        }
        if (replayed > 0) {
            log.info("outbox: {} messages read from {} (read-only) into memory", replayed, dir);
        }
    }

    private void replayRecord(MessageClass c, long index, byte[] body) {
        Message m = decode(body);
        if (m == null) {
            // kept as done, so that the head moves past it with the entries before it
            countDrop(c, DropReason.CORRUPT);
            Entry bad = new Entry(c, new Message("", new byte[0], false), index, true);
            bad.done = true;
            live.get(c).addLast(bad);
            return;
        }
        Entry e = new Entry(c, m, index, true);
        live.get(c).addLast(e);
        queues.get(c).addLast(e);
        added(e);
        replayed++;
    }

    private void diskFailed(String reason) {
        degraded = true;
        for (ArrayDeque<Entry> q : queues.values()) {
            q.forEach(e -> e.durable = true);
        }
        drain();
    }

    /** Queues a QoS 1 publish of the class its topic names and sends it at once if the window allows. */
    public void offer(String topic, byte[] payload, boolean retain) {
        offer(MessageClass.ofTopic(topic), topic, payload, retain);
    }

    /** Queues a QoS 1 publish of class {@code c} and sends it at once if the window allows. */
    public void offer(MessageClass c, String topic, byte[] payload, boolean retain) {
        Message m = new Message(topic, payload, retain);
        DiskStore s = storeInUse();
        boolean waitForDisk = s != null && settings.fsync(c) == FsyncPolicy.ALWAYS;
        Entry e = new Entry(c, m, nextIndex[c.ordinal()]++, !waitForDisk);
        live.get(c).addLast(e);
        queues.get(c).addLast(e);
        added(e);
        if (s != null) {
            s.append(c, encode(m), waitForDisk ? () -> {
                e.durable = true;
                drain();
            } : null);
        }
        enforceBounds(c);
        drain();
    }

    private DiskStore storeInUse() {
        return degraded ? null : store;
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

    /**
     * Writes what is pending to the disk and stops its I/O (waits at most {@code timeoutMillis}; blocks:
     * call it off the event loop). What is still queued is replayed by the next {@link #open} of the directory.
     */
    public void close(long timeoutMillis) {
        DiskStore s = store;
        if (s != null) {
            s.close(timeoutMillis);
        }
    }

    /** Messages waiting to be sent (not counting those in flight). */
    public int size() {
        return queued;
    }

    public int inFlight() {
        return inFlightCount + writing;
    }

    /** Nothing queued and nothing awaiting PUBACK. */
    public boolean isEmpty() {
        return queued == 0 && inFlight() == 0;
    }

    public long sent() {
        return sent;
    }

    public long acked() {
        return acked;
    }

    /** Messages dropped, whatever the class and reason. */
    public long dropped() {
        long n = 0;
        for (int i = 0; i < drops.length(); i++) {
            n += drops.get(i);
        }
        return n;
    }

    /** Kept on disk (false: in memory, by choice or because the disk failed). */
    public boolean durable() {
        return store != null && !degraded;
    }

    public OutboxStats stats() {
        Map<MessageClass, Map<DropReason, Long>> d = new EnumMap<>(MessageClass.class);
        for (MessageClass c : CLASSES) {
            Map<DropReason, Long> byReason = new EnumMap<>(DropReason.class);
            for (DropReason r : REASONS) {
                long n = drops.get(slot(c, r));
                if (n > 0) {
                    byReason.put(r, n);
                }
            }
            if (!byReason.isEmpty()) {
                d.put(c, byReason);
            }
        }
        return new OutboxStats(durable(), degraded, queued, queuedBytes, inFlight(), sent, acked, replayed, d);
    }

    /** A snapshot of the queued messages, in the order they would be sent (for tests and diagnostics). */
    public List<Message> queued() {
        List<Message> out = new ArrayList<>();
        for (MessageClass c : CLASSES) {
            queues.get(c).forEach(e -> out.add(e.message));
        }
        return out;
    }

    /** Whether a connected client is attached. */
    public boolean attached() {
        return client != null;
    }

    /** For tests: waits until the disk has done what was asked of it so far. */
    void awaitDisk() {
        DiskStore s = store;
        if (s != null) {
            s.barrier();
        }
    }

    // ---- internals ------------------------------------------------------------------------------

    private void acked(int packetId) {
        Entry e = inFlight.remove(packetId);
        if (e == null) {
            earlyAcks.add(packetId);
        } else {
            inFlightCount = inFlight.size();
            acked++;
            done(e);
        }
        drain();
    }

    private Entry next() {
        for (MessageClass c : CLASSES) {
            Entry head = queues.get(c).peekFirst();
            if (head != null && head.durable) {
                return head;
            }
        }
        return null;
    }

    private void drain() {
        MqttClient c = client;
        while (c != null && c == client && inFlight() < window) {
            Entry e = next();
            if (e == null || !c.isConnected()) {
                return;
            }
            queues.get(e.cls).pollFirst();
            removed(e);
            writing++;
            sent++;
            Message m = e.message;
            c.publish(m.topic(), Buffer.buffer(m.payload()), MqttQoS.AT_LEAST_ONCE, false, m.retain())
                    .onComplete(ar -> {
                        writing--;
                        if (c != client) {
                            // the connection changed meanwhile: its fate is unknown, send it again
                            enqueueFirst(List.of(e));
                        } else if (ar.failed()) {
                            if (c.isConnected()) {
                                // refused by the client itself (not a lost connection): retrying would spin
                                drop(e, DropReason.REFUSED);
                            } else {
                                enqueueFirst(List.of(e));
                            }
                        } else if (earlyAcks.remove(ar.result())) {
                            acked++;
                            done(e);
                        } else {
                            inFlight.put(ar.result(), e);
                            inFlightCount = inFlight.size();
                        }
                        drain();
                    });
        }
    }

    private void requeueInFlight() {
        if (!inFlight.isEmpty()) {
            List<Entry> back = new ArrayList<>(inFlight.values());
            inFlight.clear();
            inFlightCount = 0;
            enqueueFirst(back);
        }
        earlyAcks.clear();
    }

    /** Puts entries back at the head of their classes in their order; past a budget, the oldest go. */
    private void enqueueFirst(List<Entry> entries) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            queues.get(e.cls).addFirst(e);
            added(e);
        }
        for (MessageClass c : CLASSES) {
            enforceBounds(c);
        }
    }

    private void enforceBounds(MessageClass c) {
        ArrayDeque<Entry> q = queues.get(c);
        while (classBytes[c.ordinal()] > settings.budget(c) && !q.isEmpty()) {
            Entry oldest = q.pollFirst();
            removed(oldest);
            drop(oldest, DropReason.BUDGET);
        }
        while (queued > capacity) {
            for (int i = CLASSES.length - 1; i >= 0; i--) {
                ArrayDeque<Entry> lowest = queues.get(CLASSES[i]);
                if (!lowest.isEmpty()) {
                    Entry oldest = lowest.pollFirst();
                    removed(oldest);
                    drop(oldest, DropReason.CAPACITY);
                    break;
                }
            }
        }
    }

    private void added(Entry e) {
        classBytes[e.cls.ordinal()] += e.bytes();
        queued++;
        queuedBytes += e.bytes();
    }

    private void removed(Entry e) {
        classBytes[e.cls.ordinal()] -= e.bytes();
        queued--;
        queuedBytes -= e.bytes();
    }

    private void drop(Entry e, DropReason reason) {
        countDrop(e.cls, reason);
        done(e);
    }

    private void countDrop(MessageClass c, DropReason reason) {
        drops.incrementAndGet(slot(c, reason));
        onDrop.accept(c, reason);
    }

    private long dropTotal(DropReason reason) {
        long n = 0;
        for (MessageClass c : CLASSES) {
            n += drops.get(slot(c, reason));
        }
        return n;
    }

    private static int slot(MessageClass c, DropReason r) {
        return c.ordinal() * REASONS.length + r.ordinal();
    }

    /** The entry is delivered or dropped: the log's head moves past every done entry at the front. */
    private void done(Entry e) {
        e.done = true;
        advance(e.cls);
    }

    private void advance(MessageClass c) {
        ArrayDeque<Entry> l = live.get(c);
        boolean moved = false;
        while (!l.isEmpty() && l.peekFirst().done) {
            l.pollFirst();
            moved = true;
        }
        DiskStore s = storeInUse();
        if (moved && s != null) {
            s.release(c, l.isEmpty() ? nextIndex[c.ordinal()] : l.peekFirst().index);
        }
    }

    /**
     * The messages of class {@code c} still waiting in the outbox directory {@code dir} (an agent's
     * {@code outbox/<client>} directory), as a restarted agent would replay them; for tools and fault
     * tests, while no agent has the directory open (a torn or corrupt tail is cut off as on replay).
     */
    public static java.util.List<Message> pendingOnDisk(java.nio.file.Path dir, MessageClass c) throws IOException {
        java.nio.file.Path classDir = dir.resolve(c.label());
        java.util.List<Message> out = new java.util.ArrayList<>();
        if (!java.nio.file.Files.isDirectory(classDir)) {
            return out;
        }
        try (SegmentLog l = SegmentLog.open(classDir, OutboxSettings.defaults().segmentBytes(), (i, body) -> {
            Message m = decode(body);
            if (m != null) {
                out.add(m);
            }
        })) {
            return out;
        }
    }

    /** {@code [flags][int topic length][topic][payload]}. */
    static byte[] encode(Message m) {
        byte[] topic = m.topic().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + topic.length + m.payload().length)
                .put((byte) (m.retain() ? 1 : 0)).putInt(topic.length).put(topic).put(m.payload()).array();
    }

    /** The message of a record body, or null if the body is not one. */
    static Message decode(byte[] body) {
        if (body.length < 5) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        byte flags = b.get();
        int topicLength = b.getInt();
        if ((flags & ~1) != 0 || topicLength < 1 || topicLength > 65_535 || topicLength > b.remaining()) {
            return null;
        }
        String topic = new String(body, 5, topicLength, StandardCharsets.UTF_8);
        byte[] payload = new byte[body.length - 5 - topicLength];
        System.arraycopy(body, 5 + topicLength, payload, 0, payload.length);
        return new Message(topic, payload, flags == 1);
    }

    @Override
    public String toString() {
        return "Outbox[queued=" + queued + ", inFlight=" + inFlight() + ", sent=" + sent + ", acked=" + acked
                + ", dropped=" + dropped() + ", durable=" + durable() + "]";
    }
}
