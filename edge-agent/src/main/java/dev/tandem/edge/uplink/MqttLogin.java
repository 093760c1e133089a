package dev.tandem.edge.uplink;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.identity.BrokerLogin;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClientOptions;

/**
 * How a vertx-mqtt client logs in: the client id, the credentials' username and password, and for
 * a TLS address the site CA as the only trusted authority with the broker's host name checked.
 * One place for every vertx-mqtt client (the agent's links, the simulator's sensor publisher).
 */
public final class MqttLogin {
    private MqttLogin() {
    }

    /** Sets id, credentials and TLS on {@code options}; with credentials {@code clientId} is also the username. */
    public static MqttClientOptions apply(MqttClientOptions options, BrokerAddress broker, BrokerLogin login,
                                          String clientId) {
        login.checkFor(broker);
        options.setClientId(clientId);
        if (login.credentials() != null) {
            options.setUsername(clientId).setPassword(login.credentials().password());
        }
        if (broker.tls()) {
            options.setSsl(true);
            options.setTrustOptions(new PemTrustOptions().addCertPath(login.caFile().toString()));
            options.setHostnameVerificationAlgorithm("HTTPS");
        }
        return options;
    }
}
