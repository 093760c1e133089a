package dev.tandem.hub.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.rollout.ActionRecord;
import dev.tandem.hub.rollout.ActionState;
import dev.tandem.hub.rollout.DeviceAction;
import dev.tandem.hub.rollout.Rollout;
import dev.tandem.hub.rollout.RolloutChange;
import dev.tandem.hub.rollout.RolloutSettings;
import dev.tandem.hub.rollout.RolloutState;
import dev.tandem.hub.rollout.RolloutTarget;
import dev.tandem.hub.rollout.Wave;
import dev.tandem.hub.rollout.WaveGate;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.RolloutRules;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rollouts and their per-device actions (tables {@code rollouts}, {@code rollout_actions}), and every
 * transition of either with its time, code and reason ({@code rollout_transitions}): what a restarted
 * hub resumes a rollout from. Blocking JDBC, like the rest of the store.
 */
public final class RolloutStore {
    /** A rollout as kept: the plan and where it stands, its settings, and when its current wave started. */
    public record StoredRollout(Rollout rollout, RolloutSettings settings, Instant waveStartedAt, Instant updatedAt) {
    }

    /** One transition: of the rollout ({@code device} null) or of one device's action. */
    public record Transition(String rolloutId, DeviceId device, String from, String to, Instant at, ErrorCode code,
                             String reason) {
    }

    /** The waves' reach and gates as kept (their devices are the actions'). */
    record WaveRow(int index, int reach, double successThreshold, double errorThreshold, long shadowMs,
                   long timeoutMs) {
    }

    record SettingsRow(int minVerdicts, double minAgreement, long watchMs, int watchMinWindows, double alarmMin,
                       double alarmMax, double escalationMin, double escalationMax) {
    }

    private static final int BATCH = 500;
    private final HubStore store;

    RolloutStore(HubStore store) {
        this.store = store;
    }

    /** Keeps a new rollout with one action per device of its waves (one transaction). */
    public void create(Rollout r, RolloutSettings settings, List<ActionRecord> actions, Instant at) {
        store.inTransaction("create rollout " + r.id(), c -> {
            try (PreparedStatement s = c.prepareStatement("insert into rollouts (id, name, change_kind, change_ref, "
                    + "target, waves, settings, state, current_wave, wave_started_at, created_at, created_by, updated_at) "
                    + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, r.id());
                s.setString(2, r.name());
                s.setString(3, r.change().kind().name());
                s.setString(4, r.change().ref());
                s.setString(5, json(r.target()));
                s.setString(6, json(waveRows(r)));
                s.setString(7, json(settingsRow(settings)));
                s.setString(8, r.state().name());
                s.setInt(9, r.currentWave());
                s.setNull(10, Types.BIGINT);
                s.setLong(11, r.createdAt().toEpochMilli());
                s.setString(12, r.createdBy());
                s.setLong(13, at.toEpochMilli());
                s.executeUpdate();
            }
            insertActions(c, actions);
            insertTransitions(c, List.of(new Transition(r.id(), null, null, r.state().name(), at, null,
                    "planned by " + r.createdBy())));
            return null;
        });
    }

    /** The rollout's new state, current wave and wave start, with the transition that led there. */
    public void update(Rollout r, Instant waveStartedAt, Transition why) {
        store.inTransaction("update rollout " + r.id(), c -> {
            try (PreparedStatement s = c.prepareStatement("update rollouts set state = ?, current_wave = ?, "
                    + "wave_started_at = ?, updated_at = ? where id = ?")) {
                s.setString(1, r.state().name());
                s.setInt(2, r.currentWave());
                if (waveStartedAt == null) {
                    s.setNull(3, Types.BIGINT);
                } else {
                    s.setLong(3, waveStartedAt.toEpochMilli());
                }
                s.setLong(4, why.at().toEpochMilli());
                s.setString(5, r.id());
                if (s.executeUpdate() != 1) {
                    throw new SQLException("no rollout " + r.id());
                }
            }
            insertTransitions(c, List.of(why));
            return null;
        });
    }

