package dev.tandem.sim.netfault;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An in-process TCP proxy between MQTT clients and a broker (Vert.x net server and client), that
 * makes the network misbehave on demand, as Toxiproxy does: latency and jitter, loss (as TCP shows
 * it: retransmission delays), a bandwidth cap, half-open connections, partitions and a broker
 * outage ({@link NetworkFault}). A fault applies to the connections whose MQTT client id matches
 * (the proxy reads it from each connection's CONNECT), from {@link #apply} until {@link Active#lift}.
 * Everything it did is counted ({@link #counters()}).
 *
 * <p>Order within a connection is kept (a delayed chunk delays those behind it); a direction whose
 * destination cannot keep up pauses its source. All of a connection's work runs on its event loop.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);

    /** A fault in force on some connections; {@link #lift} ends it. */
    public final class Active {
        final NetworkFault fault;
        final Predicate<String> clients;
        final String label;

        private Active(NetworkFault fault, Predicate<String> clients, String label) {
            this.fault = fault;
            this.clients = clients;
            this.label = label;
        }

        public NetworkFault fault() {
            return fault;
        }

        boolean hits(ProxyConnection c) {
            return fault.kind() == NetworkFault.Kind.BROKER_OUTAGE || (c.clientId() != null && clients.test(c.clientId()));
        }

        /** Ends the fault: a partition's cut connections and half-open client sides are closed now. */
        public void lift() {
            if (active.remove(this)) {
                counters.lifted(fault.kind());
                for (ProxyConnection c : connections) {
                    c.lifted(this);
                }
                LOG.info("network fault lifted: {} ({})", fault.kind().wireName(), label);
            }
        }
    }

    private final Vertx vertx;
    private final BrokerAddress upstream;
    private final NetServer server;
    private final NetClient client;
    private final List<Active> active = new CopyOnWriteArrayList<>();
    private final Set<ProxyConnection> connections = ConcurrentHashMap.newKeySet();
    private final ProxyCounters counters = new ProxyCounters();
    private BrokerAddress address;

    private FaultProxy(Vertx vertx, BrokerAddress upstream) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true));
        this.client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(5000));
    }

    /** Starts a proxy to {@code upstream} on a free loopback port; BROKER_UNAVAILABLE if it cannot listen. */
    public static FaultProxy start(Vertx vertx, BrokerAddress upstream) {
        FaultProxy p = new FaultProxy(Objects.requireNonNull(vertx, "vertx"), Objects.requireNonNull(upstream, "upstream"));
        p.server.connectHandler(p::accept);
        try {
            int port = p.server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
            p.address = new BrokerAddress("127.0.0.1", port);
        } catch (Exception e) {
            throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "fault proxy cannot listen: " + e, e);
        }
        LOG.info("fault proxy on {} -> {}", p.address.url(), upstream.url());
        return p;
    }

    /** Where clients connect instead of the broker. */
    public BrokerAddress address() {
        return address;
    }

    public BrokerAddress upstream() {
        return upstream;
    }

    public ProxyCounters counters() {
        return counters;
    }

    /** Connections open through the proxy now. */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Puts {@code fault} on the connections whose client id {@code clients} accepts (a broker outage
     * hits everyone), now and for connections made while it lasts.
     */
    public Active apply(NetworkFault fault, Predicate<String> clients, String label) {
        Active a = new Active(fault, clients, label);
        active.add(a);
        counters.applied(fault.kind());
        LOG.info("network fault on: {} ({})", fault.kind().wireName(), label);
        for (ProxyConnection c : connections) {
            c.applied(a);
        }
        return a;
    }

    List<Active> active() {
        return active;
    }

    Vertx vertx() {
        return vertx;
    }

    private void accept(NetSocket socket) {
        counters.accepted();
        for (Active a : active) {
            if (a.fault.kind() == NetworkFault.Kind.BROKER_OUTAGE) {
                counters.refused();
                socket.close();
                return;
            }
        }
        ProxyConnection c = new ProxyConnection(this, socket);
        connections.add(c);
        socket.closeHandler(v -> c.clientClosed());
        c.start();
    }

    /** Opens the broker side of a connection. */
    io.vertx.core.Future<NetSocket> connectUpstream() {
        return client.connect(upstream.port(), upstream.host());
    }

    void closed(ProxyConnection c) {
        connections.remove(c);
    }

    @Override
    public void close() {
        for (Active a : active) {
            a.lift();
        }
        for (ProxyConnection c : connections) {
            c.closeBoth();
        }
        try {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing the fault proxy: {}", e.toString());
        }
    }

    /** Bytes of one chunk, for the counters. */
    static int size(Buffer b) {
        return b.length();
    }
}
