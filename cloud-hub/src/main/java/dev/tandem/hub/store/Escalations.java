package dev.tandem.hub.store;

import dev.tandem.shared.wire.Verdict;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Escalations and the hub's verdicts on them (table {@code escalations}), kept for the retention period. */
public final class Escalations {
    /** The longest escalation id kept (the column's width); longer ones are not recorded. */
    public static final int MAX_ID_LENGTH = 128;

    /**
     * One escalation as received ({@code payload}: the message's JSON) and the verdict sent for it
     * ({@code verdictAnomaly}, {@code verdictScore}, {@code hubModelVersion}, {@code verdictAt} null if none).
     */
    public record EscalationRecord(String site, String device, String id, long windowId, int windowSize,
                                   String edgeModelVersion, double edgeScore, long receivedAt, String instanceId,
                                   byte[] payload, Boolean verdictAnomaly, Double verdictScore, String hubModelVersion,
                                   Long verdictAt) {
    }

    private static final String INSERT = "insert into escalations (site, device, id, window_id, window_size, "
            + "edge_model_version, edge_score, received_at, instance_id, payload, verdict_anomaly, verdict_score, "
            + "hub_model_version, verdict_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing";

    private final HubStore store;

    Escalations(HubStore store) {
        this.store = store;
    }

    /**
     * Keeps a batch in one transaction (a JDBC batch); an escalation already kept (redelivered) stays
     * as it is. On PostgreSQL the transaction commits without waiting for its WAL flush
     * ({@code synchronous_commit = off} for this transaction only): a crash of the database may lose
     * the last few hundred milliseconds of escalation records, never corrupt anything; models, sets
     * and labels are committed synchronously.
     */
    public void insert(List<EscalationRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        boolean postgres = store.settings().kind() == StoreSettings.Kind.POSTGRESQL;
        store.inTransaction("record " + batch.size() + " escalations", c -> {
            if (postgres) {
                try (java.sql.Statement s = c.createStatement()) {
                    s.execute("set local synchronous_commit = off");
                }
            }
            try (PreparedStatement s = c.prepareStatement(INSERT)) {
                for (EscalationRecord e : batch) {
                    bind(s, e);
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    private static void bind(PreparedStatement s, EscalationRecord e) throws SQLException {
        s.setString(1, e.site());
        s.setString(2, e.device());
        s.setString(3, e.id());
        s.setLong(4, e.windowId());
        s.setInt(5, e.windowSize());
        s.setString(6, e.edgeModelVersion());
        s.setDouble(7, e.edgeScore());
        s.setLong(8, e.receivedAt());
        s.setString(9, e.instanceId());
        s.setBytes(10, e.payload());
        if (e.verdictAnomaly() == null) {
            s.setNull(11, Types.BOOLEAN);
            s.setNull(12, Types.DOUBLE);
            s.setNull(13, Types.VARCHAR);
            s.setNull(14, Types.BIGINT);
        } else {
            s.setBoolean(11, e.verdictAnomaly());
            s.setDouble(12, e.verdictScore());
            s.setString(13, e.hubModelVersion());
            s.setLong(14, e.verdictAt());
        }
    }

    /**
     * The verdicts already given (by any hub instance on this store) to some of a device's
     * escalations, by escalation id; ids without a recorded verdict are absent. The hub keeps no
     * {@code heldThroughSeq} in the record, so the verdicts come back with -1 (the edge then sends its
     * whole context next time). {@code queryTimeoutSeconds} bounds the query on the database side.
     */
    public Map<String, Verdict> verdicts(String site, String device, Collection<String> ids, int queryTimeoutSeconds) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        StringBuilder sql = new StringBuilder("select id, window_id, verdict_anomaly, verdict_score, hub_model_version, "
                + "verdict_at from escalations where site = ? and device = ? and verdict_at is not null and id in (");
        for (int i = 0; i < ids.size(); i++) {
            sql.append(i == 0 ? "?" : ", ?");
        }
        sql.append(')');
        return store.withConnection("look up the verdicts of " + ids.size() + " escalations of " + site + "/" + device, c -> {
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                s.setQueryTimeout(Math.max(1, queryTimeoutSeconds));
                int k = 1;
                s.setString(k++, site);
                s.setString(k++, device);
                for (String id : ids) {
                    s.setString(k++, id);
                }
                Map<String, Verdict> out = new HashMap<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        String id = r.getString("id");
                        out.put(id, new Verdict(Verdict.VERSION, id, site, device, r.getLong("window_id"),
                                r.getBoolean("verdict_anomaly"), r.getDouble("verdict_score"),
                                r.getString("hub_model_version"), -1, r.getLong("verdict_at")));
                    }
                }
                return out;
            }
        });
    }

    public long count() {
        return store.withConnection("count escalations", c -> {
            try (PreparedStatement s = c.prepareStatement("select count(*) from escalations");
                 ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    /** A device's escalations received in [fromMs, toMs), oldest first, at most {@code limit}. */
    public List<EscalationRecord> list(String site, String device, long fromMs, long toMs, int limit) {
        return store.withConnection("list the escalations of " + site + "/" + device, c -> {
            try (PreparedStatement s = c.prepareStatement("select * from escalations where site = ? and device = ? and "
                    + "received_at >= ? and received_at < ? order by received_at, window_id limit ?")) {
                s.setString(1, site);
                s.setString(2, device);
                s.setLong(3, fromMs);
                s.setLong(4, toMs);
                s.setInt(5, Math.max(0, limit));
                List<EscalationRecord> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        boolean anomaly = r.getBoolean("verdict_anomaly");
                        Boolean verdict = r.wasNull() ? null : anomaly;
                        double score = r.getDouble("verdict_score");
                        Double verdictScore = r.wasNull() ? null : score;
                        long at = r.getLong("verdict_at");
                        Long verdictAt = r.wasNull() ? null : at;
                        out.add(new EscalationRecord(r.getString("site"), r.getString("device"), r.getString("id"),
                                r.getLong("window_id"), r.getInt("window_size"), r.getString("edge_model_version"),
                                r.getDouble("edge_score"), r.getLong("received_at"), r.getString("instance_id"),
                                r.getBytes("payload"), verdict, verdictScore, r.getString("hub_model_version"), verdictAt));
                    }
                }
                return out;
            }
        });
    }

    /** Deletes what was received before {@code beforeMs}; returns how many. */
    public int deleteReceivedBefore(long beforeMs) {
        return store.withConnection("delete old escalations", c -> {
            try (PreparedStatement d = c.prepareStatement("delete from escalations where received_at < ?")) {
                d.setLong(1, beforeMs);
                return d.executeUpdate();
            }
        });
    }
}
