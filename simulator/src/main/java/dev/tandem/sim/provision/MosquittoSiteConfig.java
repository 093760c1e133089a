package dev.tandem.sim.provision;

import java.nio.file.Path;

/**
 * The mosquitto configuration of a provisioned site: nothing anonymous, the dynamic-security plugin
 * with the site's generated file, a TLS listener with the site's certificate, and a plain listener
 * on loopback only (for tools on the broker's own machine; it needs credentials too).
 */
public final class MosquittoSiteConfig {
    /** Where Debian's mosquitto package installs the plugin. */
    public static final String DYNSEC_PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";

    private MosquittoSiteConfig() {
    }

    public static String text(Path dynsecFile, Path tlsDir, int tlsPort, int plainPort) {
        return String.join("\n",
                "# Tandem site broker configuration, written by ./tandem provision.",
                "# Started as root, mosquitto switches to the user 'mosquitto': that user must be able to read",
                "# tls/server.key and to write the dynamic-security file (chown mosquitto them).",
                "per_listener_settings false",
                "# not losing Tandem's messages (docs/mosquitto.conf): Nagle off, no per-client queue limit,",
                "# a wide in-flight window, packets large enough for commissioning sets",
                "set_tcp_nodelay true",
                "max_inflight_messages 1000",
                "max_queued_messages 0",
                "max_packet_size 2097152",
                "allow_anonymous false",
                "plugin " + DYNSEC_PLUGIN,
                "plugin_opt_config_file " + dynsecFile.toAbsolutePath(),
                "",
                "listener " + tlsPort,
                "cafile " + tlsDir.resolve(TlsMaterial.CA).toAbsolutePath(),
                "certfile " + tlsDir.resolve(TlsMaterial.SERVER_CERT).toAbsolutePath(),
                "keyfile " + tlsDir.resolve(TlsMaterial.SERVER_KEY).toAbsolutePath(),
                "",
                "listener " + plainPort + " 127.0.0.1",
                "");
    }
}
