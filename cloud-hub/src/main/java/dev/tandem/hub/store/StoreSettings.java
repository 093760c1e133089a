package dev.tandem.hub.store;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Where the hub keeps its state and for how long.
 *
 * @param jdbcUrl     {@code jdbc:postgresql://...} (production, several hub instances may share it) or
 *                    {@code jdbc:h2:...} (embedded: {@link #h2File} under the data directory, {@link #inMemory} for a
 *                    hub that keeps nothing); H2 always runs in its PostgreSQL mode, so one schema and one SQL serve both
 * @param credentials the database login (never in the URL of a configuration file)
 * @param poolSize    connections in the pool (1..64; default 4)
 * @param retention   how long escalations and their verdicts are kept (models, commissioning sets and labels are
 *                    kept); default 30 days
 */
public record StoreSettings(String jdbcUrl, DbCredentials credentials, int poolSize, Duration retention) {
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    /** The file of the embedded store, under the data directory. */
    public static final String H2_FILE = "hub-store";
    private static final String H2_MODE = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

    /** The databases the store speaks. */
    public enum Kind { H2, POSTGRESQL }

    public StoreSettings {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        credentials = credentials == null ? DbCredentials.none() : credentials;
        retention = retention == null ? DEFAULT_RETENTION : retention;
        if (!jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
            throw invalid("the database must be jdbc:postgresql://HOST:PORT/DB or jdbc:h2:..., got '" + jdbcUrl + "'");
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:") && jdbcUrl.matches("(?i).*[?&]password=.*")) {
            throw invalid("no password in the database URL: use " + DbCredentials.PASSWORD_ENV + " or a credentials file");
        }
        if (poolSize < 1 || poolSize > 64) {
            throw invalid("poolSize must be 1..64, got " + poolSize);
        }
        if (retention.isNegative() || retention.isZero() || retention.compareTo(Duration.ofDays(36_500)) > 0) {
            throw invalid("retention must be > 0 and at most 100 years, got " + retention);
        }
    }

    /** The embedded store of a data directory: {@code DIR/hub-store.mv.db}. */
    public static StoreSettings h2File(Path dataDir) {
        Path file = dataDir.toAbsolutePath().resolve(H2_FILE);
        return new StoreSettings("jdbc:h2:file:" + file + H2_MODE, DbCredentials.none(), DEFAULT_POOL_SIZE, DEFAULT_RETENTION);
    }

    /** A private in-memory store, gone when the hub stops (the library default: a hub that keeps nothing). */
    public static StoreSettings inMemory() {
        return new StoreSettings("jdbc:h2:mem:tandem-" + UUID.randomUUID() + H2_MODE, DbCredentials.none(),
                DEFAULT_POOL_SIZE, DEFAULT_RETENTION);
    }

    /** A database by URL ({@code jdbc:postgresql://...} or {@code jdbc:h2:...}). */
    public static StoreSettings of(String jdbcUrl, DbCredentials credentials) {
        String url = jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.toUpperCase().contains(";MODE=") ? jdbcUrl + H2_MODE : jdbcUrl;
        return new StoreSettings(url, credentials, DEFAULT_POOL_SIZE, DEFAULT_RETENTION);
    }

    public StoreSettings withRetention(Duration retention) {
        return new StoreSettings(jdbcUrl, credentials, poolSize, retention);
    }

    public StoreSettings withPoolSize(int poolSize) {
        return new StoreSettings(jdbcUrl, credentials, poolSize, retention);
    }

    public Kind kind() {
        return jdbcUrl.startsWith("jdbc:postgresql:") ? Kind.POSTGRESQL : Kind.H2;
    }

    /** False for an in-memory store (nothing survives the hub). */
    public boolean persistent() {
        return !jdbcUrl.startsWith("jdbc:h2:mem:");
    }

    /** The URL without H2's mode settings, for logs. */
    public String displayUrl() {
        int semi = jdbcUrl.indexOf(';');
        return semi < 0 ? jdbcUrl : jdbcUrl.substring(0, semi);
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, "store: " + message);
    }
}
