package dev.tandem.shared.config;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.net.URI;
import java.net.URISyntaxException;

/** Where the MQTT broker listens: {@code tcp://host:port}. */
public record BrokerAddress(String host, int port) {
    public BrokerAddress {
        if (host == null || host.isBlank()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "broker host is required");
        }
        if (port < 1 || port > 65535) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "broker port must be 1..65535, got " + port);
        }
    }

    /** Parses {@code tcp://host:port} (also {@code mqtt://}); the port defaults to 1883. */
    public static BrokerAddress parse(String url) {
        try {
            URI uri = new URI(url == null ? "" : url.trim());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("tcp") || scheme.equals("mqtt")) || uri.getHost() == null) {
                throw new TandemException(ErrorCode.INVALID_CONFIG,
                        "broker URL must look like tcp://host:port, got '" + url + "'");
            }
            return new BrokerAddress(uri.getHost(), uri.getPort() == -1 ? 1883 : uri.getPort());
        } catch (URISyntaxException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "broker URL must look like tcp://host:port, got '" + url + "'");
        }
    }

    /** {@code tcp://host:port}, as Paho wants it. */
    public String url() {
        return "tcp://" + host + ":" + port;
    }

    @Override
    public String toString() {
        return url();
    }
}
