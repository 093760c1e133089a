package dev.tandem.hub.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The hub's state in one schema behind JDBC: devices, commissioning sets, models with their
 * content-addressed artifacts and signed manifests, fit leases, escalations with their verdicts,
 * operator labels and retraining runs. An embedded H2 file by default, PostgreSQL in production
 * (several hub instances share one); a HikariCP pool; the schema and its upgrades are Flyway
 * migrations ({@code db/hub/V*__*.sql}), applied on open.
 *
 * <p>Every call blocks on the database: make them from worker threads, never from an event loop or
 * an MQTT callback. Failures are {@link TandemException}s with {@link ErrorCode#STORE_UNAVAILABLE}.
 */
public final class HubStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HubStore.class);
    static final String MIGRATIONS = "classpath:db/hub";

    private final StoreSettings settings;
    private final HikariDataSource pool;
    /** For an in-memory H2 store: one connection held open, so the database lives as long as the store. */
    private final Connection keepAlive;
    private final Devices devices;
    private final CommissioningSets commissioning;
    private final Models models;
    private final FitLeases leases;
    private final Escalations escalations;
    private final Labels labels;
    private final RetrainingRuns retraining;
    private final RolloutStore rollouts;

    private HubStore(StoreSettings settings, HikariDataSource pool, Connection keepAlive) {
        this.settings = settings;
        this.pool = pool;
        this.keepAlive = keepAlive;
        this.devices = new Devices(this);
        this.commissioning = new CommissioningSets(this);
        this.models = new Models(this);
        this.leases = new FitLeases(this);
        this.escalations = new Escalations(this);
        this.labels = new Labels(this);
        this.retraining = new RetrainingRuns(this);
        this.rollouts = new RolloutStore(this);
    }

    /**
     * Opens the pool and migrates the schema to this build's version.
     *
     * @throws TandemException STORE_UNAVAILABLE if the database cannot be reached or migrated
     */
    public static HubStore open(StoreSettings settings) {
        Objects.requireNonNull(settings, "settings");
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(settings.jdbcUrl());
        hc.setUsername(settings.credentials().user());
        hc.setPassword(settings.credentials().password());
        hc.setMaximumPoolSize(settings.poolSize());
        hc.setMinimumIdle(Math.min(2, settings.poolSize()));
        hc.setConnectionTimeout(5_000);
        hc.setValidationTimeout(2_000);
        hc.setInitializationFailTimeout(10_000);
        hc.setPoolName("tandem-hub-store");
        if (settings.kind() == StoreSettings.Kind.POSTGRESQL) {
            hc.addDataSourceProperty("reWriteBatchedInserts", "true");
            hc.addDataSourceProperty("ApplicationName", "tandem-hub");
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new TandemException(ErrorCode.STORE_UNAVAILABLE, "cannot open the hub's database "
                    + settings.displayUrl() + ": " + rootMessage(e), e);
        }
        Connection keepAlive = null;
        try {
            if (!settings.persistent()) {
                keepAlive = pool.getConnection();
            }
            MigrateResult result = Flyway.configure().dataSource(pool).locations(MIGRATIONS)
                    .failOnMissingLocations(true).load().migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("hub store {}: schema migrated to version {} ({} migrations)", settings.displayUrl(),
                        result.targetSchemaVersion, result.migrationsExecuted);
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(keepAlive);
            pool.close();
            throw new TandemException(ErrorCode.STORE_UNAVAILABLE, "cannot open the hub's database "
                    + settings.displayUrl() + ": " + rootMessage(e), e);
        }
        return new HubStore(settings, pool, keepAlive);
    }

    public StoreSettings settings() {
        return settings;
    }

    public Devices devices() {
        return devices;
    }

    public CommissioningSets commissioning() {
        return commissioning;
    }

    public Models models() {
        return models;
    }

    public FitLeases leases() {
        return leases;
    }

    public Escalations escalations() {
        return escalations;
    }

    public Labels labels() {
        return labels;
    }

    /** Retraining runs and their outcomes. */
    public RetrainingRuns retraining() {
        return retraining;
    }

    /** Rollouts, their per-device actions and transitions. */
    public RolloutStore rollouts() {
        return rollouts;
    }

    /** The schema version the database is at (the newest applied migration). */
    public String schemaVersion() {
        MigrationVersion v = Flyway.configure().dataSource(pool).locations(MIGRATIONS).load().info().current().getVersion();
        return v.getVersion();
    }

    /** A body run on one pooled connection (auto-commit). */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on a pooled connection in auto-commit mode. */
    public <T> T withConnection(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs {@code work} in one transaction (rolled back if it throws). */
    public <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    static TandemException failure(String what, SQLException e) {
        return new TandemException(ErrorCode.STORE_UNAVAILABLE, what + ": " + rootMessage(e), e);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.toString() : m.lines().findFirst().orElse(m);
    }

    /** Closes the pool (an in-memory store is gone afterwards). */
    @Override
    public void close() {
        closeQuietly(keepAlive);
        pool.close();
    }

    @Override
    public String toString() {
        return "HubStore[" + settings.displayUrl() + "]";
    }
}
