package dev.tandem.edge;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.testing.MosquittoBroker;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay in front of the broker that a test can cut (as a network outage would: sockets
 * closed without an MQTT DISCONNECT, new connections refused) and restore on the same port, while
 * clients connected to the broker directly keep their sessions.
 */
final class CuttableProxy implements AutoCloseable {
    private final Vertx vertx;
    private final BrokerAddress target;
    private final int port;
    private final NetClient client;
    private final List<NetSocket> sockets = new CopyOnWriteArrayList<>();
    private NetServer server;

    CuttableProxy(Vertx vertx, BrokerAddress target) {
        this.vertx = vertx;
        this.target = target;
        this.port = MosquittoBroker.freePort();
        this.client = vertx.createNetClient();
        restore();
    }

    BrokerAddress address() {
        return new BrokerAddress("127.0.0.1", port);
    }

    /** Accepts connections again and relays them to the broker. */
    void restore() {
        NetServer s = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(port).setReuseAddress(true));
        s.connectHandler(in -> {
            in.pause();
            sockets.add(in);
            client.connect(target.port(), target.host()).onComplete(ar -> {
                if (ar.failed()) {
                    in.close();
                    return;
                }
                NetSocket out = ar.result();
                sockets.add(out);
                in.handler(out::write);
                out.handler(in::write);
                in.closeHandler(v -> out.close());
                out.closeHandler(v -> in.close());
                in.resume();
            });
        });
        TestHub.await(s.listen());
        server = s;
    }

    /** Drops every relayed connection and refuses new ones. */
    void cut() {
        if (server != null) {
            TestHub.await(server.close());
            server = null;
        }
        sockets.forEach(NetSocket::close);
        sockets.clear();
    }

    @Override
    public void close() {
        cut();
    }
}
