package dev.tandem.hub.testing;

import dev.tandem.hub.store.DbCredentials;
import dev.tandem.hub.store.LocalPostgres;
import dev.tandem.hub.store.StoreSettings;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tests' PostgreSQL: one throwaway cluster ({@link LocalPostgres}) per test JVM, started on
 * first use and stopped when the JVM exits; each caller gets its own database. When the server
 * binaries are absent (a developer's machine without the Debian package {@code postgresql};
 * {@code .ci/run} installs it), {@link #shared()} skips the calling test with a message naming the
 * package, printed as {@code [SKIP]} so that a CI log shows it.
 */
public final class PostgresServer {
    private static LocalPostgres shared;
    private static String unavailable;

    private PostgresServer() {
    }

    /** The JVM's server; skips the calling test if PostgreSQL is not installed. */
    public static synchronized PostgresServer.Handle shared() {
        if (shared == null && unavailable == null) {
            if (LocalPostgres.binaries().isEmpty()) {
                unavailable = "PostgreSQL server binaries not found under /usr/lib/postgresql "
                        + "(apt-get install -y postgresql): PostgreSQL store tests skipped";
                System.err.println("[SKIP] " + unavailable);
            } else {
                shared = LocalPostgres.start(false);
                Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "tandem-test-postgres-stop"));
            }
        }
        assumeTrue(shared != null, unavailable);
        return new Handle(shared);
    }

    /** Databases on the shared server. */
    public record Handle(LocalPostgres server) {
        /** A new, empty database of its own; its URL (no password). */
        public String newDatabase(String prefix) {
            return server.newDatabase(prefix);
        }

        /** Store settings for a new database of its own. */
        public StoreSettings newStore(String prefix) {
            return StoreSettings.of(newDatabase(prefix), DbCredentials.none());
        }
    }
}
