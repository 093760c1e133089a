package dev.tandem.sim.broker.security;

import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.provision.SiteRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.function.Consumer;

/**
 * Follows a site registry file while the broker (or a hub's API) runs: when {@code ./tandem provision --revoke} or
 * {@code --add} rewrites it (atomically), the broker takes the new registry within a second and
 * disconnects the revoked clients. A file that cannot be read keeps the registry in force and is
 * logged once per change.
 */
public final class RegistryWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryWatcher.class);
    static final long POLL_MILLIS = 500;

    private final Path file;
    private final Consumer<SiteRegistry> onChange;
    private final Thread thread;
    private volatile boolean running = true;
    private FileTime seen;

    private RegistryWatcher(Path file, Consumer<SiteRegistry> onChange) {
        this.file = file;
        this.onChange = onChange;
        this.seen = modified();
        this.thread = new Thread(this::run, "tandem-registry-watch");
        this.thread.setDaemon(true);
    }

    public static RegistryWatcher start(Path file, BrokerSecurity security) {
        return start(file, security::reload);
    }

    /** Calls {@code onChange} with the new registry each time the file changes (on the watcher's thread). */
    public static RegistryWatcher start(Path file, Consumer<SiteRegistry> onChange) {
        RegistryWatcher w = new RegistryWatcher(file, onChange);
        w.thread.start();
        return w;
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            FileTime now = modified();
            if (now != null && !now.equals(seen)) {
                seen = now;
                try {
                    onChange.accept(SiteRegistry.load(file));
                    LOG.info("site registry {} reloaded", file);
                } catch (TandemException e) {
                    LOG.warn("{} (keeping the registry in force)", e.toString());
                }
            }
        }
    }

    private FileTime modified() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
