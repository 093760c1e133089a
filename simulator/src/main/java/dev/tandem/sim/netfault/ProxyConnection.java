package dev.tandem.sim.netfault;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client connection through the {@link FaultProxy}: the client's socket, the broker's socket
 * (opened once the client's CONNECT named it), and a {@link Lane} each way that delays, drops or
 * passes the bytes as the faults in force say. Confined to the client socket's context; faults
 * switched on or off from elsewhere are handed to it.
 */
final class ProxyConnection {
    /** Bytes queued in one direction before its source is paused. */
    private static final long MAX_QUEUED_BYTES = 4L << 20;
    /** Retransmissions of one chunk at most (a loss of 0.9 would otherwise stall for ever). */
    private static final int MAX_RETRANSMITS = 8;

    private final FaultProxy proxy;
    private final NetSocket clientSide;
    private final Context context;
    private final Lane up;
    private final Lane down;
    private NetSocket brokerSide;
    private Buffer peek = Buffer.buffer();
    private volatile String clientId;
    private boolean connecting;
    private boolean blackholed;
    private boolean halfOpen;
    /** An {@link NetworkFault.Kind#UPLINK_STALL} dropped some of the client's bytes. */
    private boolean uplinkCut;
    private boolean closed;

    ProxyConnection(FaultProxy proxy, NetSocket clientSide) {
        this.proxy = proxy;
        this.clientSide = clientSide;
        this.context = proxy.vertx().getOrCreateContext();
        this.up = new Lane(true);
        this.down = new Lane(false);
    }

    String clientId() {
        return clientId;
    }

    void start() {
        clientSide.handler(this::fromClient);
        clientSide.exceptionHandler(e -> closeBoth());
    }

    private void fromClient(Buffer b) {
        if (closed) {
            return;
        }
        if (clientId == null) {
            peek.appendBuffer(b);
            String id = MqttConnectPeek.clientId(peek);
            if (id == null && peek.length() <= MqttConnectPeek.MAX_PEEK) {
                return;
            }
            clientId = id == null ? MqttConnectPeek.NOT_MQTT : id;
            decide();
            return;
        }
        if (connecting) {
            peek.appendBuffer(b);
            return;
        }
        if (uplinkStalled()) {
            uplinkCut = true;
            proxy.counters().dropped(b.length());
            return;
        }
        up.send(b);
    }

    /** The client has said who it is: a partition holds it, otherwise the broker side opens. */
    private void decide() {
        for (FaultProxy.Active a : proxy.active()) {
            if (a.hits(this) && a.fault().kind() == NetworkFault.Kind.PARTITION) {
                blackholed = true;
                proxy.counters().dropped(peek.length());
                peek = null;
                return;
            }
        }
        connecting = true;
        clientSide.pause();
        proxy.connectUpstream().onComplete(ar -> {
            connecting = false;
            if (ar.failed() || closed) {
                if (ar.succeeded()) {
                    ar.result().close();
                }
                closeBoth();
                return;
            }
            brokerSide = ar.result();
            brokerSide.handler(down::send);
            brokerSide.closeHandler(v -> brokerClosed());
            brokerSide.exceptionHandler(e -> closeBoth());
            Buffer first = peek;
            peek = null;
            up.send(first);
            clientSide.resume();
        });
    }

    void applied(FaultProxy.Active a) {
        context.runOnContext(v -> {
            if (closed || !a.hits(this)) {
                return;
            }
            switch (a.fault().kind()) {
                case DISCONNECT, BROKER_OUTAGE -> {
                    proxy.counters().closedByFault();
                    closeBoth();
                }
                case HALF_OPEN -> {
                    halfOpen = true;
                    proxy.counters().closedByFault();
                    if (brokerSide != null) {
                        brokerSide.close();
                    }
                }
                case PARTITION -> blackholed = true;
                default -> { // UPLINK_STALL acts on the client's next bytes; the others on every chunk
                }
            }
        });
    }

    void lifted(FaultProxy.Active a) {
        context.runOnContext(v -> {
            if (closed || !a.hits(this)) {
                return;
            }
            boolean cut = (a.fault().kind() == NetworkFault.Kind.PARTITION && blackholed)
                    || (a.fault().kind() == NetworkFault.Kind.HALF_OPEN && halfOpen)
                    || (a.fault().kind() == NetworkFault.Kind.UPLINK_STALL && uplinkCut);
            if (cut) { // the bytes it dropped broke the stream: the connection cannot go on
                closeBoth();
            }
        });
    }

    private void brokerClosed() {
        if (!halfOpen) {
            closeBoth();
        }
    }

    void clientClosed() {
        closeBoth();
    }

    void closeBoth() {
        if (context != io.vertx.core.Vertx.currentContext()) {
            context.runOnContext(v -> closeBoth());
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        up.cancel();
        down.cancel();
        clientSide.close();
        if (brokerSide != null) {
            brokerSide.close();
        }
        proxy.closed(this);
    }

    private boolean uplinkStalled() {
        for (FaultProxy.Active a : proxy.active()) {
            if (a.hits(this) && a.fault().kind() == NetworkFault.Kind.UPLINK_STALL) {
                return true;
            }
        }
        return false;
    }

    /** Extra delay of one chunk in a direction, from the latency and loss faults in force on this connection. */
    private long extraNanos() {
        long extra = 0;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (FaultProxy.Active a : proxy.active()) {
            if (!a.hits(this)) {
                continue;
            }
            NetworkFault f = a.fault();
            switch (f.kind()) {
                case LATENCY -> extra += f.latency().toNanos() + (long) (r.nextDouble() * f.jitter().toNanos());
                case LOSS -> {
                    for (int k = 0; k < MAX_RETRANSMITS && r.nextDouble() < f.loss(); k++) {
                        extra += f.retransmit().toNanos() << k; // exponential backoff, as TCP's RTO
                    }
                }
                default -> {
                }
            }
        }
        return extra;
    }

    /** Bytes per second allowed in force on this connection, 0 = no cap. */
    private long bandwidth() {
        long cap = 0;
        for (FaultProxy.Active a : proxy.active()) {
            if (a.hits(this) && a.fault().kind() == NetworkFault.Kind.BANDWIDTH) {
                cap = cap == 0 ? a.fault().bandwidth() : Math.min(cap, a.fault().bandwidth());
            }
        }
        return cap;
    }

    /** One direction: bytes in order, each chunk leaving at its due time. */
    private final class Lane {
        private record Chunk(Buffer bytes, long due) {
        }

        private final boolean toBroker;
        private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
        private long lastDue;
        private long wireFree;
        private long queued;
        private long timer = -1;
        private boolean sourcePaused;

        Lane(boolean toBroker) {
            this.toBroker = toBroker;
        }

        private NetSocket source() {
            return toBroker ? clientSide : brokerSide;
        }

        private NetSocket destination() {
            return toBroker ? brokerSide : clientSide;
        }

        void send(Buffer b) {
            if (closed || b == null || b.length() == 0) {
                return;
            }
            if (blackholed || (halfOpen && toBroker) || destination() == null) {
                proxy.counters().dropped(b.length());
                return;
            }
            long now = System.nanoTime();
            long extra = extraNanos();
            long cap = bandwidth();
            if (extra == 0 && cap == 0 && queue.isEmpty()) {
                write(b);
                return;
            }
            long due = now + extra;
            if (cap > 0) {
                wireFree = Math.max(wireFree, now) + (long) (b.length() * 1e9 / cap);
                due = Math.max(due, wireFree);
            }
            due = Math.max(due, lastDue);
            lastDue = due;
            proxy.counters().delayed((due - now) / 1_000_000);
            queue.add(new Chunk(b, due));
            queued += b.length();
            if (queued > MAX_QUEUED_BYTES && !sourcePaused && source() != null) {
                sourcePaused = true;
                source().pause();
            }
            schedule();
        }

        private void schedule() {
            if (timer >= 0 || queue.isEmpty()) {
                return;
            }
            long wait = (queue.peek().due() - System.nanoTime()) / 1_000_000;
            if (wait <= 0) {
                flush();
            } else {
                timer = proxy.vertx().setTimer(wait, t -> {
                    timer = -1;
                    flush();
                });
            }
        }

        private void flush() {
            long now = System.nanoTime();
            while (!queue.isEmpty() && queue.peek().due() <= now + 500_000 && !closed) {
                Chunk c = queue.poll();
                queued -= c.bytes().length();
                if (blackholed || (halfOpen && toBroker)) {
                    proxy.counters().dropped(c.bytes().length());
                } else {
                    write(c.bytes());
                }
            }
            if (sourcePaused && queued < MAX_QUEUED_BYTES / 2 && source() != null) {
                sourcePaused = false;
                source().resume();
            }
            schedule();
        }

        private void write(Buffer b) {
            NetSocket dest = destination();
            dest.write(b);
            proxy.counters().forwarded(toBroker, b.length());
            if (dest.writeQueueFull() && source() != null) {
                NetSocket src = source();
                src.pause();
                dest.drainHandler(v -> src.resume());
            }
        }

        void cancel() {
            if (timer >= 0) {
                proxy.vertx().cancelTimer(timer);
                timer = -1;
            }
            queue.clear();
        }
    }
}
