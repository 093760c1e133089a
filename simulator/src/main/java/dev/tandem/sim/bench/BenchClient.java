package dev.tandem.sim.bench;

import dev.tandem.edge.uplink.MqttLogin;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.identity.BrokerLogin;
import io.vertx.mqtt.MqttClientOptions;

/** Who one of the benchmark's MQTT clients is: its client id and its login (anonymous in a plain run). */
record BenchClient(String clientId, BrokerLogin login) {
    static BenchClient anonymous(String clientId) {
        return new BenchClient(clientId, BrokerLogin.none());
    }

    /** vertx-mqtt options with the id, the credentials and, for {@code mqtts://}, the site CA. */
    MqttClientOptions options(BrokerAddress broker) {
        return MqttLogin.apply(new MqttClientOptions(), broker, login, login.clientId(clientId));
    }
}