    /**
     * Actions changed (their state and what was sent), each with the transition that changed it (null:
     * nothing but what was sent changed), in one transaction.
     */
    public void updateActions(List<ActionRecord> actions, List<Transition> transitions) {
        if (actions.isEmpty() && transitions.isEmpty()) {
            return;
        }
        store.inTransaction("update " + actions.size() + " rollout actions", c -> {
            try (PreparedStatement s = c.prepareStatement("update rollout_actions set state = ?, since = ?, code = ?, "
                    + "reason = ?, generation = ?, candidate_version = ?, candidate_sha256 = ?, previous_version = ?, "
                    + "previous_sha256 = ?, rollback_generation = ? where rollout_id = ? and site = ? and device = ?")) {
                int n = 0;
                for (ActionRecord a : actions) {
                    DeviceAction d = a.action();
                    s.setString(1, d.state().name());
                    s.setLong(2, d.since().toEpochMilli());
                    s.setString(3, d.code() == null ? null : d.code().name());
                    s.setString(4, d.reason());
                    setLong(s, 5, a.generation());
                    s.setString(6, a.candidateVersion());
                    s.setString(7, a.candidateSha256());
                    s.setString(8, a.previousVersion());
                    s.setString(9, a.previousSha256());
                    setLong(s, 10, a.rollbackGeneration());
                    s.setString(11, d.rolloutId());
                    s.setString(12, d.device().site());
                    s.setString(13, d.device().device());
                    s.addBatch();
                    if (++n % BATCH == 0) {
                        s.executeBatch();
                    }
                }
                s.executeBatch();
            }
            insertTransitions(c, transitions);
            return null;
        });
    }

