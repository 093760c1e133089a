package dev.tandem.hub.store;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** Retraining runs: why each was asked for, what came of it (published, refused with the gate's reason, failed). */
public final class RetrainingRuns {
    /** The longest detail kept (the gate's figures as JSON). */
    public static final int MAX_DETAIL = 4000;

    public record Run(String id, String site, String device, String reason, String status, long requestedAt,
                      long startedAt, long finishedAt, String parentVersion, String candidateVersion, String detail) {
        public Run {
            Checks.nonBlank("id", id);
            Checks.id("site", site);
            Checks.id("device", device);
            Checks.nonBlank("reason", reason);
            Checks.nonBlank("status", status);
            if (detail != null && detail.length() > MAX_DETAIL) {
                detail = detail.substring(0, MAX_DETAIL);
            }
        }
    }

    private final HubStore store;

    RetrainingRuns(HubStore store) {
        this.store = store;
    }

    public void add(Run r) {
        store.inTransaction("keep retraining run " + r.id(), c -> {
            try (PreparedStatement s = c.prepareStatement("insert into retraining_runs (id, site, device, reason, status, "
                    + "requested_at, started_at, finished_at, parent_version, candidate_version, detail) "
                    + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, r.id());
                s.setString(2, r.site());
                s.setString(3, r.device());
                s.setString(4, r.reason());
                s.setString(5, r.status());
                s.setLong(6, r.requestedAt());
                s.setLong(7, r.startedAt());
                s.setLong(8, r.finishedAt());
                if (r.parentVersion() == null) {
                    s.setNull(9, Types.VARCHAR);
                } else {
                    s.setString(9, r.parentVersion());
                }
                if (r.candidateVersion() == null) {
                    s.setNull(10, Types.VARCHAR);
                } else {
                    s.setString(10, r.candidateVersion());
                }
                s.setString(11, r.detail());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** A device's runs, newest first (at most {@code limit}). */
    public List<Run> list(String site, String device, int limit) {
        if (limit < 1) {
            throw TandemException.invalid("limit must be >= 1");
        }
        return store.withConnection("retraining runs of " + site + "/" + device, c -> {
            try (PreparedStatement s = c.prepareStatement("select * from retraining_runs where site = ? and device = ? "
                    + "order by requested_at desc, id")) {
                s.setString(1, site);
                s.setString(2, device);
                s.setMaxRows(limit);
                List<Run> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new Run(r.getString("id"), r.getString("site"), r.getString("device"),
                                r.getString("reason"), r.getString("status"), r.getLong("requested_at"),
                                r.getLong("started_at"), r.getLong("finished_at"), r.getString("parent_version"),
                                r.getString("candidate_version"), r.getString("detail")));
                    }
                }
                return out;
            }
        });
    }
}
