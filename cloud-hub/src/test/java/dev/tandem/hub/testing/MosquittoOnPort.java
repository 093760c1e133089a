package dev.tandem.hub.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A mosquitto on a port chosen in advance (to start a broker after a hub that is already trying
 * to reach it); same settings as shared-model's MosquittoBroker.
 */
public final class MosquittoOnPort implements AutoCloseable {
    private final Process process;

    private MosquittoOnPort(Process process) {
        this.process = process;
    }

    public static MosquittoOnPort start(int port) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("hub-mosquitto");
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n", "listener " + port + " 127.0.0.1", "allow_anonymous true",
                "persistence false", "set_tcp_nodelay true", "max_inflight_messages 1000", "max_queued_messages 0",
                "log_dest stderr", "log_type error", ""));
        Process p = new ProcessBuilder("/usr/sbin/mosquitto", "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new MosquittoOnPort(p);
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("mosquitto did not listen on " + port);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
