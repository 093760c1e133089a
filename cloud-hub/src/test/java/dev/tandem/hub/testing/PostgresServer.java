package dev.tandem.hub.testing;

import dev.tandem.hub.store.DbCredentials;
import dev.tandem.hub.store.StoreSettings;
import dev.tandem.shared.testing.MosquittoBroker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real PostgreSQL server for tests: a throwaway cluster ({@code initdb} under a temporary
 * directory, trust authentication, a listener on a free 127.0.0.1 port only, its socket in that
 * directory, fsync off), started once per test JVM and stopped when it exits. Each caller gets its
 * own database ({@link #newDatabase}). Needs the server binaries (Debian package {@code postgresql},
 * installed by {@code .ci/run}); {@link #shared()} skips the calling test with a message naming the
 * package when they are absent. PostgreSQL refuses to run as root: as root the binaries run as the
 * package's {@code postgres} user. No password anywhere: the cluster trusts its loopback listener.
 */
public final class PostgresServer {
    public static final String USER = "tandem";
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static PostgresServer shared;
    private static String unavailable;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** The server binaries' directory (the newest major version), if installed. */
    public static Optional<Path> binaries() {
        if (!Files.isDirectory(DEBIAN_ROOT)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int versionOf(Path versionDir) {
        try {
            return Integer.parseInt(versionDir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The JVM's server, started on first use; skips the calling test if PostgreSQL is not installed. */
    public static synchronized PostgresServer shared() {
        if (shared == null && unavailable == null) {
            Optional<Path> bin = binaries();
            if (bin.isEmpty()) {
                unavailable = "PostgreSQL server binaries not found under " + DEBIAN_ROOT
                        + " (apt-get install -y postgresql): PostgreSQL store tests skipped";
                System.err.println("[SKIP] " + unavailable);
            } else {
                shared = start(bin.get());
                Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "tandem-test-postgres-stop"));
            }
        }
        assumeTrue(shared != null, unavailable);
        return shared;
    }

    private static PostgresServer start(Path bin) {
        try {
            Path dir = Files.createTempDirectory("tandem-pg");
            int port = MosquittoBroker.freePort();
            PostgresServer s = new PostgresServer(bin, dir, port);
            if (asRoot()) {
                run(List.of("chown", "-R", "postgres", dir.toString()), 30);
            }
            s.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
                    "-U", USER, "-E", "UTF8", "--no-locale"), 60);
            s.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                    dir.resolve("log").toString(), "-w", "-t", "60", "start", "-o",
                    "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir + " -c fsync=off"
                            + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"), 90);
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a PostgreSQL test server", e);
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs a server binary, as the postgres user when we are root. */
    private void pg(List<String> command, int timeoutSeconds) {
        if (asRoot()) {
            run(List.of("su", "postgres", "-s", "/bin/sh", "-c", shellQuote(command)), timeoutSeconds);
        } else {
            run(command, timeoutSeconds);
        }
    }

    private static String shellQuote(List<String> command) {
        List<String> quoted = new ArrayList<>();
        for (String part : command) {
            quoted.add("'" + part.replace("'", "'\\''") + "'");
        }
        return String.join(" ", quoted);
    }

    private static void run(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                        + new String(out));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }

    public int port() {
        return port;
    }

    /** The URL of a database on this server (no password: the cluster trusts loopback). */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    /** A new, empty database of its own ({@code create database ... template template0}). */
    public String newDatabase(String prefix) {
        String name = (prefix.replaceAll("[^a-z0-9_]", "_") + "_" + databases.incrementAndGet()).toLowerCase();
        try (Connection c = DriverManager.getConnection(url("postgres"));
             Statement s = c.createStatement()) {
            s.execute("create database " + name + " template template0");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return url(name);
    }

    /** Store settings for a new database of its own. */
    public StoreSettings newStore(String prefix) {
        return StoreSettings.of(newDatabase(prefix), DbCredentials.none());
    }

    /** Stops the server (fast shutdown) and deletes its directory. */
    public synchronized void stop() {
        try {
            pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
                    "stop"), 30);
        } catch (RuntimeException e) {
            System.err.println("stopping the PostgreSQL test server: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
