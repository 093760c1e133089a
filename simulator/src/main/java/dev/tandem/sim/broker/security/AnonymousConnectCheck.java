package dev.tandem.sim.broker.security;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The broker's start-up self-test: an anonymous MQTT 3.1.1 CONNECT, written by hand on a plain
 * socket, must be refused (a CONNACK with a non-zero code, or the connection closed).
 */
public final class AnonymousConnectCheck {
    private AnonymousConnectCheck() {
    }

    /** Whether an anonymous client is refused by the broker at host:port. */
    public static boolean refused(String host, int port) throws IOException {
        byte[] clientId = "tandem-selftest".getBytes(StandardCharsets.US_ASCII);
        byte[] protocol = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 30};
        int remaining = protocol.length + 2 + clientId.length;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(0x10);
            out.write(remaining);
            out.write(protocol);
            out.write(0);
            out.write(clientId.length);
            out.write(clientId);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int type;
            try {
                type = in.readUnsignedByte();
            } catch (java.io.EOFException closed) {
                return true;
            }
            if (type != 0x20) {
                return false;
            }
            in.readUnsignedByte();
            in.readUnsignedByte();
            return in.readUnsignedByte() != 0;
        }
    }
}