    /** A rollout and where it stands. */
    public Optional<StoredRollout> find(String id) {
        return store.withConnection("read rollout " + id, c -> {
            List<ActionRecord> actions = actions(c, id, 0, Integer.MAX_VALUE);
            try (PreparedStatement s = c.prepareStatement("select * from rollouts where id = ?")) {
                s.setString(1, id);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(stored(r, actions)) : Optional.<StoredRollout>empty();
                }
            }
        });
    }

    /** Every rollout, newest first, with its waves' devices (from its actions). */
    public List<StoredRollout> list() {
        return select("select id from rollouts order by created_at desc, id desc");
    }

    /** The rollouts a restarted hub resumes: those not in a final state, oldest first. */
    public List<StoredRollout> unfinished() {
        return select("select id from rollouts where state in ('READY', 'RUNNING', 'PAUSED', 'STOPPED') "
                + "order by created_at, id");
    }

    private List<StoredRollout> select(String sql) {
        return store.withConnection("list rollouts", c -> {
            List<String[]> rows = new ArrayList<>();
            List<StoredRollout> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql); ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new String[]{r.getString("id")});
                }
            }
            for (String[] row : rows) {
                List<ActionRecord> actions = actions(c, row[0], 0, Integer.MAX_VALUE);
                try (PreparedStatement s = c.prepareStatement("select * from rollouts where id = ?")) {
                    s.setString(1, row[0]);
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next()) {
                            out.add(stored(r, actions));
                        }
                    }
                }
            }
            return out;
        });
    }

    /** A rollout's actions in device order (site, device), {@code limit} from {@code offset}. */
    public List<ActionRecord> actions(String rolloutId, int offset, int limit) {
        return store.withConnection("read the actions of rollout " + rolloutId, c -> actions(c, rolloutId, offset, limit));
    }

    /** How many of a rollout's actions are in each state. */
    public Map<ActionState, Integer> counts(String rolloutId) {
        return store.withConnection("count the actions of rollout " + rolloutId, c -> {
            Map<ActionState, Integer> out = new EnumMap<>(ActionState.class);
            for (ActionState a : ActionState.values()) {
                out.put(a, 0);
            }
            try (PreparedStatement s = c.prepareStatement("select state, count(*) from rollout_actions where "
                    + "rollout_id = ? group by state")) {
                s.setString(1, rolloutId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.put(ActionState.valueOf(r.getString(1)), r.getInt(2));
                    }
                }
            }
            return out;
        });
    }

    /** For each device that was ever sent a candidate: its newest such action (of its newest rollout). */
    public Map<DeviceId, ActionRecord> standing() {
        return store.withConnection("read the devices' rollout standing", c -> {
            Map<DeviceId, ActionRecord> out = new LinkedHashMap<>();
            try (PreparedStatement s = c.prepareStatement("select a.* from rollout_actions a join rollouts r on "
                    + "r.id = a.rollout_id where a.generation is not null order by r.created_at, r.id");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ActionRecord a = action(r);
                    out.put(a.action().device(), a);
                }
            }
            return out;
        });
    }

    /** The transitions of a rollout (of one device, or of the rollout itself when {@code device} is null), oldest first. */
    public List<Transition> transitions(String rolloutId, DeviceId device) {
        return store.withConnection("read the transitions of rollout " + rolloutId, c -> {
            String where = device == null ? " and site is null" : " and site = ? and device = ?";
            try (PreparedStatement s = c.prepareStatement("select * from rollout_transitions where rollout_id = ?"
                    + where + " order by seq")) {
                s.setString(1, rolloutId);
                if (device != null) {
                    s.setString(2, device.site());
                    s.setString(3, device.device());
                }
                List<Transition> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        String site = r.getString("site");
                        String code = r.getString("code");
                        out.add(new Transition(rolloutId, site == null ? null : new DeviceId(site, r.getString("device")),
                                r.getString("from_state"), r.getString("to_state"),
                                Instant.ofEpochMilli(r.getLong("at")), code == null ? null : ErrorCode.valueOf(code),
                                r.getString("reason")));
                    }
                }
                return out;
            }
        });
    }

    /** A tiny model's artifact by its version (any device's), as kept by a fit: its sha256 and bytes. */
    public Optional<Map.Entry<String, byte[]>> tinyArtifact(String version) {
        return store.withConnection("read tiny model " + version, c -> {
            try (PreparedStatement s = c.prepareStatement("select a.sha256, a.content from models m join artifacts a "
                    + "on a.sha256 = m.artifact_sha256 where m.version = ? and m.kind = ?")) {
                s.setString(1, version);
                s.setString(2, Models.TINY);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.<Map.Entry<String, byte[]>>empty();
                    }
                    String sha = r.getString(1);
                    return Optional.of(Map.entry(sha, Models.verified(sha, r.getBytes(2))));
                }
            }
        });
    }

    /** Keeps an artifact (content-addressed; kept once); its sha256. */
    public String putArtifact(String format, byte[] content, long now) {
        return store.withConnection("keep an artifact", c -> Models.putArtifact(c, format, content, now));
    }

    private static void insertActions(Connection c, List<ActionRecord> actions) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into rollout_actions (rollout_id, site, device, wave, "
                + "state, since, code, reason) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
            int n = 0;
            for (ActionRecord a : actions) {
                DeviceAction d = a.action();
                s.setString(1, d.rolloutId());
                s.setString(2, d.device().site());
                s.setString(3, d.device().device());
                s.setInt(4, d.wave());
                s.setString(5, d.state().name());
                s.setLong(6, d.since().toEpochMilli());
                s.setString(7, d.code() == null ? null : d.code().name());
                s.setString(8, d.reason());
                s.addBatch();
                if (++n % BATCH == 0) {
                    s.executeBatch();
                }
            }
            s.executeBatch();
        }
    }

    private static void insertTransitions(Connection c, List<Transition> transitions) throws SQLException {
        if (transitions.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("insert into rollout_transitions (rollout_id, site, device, "
                + "from_state, to_state, at, code, reason) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
            int n = 0;
            for (Transition t : transitions) {
                s.setString(1, t.rolloutId());
                s.setString(2, t.device() == null ? null : t.device().site());
                s.setString(3, t.device() == null ? null : t.device().device());
                s.setString(4, t.from());
                s.setString(5, t.to());
                s.setLong(6, t.at().toEpochMilli());
                s.setString(7, t.code() == null ? null : t.code().name());
                s.setString(8, clip(t.reason()));
                s.addBatch();
                if (++n % BATCH == 0) {
                    s.executeBatch();
                }
            }
            s.executeBatch();
        }
    }

    private static List<ActionRecord> actions(Connection c, String rolloutId, int offset, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select * from rollout_actions where rollout_id = ? "
                + "order by site, device limit ? offset ?")) {
            s.setString(1, rolloutId);
            s.setInt(2, limit);
            s.setInt(3, offset);
            List<ActionRecord> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(action(r));
                }
            }
            return out;
        }
    }

    private static ActionRecord action(ResultSet r) throws SQLException {
        String code = r.getString("code");
        DeviceAction d = new DeviceAction(r.getString("rollout_id"), new DeviceId(r.getString("site"),
                r.getString("device")), r.getInt("wave"), ActionState.valueOf(r.getString("state")),
                Instant.ofEpochMilli(r.getLong("since")), code == null ? null : ErrorCode.valueOf(code),
                r.getString("reason"));
        return new ActionRecord(d, getLong(r, "generation"), r.getString("candidate_version"),
                trim(r.getString("candidate_sha256")), r.getString("previous_version"),
                trim(r.getString("previous_sha256")), getLong(r, "rollback_generation"));
    }

    private static StoredRollout stored(ResultSet r, List<ActionRecord> actions) throws SQLException {
        String id = r.getString("id");
        List<WaveRow> rows = parse(r.getString("waves"), new TypeReference<List<WaveRow>>() {
        });
        List<List<DeviceId>> devices = new ArrayList<>();
        rows.forEach(w -> devices.add(new ArrayList<>()));
        for (ActionRecord a : actions) {
            devices.get(a.action().wave()).add(a.action().device());
        }
        List<Wave> waves = new ArrayList<>();
        for (WaveRow w : rows) {
            List<DeviceId> ds = devices.get(w.index());
            ds.sort(java.util.Comparator.comparing(DeviceId::device));
            waves.add(new Wave(w.index(), ds, w.reach(), new WaveGate(w.successThreshold(), w.errorThreshold(),
                    Duration.ofMillis(w.shadowMs()), Duration.ofMillis(w.timeoutMs()))));
        }
        Rollout rollout = new Rollout(id, r.getString("name"), new RolloutChange(
                RolloutChange.Kind.valueOf(r.getString("change_kind")), r.getString("change_ref")),
                parse(r.getString("target"), new TypeReference<RolloutTarget>() {
                }), waves, RolloutState.valueOf(r.getString("state")), r.getInt("current_wave"),
                Instant.ofEpochMilli(r.getLong("created_at")), r.getString("created_by"));
        SettingsRow s = parse(r.getString("settings"), new TypeReference<SettingsRow>() {
        });
        RolloutSettings settings = new RolloutSettings(s.minVerdicts(), s.minAgreement(), Duration.ofMillis(s.watchMs()),
                s.watchMinWindows(), new RolloutRules.Band(s.alarmMin(), s.alarmMax()),
                new RolloutRules.Band(s.escalationMin(), s.escalationMax()));
        Long started = getLong(r, "wave_started_at");
        return new StoredRollout(rollout, settings, started == null ? null : Instant.ofEpochMilli(started),
                Instant.ofEpochMilli(r.getLong("updated_at")));
    }

    private static List<WaveRow> waveRows(Rollout r) {
        List<WaveRow> out = new ArrayList<>();
        for (Wave w : r.waves()) {
            out.add(new WaveRow(w.index(), w.reach(), w.gate().successThreshold(), w.gate().errorThreshold(),
                    w.gate().shadowTime().toMillis(), w.gate().timeout().toMillis()));
        }
        return out;
    }

    private static SettingsRow settingsRow(RolloutSettings s) {
        return new SettingsRow(s.minVerdicts(), s.minAgreement(), s.watch().toMillis(), s.watchMinWindows(),
                s.alarmRate().min(), s.alarmRate().max(), s.escalationRate().min(), s.escalationRate().max());
    }

    private static String json(Object o) {
        return new String(Wire.encode(o), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static <T> T parse(String json, TypeReference<T> type) throws SQLException {
        try {
            return Wire.mapper().readValue(json, type);
        } catch (IOException | TandemException e) {
            throw new SQLException("a kept rollout does not read back: " + e.getMessage(), e);
        }
    }

    private static void setLong(PreparedStatement s, int i, Long v) throws SQLException {
        if (v == null) {
            s.setNull(i, Types.BIGINT);
        } else {
            s.setLong(i, v);
        }
    }

    private static Long getLong(ResultSet r, String column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : v;
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    private static String clip(String s) {
        return s == null || s.length() <= DeviceAction.MAX_REASON_CHARS ? s : s.substring(0, DeviceAction.MAX_REASON_CHARS);
    }
}
