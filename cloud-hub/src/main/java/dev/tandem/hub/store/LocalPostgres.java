package dev.tandem.hub.store;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.io.IOException;
import java.net.ServerSocket;
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

/**
 * A throwaway PostgreSQL server on this machine, for tests and benchmarks: a cluster made by
 * {@code initdb} under a temporary directory, trust authentication on a 127.0.0.1 listener only
 * (a free port), its socket in that directory; fsync off for tests ({@link #start(boolean)}). Needs
 * the server binaries (Debian package {@code postgresql}). PostgreSQL refuses to run as root: as
 * root the binaries run as the package's {@code postgres} user. No password anywhere.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String USER = "tandem";
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    private final Path bin;
    private final Path dir;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();
    private String options;
    private boolean stopped;

    private LocalPostgres(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** The server binaries' directory (the newest major version under /usr/lib/postgresql), if installed. */
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

    /**
     * Makes and starts a cluster (about a second).
     *
     * @param durable fsync on, as a store anyone keeps runs (benchmarks); false: fsync off (tests)
     * @throws TandemException STORE_UNAVAILABLE if the binaries are missing or the server does not start
     */
    public static LocalPostgres start(boolean durable) {
        Path bin = binaries().orElseThrow(() -> new TandemException(ErrorCode.STORE_UNAVAILABLE,
                "PostgreSQL server binaries not found under " + DEBIAN_ROOT + " (apt-get install -y postgresql)"));
        try {
            Path dir = Files.createTempDirectory("tandem-pg");
            LocalPostgres s = new LocalPostgres(bin, dir, freePort());
            if (asRoot()) {
                run(List.of("chown", "-R", "postgres", dir.toString()), 30);
            }
            s.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
                    "-U", USER, "-E", "UTF8", "--no-locale"), 60);
            s.options = "-c listen_addresses=127.0.0.1 -p " + s.port + " -k " + dir + " -c max_connections=200"
                    + (durable ? "" : " -c fsync=off -c full_page_writes=off");
            s.resume();
            return s;
        } catch (IOException e) {
            throw new TandemException(ErrorCode.STORE_UNAVAILABLE, "cannot start a local PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs a server binary, as the postgres user when we are root. */
    private void pg(List<String> command, int timeoutSeconds) {
        if (asRoot()) {
            List<String> quoted = new ArrayList<>();
            for (String part : command) {
                quoted.add("'" + part.replace("'", "'\\''") + "'");
            }
            run(List.of("su", "postgres", "-s", "/bin/sh", "-c", String.join(" ", quoted)), timeoutSeconds);
        } else {
            run(command, timeoutSeconds);
        }
    }

    private static void run(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TandemException(ErrorCode.STORE_UNAVAILABLE, command.get(0) + " did not finish within "
                        + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new TandemException(ErrorCode.STORE_UNAVAILABLE, String.join(" ", command) + " exited with "
                        + p.exitValue() + ": " + new String(out).strip());
            }
        } catch (IOException e) {
            throw new TandemException(ErrorCode.STORE_UNAVAILABLE, "cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TandemException(ErrorCode.STORE_UNAVAILABLE, "interrupted running " + command.get(0), e);
        }
    }

    /** Stops the server, keeping its data (a database that goes away); {@link #resume()} brings it back. */
    public synchronized void pause() {
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"), 60);
    }

    /** Starts the server (again) on the same port with the same data; nothing if it runs. */
    public synchronized void resume() {
        if (options != null && running()) {
            return;
        }
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("log").toString(), "-w", "-t", "60", "start", "-o", options), 90);
    }

    /** Whether the server runs ({@code pg_ctl status}). */
    public synchronized boolean running() {
        try {
            pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "status"), 30);
            return true;
        } catch (TandemException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** The server's major version directory name, e.g. "15". */
    public String version() {
        return bin.getParent().getFileName().toString();
    }

    /** The URL of a database on this server (no password: the cluster trusts loopback). */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    /** A new, empty database of its own ({@code create database ... template template0}); its URL. */
    public String newDatabase(String prefix) {
        String name = (prefix.replaceAll("[^A-Za-z0-9_]", "_") + "_" + databases.incrementAndGet()).toLowerCase();
        try (Connection c = DriverManager.getConnection(url("postgres"));
             Statement s = c.createStatement()) {
            s.execute("create database " + name + " template template0");
        } catch (SQLException e) {
            throw new TandemException(ErrorCode.STORE_UNAVAILABLE, "cannot create database " + name + ": " + e.getMessage(), e);
        }
        return url(name);
    }

    /** Stops the server (immediate shutdown) and deletes its directory; idempotent. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
                    "stop"), 30);
        } catch (TandemException e) {
            System.err.println("stopping the local PostgreSQL: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
