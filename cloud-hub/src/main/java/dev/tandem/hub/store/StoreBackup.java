package dev.tandem.hub.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code ./tandem hub backup|restore}: the whole store as one portable file (gzip, JSON lines: a
 * header with the format and schema version, one line per row naming its table, binary columns in
 * base64, and a trailer with each table's row count), the same for H2 and PostgreSQL, so a backup
 * of one restores into the other. A backup reads one consistent snapshot (one repeatable-read
 * transaction). A restore replaces everything in the target store in one transaction: a
 * truncated or damaged file, or one of a newer schema, changes nothing. Fit leases are not kept
 * (they belong to running instances).
 */
public final class StoreBackup {
    public static final String FORMAT = "tandem-hub-backup/1";
    /** Parents before children (foreign keys). */
    static final List<String> TABLES = List.of("devices", "commissioning_sets", "artifacts", "models", "manifests",
            "escalations", "labels", "retraining_runs", "rollouts", "rollout_actions", "rollout_transitions");
    private static final int BATCH = 200;

    /** What a backup holds. */
    public record Summary(String schemaVersion, Map<String, Long> rows) {
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private StoreBackup() {
    }

    /** Writes the store to {@code out} (a temporary file first, moved into place when complete). */
    public static Summary backup(HubStore store, Path out) {
        Path dir = out.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, out.getFileName().toString(), ".tmp");
            try {
                Summary s;
                try (OutputStream os = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                    s = backup(store, os);
                }
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return s;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot write backup " + out + ": " + e.getMessage(), e);
        }
    }

    private static Summary backup(HubStore store, OutputStream os) throws IOException {
        String schema = store.schemaVersion();
        ObjectMapper mapper = Wire.mapper();
        JsonGenerator g = mapper.getFactory().createGenerator(os);
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        ObjectNode header = mapper.createObjectNode();
        header.put("format", FORMAT);
        header.put("schema", schema);
        header.put("createdAt", System.currentTimeMillis());
        header.set("tables", mapper.valueToTree(TABLES));
        mapper.writeTree(g, header);
        g.writeRaw('\n');
        Map<String, Long> counts = new LinkedHashMap<>();
        store.withConnection("back up the store", c -> {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                for (String table : TABLES) {
                    counts.put(table, dumpTable(c, table, g));
                }
                c.commit();
            } catch (IOException e) {
                throw new SQLException("writing the backup: " + e.getMessage(), e);
            } finally {
                c.rollback();
                c.setReadOnly(false);
                c.setAutoCommit(true);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
            return null;
        });
        ObjectNode trailer = mapper.createObjectNode();
        trailer.set("end", mapper.valueToTree(counts));
        mapper.writeTree(g, trailer);
        g.writeRaw('\n');
        g.flush();
        return new Summary(schema, counts);
    }

    private static long dumpTable(Connection c, String table, JsonGenerator g) throws SQLException, IOException {
        long n = 0;
        try (Statement s = c.createStatement()) {
            s.setFetchSize(BATCH);
            try (ResultSet r = s.executeQuery("select * from " + table)) {
                ResultSetMetaData md = r.getMetaData();
                while (r.next()) {
                    g.writeStartObject();
                    g.writeStringField("t", table);
                    g.writeObjectFieldStart("r");
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        String col = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
                        writeValue(g, col, md.getColumnType(i), r, i);
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                    g.writeRaw('\n');
                    n++;
                }
            }
        }
        return n;
    }

    private static void writeValue(JsonGenerator g, String col, int type, ResultSet r, int i)
            throws SQLException, IOException {
        switch (type) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> {
                long v = r.getLong(i);
                if (r.wasNull()) {
                    g.writeNullField(col);
                } else {
                    g.writeNumberField(col, v);
                }
            }
            case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.NUMERIC, Types.DECIMAL -> {
                double v = r.getDouble(i);
                if (r.wasNull()) {
                    g.writeNullField(col);
                } else {
                    g.writeNumberField(col, v);
                }
            }
            case Types.BOOLEAN, Types.BIT -> {
                boolean v = r.getBoolean(i);
                if (r.wasNull()) {
                    g.writeNullField(col);
                } else {
                    g.writeBooleanField(col, v);
                }
            }
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                byte[] v = r.getBytes(i);
                if (v == null) {
                    g.writeNullField(col);
                } else {
                    g.writeStringField(col, Base64.getEncoder().encodeToString(v));
                }
            }
            default -> {
                String v = r.getString(i);
                if (v == null) {
                    g.writeNullField(col);
                } else {
                    g.writeStringField(col, v);
                }
            }
        }
    }

    /**
     * Replaces everything in {@code store} with the backup's rows (one transaction).
     *
     * @throws TandemException MALFORMED_PAYLOAD for a file that is not a complete backup,
     *                         UNKNOWN_SCHEMA_VERSION for one of another schema, STORE_UNAVAILABLE if the database refuses
     */
    public static Summary restore(HubStore store, Path in) {
        if (!Files.isRegularFile(in)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "no backup file " + in);
        }
        try (InputStream is = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(in)))) {
            return restore(store, is, in.toString());
        } catch (IOException e) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, "backup " + in + " is not readable: " + e.getMessage(), e);
        }
    }

    private static Summary restore(HubStore store, InputStream is, String name) throws IOException {
        ObjectMapper mapper = Wire.mapper();
        try (MappingIterator<JsonNode> lines = mapper.readerFor(JsonNode.class).readValues(is)) {
            if (!lines.hasNext()) {
                throw malformed(name, "empty");
            }
            JsonNode header = lines.next();
            if (!FORMAT.equals(header.path("format").asText())) {
                throw malformed(name, "not a " + FORMAT + " file");
            }
            String schema = header.path("schema").asText();
            String current = store.schemaVersion();
            if (!current.equals(schema)) {
                throw new TandemException(ErrorCode.UNKNOWN_SCHEMA_VERSION, "backup " + name + " is of schema " + schema
                        + ", this store is at " + current + " (restore it with the build that wrote it)");
            }
            return store.inTransaction("restore " + name, c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("delete from fit_leases");
                    for (int i = TABLES.size() - 1; i >= 0; i--) {
                        s.executeUpdate("delete from " + TABLES.get(i));
                    }
                }
                Map<String, Long> counts = new LinkedHashMap<>();
                TABLES.forEach(t -> counts.put(t, 0L));
                Inserter inserter = new Inserter(c);
                try {
                    while (lines.hasNext()) {
                        JsonNode line = lines.next();
                        if (line.has("end")) {
                            inserter.flush();
                            for (String t : TABLES) {
                                if (line.path("end").path(t).asLong(-1) != counts.get(t)) {
                                    throw malformed(name, "table " + t + " has " + counts.get(t) + " rows, the trailer says "
                                            + line.path("end").path(t));
                                }
                            }
                            restartIdentities(c);
                            return new Summary(schema, counts);
                        }
                        String table = line.path("t").asText();
                        if (!counts.containsKey(table) || !line.path("r").isObject()) {
                            throw malformed(name, "a row of unknown table '" + table + "'");
                        }
                        inserter.add(table, (ObjectNode) line.get("r"));
                        counts.merge(table, 1L, Long::sum);
                    }
                } finally {
                    inserter.close();
                }
                throw malformed(name, "truncated (no trailer)");
            });
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw malformed(name, e.getOriginalMessage());
        } catch (RuntimeException e) {
            if (e.getCause() instanceof com.fasterxml.jackson.core.JacksonException je) {
                throw malformed(name, je.getOriginalMessage());
            }
            throw e;
        }
    }

    /** The restored rows keep their generated keys: the next ones continue above them. */
    private static void restartIdentities(Connection c) throws SQLException {
        long next;
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "select coalesce(max(seq), 0) + 1 from rollout_transitions")) {
            r.next();
            next = r.getLong(1);
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("alter table rollout_transitions alter column seq restart with " + next);
        }
    }

    private static TandemException malformed(String name, String why) {
        return new TandemException(ErrorCode.MALFORMED_PAYLOAD, "backup " + name + ": " + why);
    }

    /** Batched inserts of one table at a time, values converted to each column's type. */
    private static final class Inserter implements AutoCloseable {
        private final Connection c;
        private String table;
        private List<String> columns;
        private int[] types;
        private PreparedStatement insert;
        private int pending;

        Inserter(Connection c) {
            this.c = c;
        }

        void add(String t, ObjectNode row) throws SQLException {
            if (!t.equals(table)) {
                flush();
                closeStatement();
                open(t);
            }
            for (int i = 0; i < columns.size(); i++) {
                bind(i + 1, types[i], row.get(columns.get(i)));
            }
            insert.addBatch();
            if (++pending >= BATCH) {
                flush();
            }
        }

        private void open(String t) throws SQLException {
            table = t;
            columns = new ArrayList<>();
            List<Integer> ts = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select * from " + t + " where 1 = 0")) {
                ResultSetMetaData md = r.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    columns.add(md.getColumnLabel(i).toLowerCase(Locale.ROOT));
                    ts.add(md.getColumnType(i));
                }
            }
            types = ts.stream().mapToInt(Integer::intValue).toArray();
            insert = c.prepareStatement("insert into " + t + " (" + String.join(", ", columns) + ") values ("
                    + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")");
        }

        private void bind(int index, int type, JsonNode v) throws SQLException {
            if (v == null || v.isNull()) {
                insert.setNull(index, type);
                return;
            }
            switch (type) {
                case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> insert.setLong(index, v.asLong());
                case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.NUMERIC, Types.DECIMAL -> insert.setDouble(index, v.asDouble());
                case Types.BOOLEAN, Types.BIT -> insert.setBoolean(index, v.asBoolean());
                case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                    try {
                        insert.setBytes(index, Base64.getDecoder().decode(v.asText()));
                    } catch (IllegalArgumentException e) {
                        throw new SQLException("a binary value of " + table + " is not base64");
                    }
                }
                default -> insert.setString(index, v.asText());
            }
        }

        void flush() throws SQLException {
            if (pending > 0) {
                insert.executeBatch();
                pending = 0;
            }
        }

        private void closeStatement() throws SQLException {
            if (insert != null) {
                insert.close();
                insert = null;
            }
        }

        @Override
        public void close() throws SQLException {
            closeStatement();
        }
    }
}
