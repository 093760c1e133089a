package dev.tandem.shared.config;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where the MQTT broker listens, and whether over TLS: {@code tcp://host:port} or
 * {@code mqtt://host:port} (plain, port 1883 by default), {@code ssl://host:port} or
 * {@code mqtts://host:port} (TLS, port 8883 by default).
 */
public record BrokerAddress(String host, int port, boolean tls) {
    public static final int DEFAULT_PORT = 1883;
    public static final int DEFAULT_TLS_PORT = 8883;
    private static final String FORMS = "tcp://host:port, mqtt://host:port, ssl://host:port or mqtts://host:port";

    public BrokerAddress {
        if (host == null || host.isBlank()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "broker host is required");
        }
        if (port < 1 || port > 65535) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "broker port must be 1..65535, got " + port);
        }
    }

    /** A plain (not TLS) address. */
    public BrokerAddress(String host, int port) {
        this(host, port, false);
    }

    public static BrokerAddress parse(String url) {
        try {
            URI uri = new URI(url == null ? "" : url.trim());
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            boolean tls = "ssl".equals(scheme) || "mqtts".equals(scheme);
            if (scheme == null || !(tls || scheme.equals("tcp") || scheme.equals("mqtt")) || uri.getHost() == null
                    || (uri.getPath() != null && !uri.getPath().isEmpty())) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "broker URL must look like " + FORMS + ", got '"
                        + url + "'");
            }
            int port = uri.getPort() == -1 ? (tls ? DEFAULT_TLS_PORT : DEFAULT_PORT) : uri.getPort();
            return new BrokerAddress(uri.getHost(), port, tls);
        } catch (URISyntaxException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "broker URL must look like " + FORMS + ", got '" + url + "'");
        }
    }

    /** {@code tcp://host:port} or {@code ssl://host:port}, as Paho wants it. */
    public String url() {
        return (tls ? "ssl://" : "tcp://") + host + ":" + port;
    }

    @Override
    public String toString() {
        return url();
    }
}
