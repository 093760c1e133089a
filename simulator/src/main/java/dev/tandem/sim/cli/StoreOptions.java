package dev.tandem.sim.cli;

import dev.tandem.hub.store.DbCredentials;
import dev.tandem.hub.store.StoreSettings;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Where the hub keeps its state ({@code hub}, {@code hub backup}, {@code hub restore}): a picocli mixin. */
final class StoreOptions {
    /** The hub's data directory unless told otherwise. */
    static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".tandem", "hub");
    }

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The hub's data directory; without --db its store is the embedded database DIR/"
                    + StoreSettings.H2_FILE + ".mv.db (default: ~/.tandem/hub).")
    Path dataDir;

    @Option(names = "--db", paramLabel = "JDBC_URL",
            description = "The hub's database instead of the embedded one: jdbc:postgresql://HOST:PORT/DB (several hub "
                    + "instances may share it). The login comes from --db-credentials or the environment ("
                    + DbCredentials.USER_ENV + ", " + DbCredentials.PASSWORD_ENV + "), never from the URL.")
    String db;

    @Option(names = "--db-credentials", paramLabel = "FILE",
            description = "JSON {\"user\": ..., \"password\": ...} for --db (owner-only).")
    Path dbCredentials;

    @Option(names = "--retention-days", paramLabel = "N", defaultValue = "30",
            description = "Days escalations and their verdicts are kept; models, commissioning sets and labels are "
                    + "kept (default: ${DEFAULT-VALUE}).")
    long retentionDays;

    StoreSettings settings() {
        if (retentionDays < 1 || retentionDays > 36_500) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--retention-days must be 1..36500, got " + retentionDays);
        }
        if (dbCredentials != null && db == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--db-credentials needs --db");
        }
        StoreSettings s;
        if (db != null) {
            DbCredentials login = dbCredentials != null ? DbCredentials.load(dbCredentials) : DbCredentials.fromEnvironment();
            s = StoreSettings.of(db, login);
        } else {
            Path dir = dataDir != null ? dataDir : defaultDataDir();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot create the data directory " + dir + ": " + e);
            }
            s = StoreSettings.h2File(dir);
        }
        return s.withRetention(Duration.ofDays(retentionDays));
    }
}
