package dev.tandem.sim.netfault;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * Reads the client id out of the first bytes a client sends (its MQTT CONNECT, 3.1, 3.1.1 or 5), so
 * that the proxy knows whose connection it carries. Nothing is consumed: the bytes go on as they are.
 */
final class MqttConnectPeek {
    /** Bytes read at most before giving up on finding a CONNECT. */
    static final int MAX_PEEK = 64 * 1024;
    /** The first packet is not a CONNECT (or is malformed): the connection has no client id. */
    static final String NOT_MQTT = "";

    private MqttConnectPeek() {
    }

    /** The client id, {@link #NOT_MQTT}, or null when more bytes are needed. */
    static String clientId(Buffer b) {
        int n = b.length();
        if (n < 1) {
            return null;
        }
        if ((b.getUnsignedByte(0) & 0xF0) != 0x10) {
            return NOT_MQTT;
        }
        int[] pos = {1};
        long remaining = varint(b, pos);
        if (remaining < 0) {
            return remaining == -1 ? null : NOT_MQTT;
        }
        int p = pos[0];
        if (n < 2 + p) {
            return null;
        }
        int nameLen = b.getUnsignedShort(p);
        p += 2 + nameLen;
        if (n < p + 4) {
            return n > MAX_PEEK ? NOT_MQTT : null;
        }
        int level = b.getUnsignedByte(p);
        p += 1 + 1 + 2; // level, flags, keep-alive
        if (level == 5) {
            pos[0] = p;
            long props = varint(b, pos);
            if (props < 0) {
                return props == -1 ? null : NOT_MQTT;
            }
            p = pos[0] + (int) props;
        }
        if (n < p + 2) {
            return null;
        }
        int idLen = b.getUnsignedShort(p);
        if (n < p + 2 + idLen) {
            return n > MAX_PEEK ? NOT_MQTT : null;
        }
        return new String(b.getBytes(p + 2, p + 2 + idLen), StandardCharsets.UTF_8);
    }

    /** MQTT variable-length integer at pos[0]; -1 = incomplete, -2 = malformed. */
    private static long varint(Buffer b, int[] pos) {
        long value = 0;
        int shift = 0;
        for (int i = 0; i < 4; i++) {
            if (pos[0] >= b.length()) {
                return -1;
            }
            int c = b.getUnsignedByte(pos[0]++);
            value |= (long) (c & 0x7F) << shift;
            if ((c & 0x80) == 0) {
                return value;
            }
            shift += 7;
        }
        return -2;
    }
}
