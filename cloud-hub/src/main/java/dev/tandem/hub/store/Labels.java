package dev.tandem.hub.store;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Operator labels: ground truth for a stretch [fromMs, toMs) of a device's time (table {@code labels}), kept. */
public final class Labels {
    public static final int MAX_NOTE_LENGTH = 1000;

    public record LabelRecord(String id, String site, String device, long fromMs, long toMs, boolean anomaly,
                              String note, long createdAt, String createdBy) {
        public LabelRecord {
            Checks.id("site", site);
            Checks.id("device", device);
            Checks.id("createdBy", createdBy);
            if (toMs <= fromMs) {
                throw TandemException.invalid("a label needs from < to, got " + fromMs + " .. " + toMs);
            }
            if (note != null && note.length() > MAX_NOTE_LENGTH) {
                throw TandemException.invalid("a label's note is at most " + MAX_NOTE_LENGTH + " characters");
            }
        }

        /** A new label with a random id. */
        public static LabelRecord of(String site, String device, long fromMs, long toMs, boolean anomaly, String note,
                                     long createdAt, String createdBy) {
            return new LabelRecord(UUID.randomUUID().toString(), site, device, fromMs, toMs, anomaly, note, createdAt,
                    createdBy);
        }
    }

    private final HubStore store;

    Labels(HubStore store) {
        this.store = store;
    }

    /**
     * Keeps a label.
     *
     * @throws TandemException UNKNOWN_DEVICE for a device the hub was never commissioned by
     */
    public void add(LabelRecord l) {
        store.inTransaction("add a label to " + l.site() + "/" + l.device(), c -> {
            try (PreparedStatement q = c.prepareStatement("select 1 from devices where site = ? and device = ?")) {
                q.setString(1, l.site());
                q.setString(2, l.device());
                try (ResultSet r = q.executeQuery()) {
                    if (!r.next()) {
                        throw new TandemException(ErrorCode.UNKNOWN_DEVICE, "no device " + l.site() + "/" + l.device()
                                + " in the store");
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("insert into labels (id, site, device, from_ms, to_ms, anomaly, "
                    + "note, created_at, created_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, l.id());
                s.setString(2, l.site());
                s.setString(3, l.device());
                s.setLong(4, l.fromMs());
                s.setLong(5, l.toMs());
                s.setBoolean(6, l.anomaly());
                s.setString(7, l.note());
                s.setLong(8, l.createdAt());
                s.setString(9, l.createdBy());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** A device's labels, by start time. */
    public List<LabelRecord> list(String site, String device) {
        return store.withConnection("list the labels of " + site + "/" + device, c -> {
            try (PreparedStatement s = c.prepareStatement("select * from labels where site = ? and device = ? "
                    + "order by from_ms, id")) {
                s.setString(1, site);
                s.setString(2, device);
                List<LabelRecord> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new LabelRecord(r.getString("id"), r.getString("site"), r.getString("device"),
                                r.getLong("from_ms"), r.getLong("to_ms"), r.getBoolean("anomaly"), r.getString("note"),
                                r.getLong("created_at"), r.getString("created_by")));
                    }
                }
                return out;
            }
        });
    }
}
