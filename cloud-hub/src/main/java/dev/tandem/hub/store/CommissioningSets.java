package dev.tandem.hub.store;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Hashing;
import dev.tandem.shared.wire.Wire;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/** Every commissioning set the devices sent (table {@code commissioning_sets}), as received. */
public final class CommissioningSets {
    /** A stored set: its content hash and when it first arrived. */
    public record StoredSet(String sha256, long receivedAt, Commissioning set) {
    }

    /** Far above what a bounded Commissioning message encodes to. */
    private static final int MAX_SET_BYTES = 64 << 20;

    private final HubStore store;

    CommissioningSets(HubStore store) {
        this.store = store;
    }

    /**
     * Keeps a set (and the device it names); a set already kept (same content) keeps its first
     * arrival time.
     *
     * @return the set's sha256
     */
    public String save(Commissioning c, long receivedAt) {
        byte[] payload = Wire.encode(c);
        String sha = Hashing.sha256Hex(payload);
        int channels = c.samples().get(0).channels();
        store.inTransaction("store the commissioning set of " + c.site() + "/" + c.device(), conn -> {
            Devices.touch(conn, c.site(), c.device(), c.deviceClass(), channels, receivedAt);
            try (PreparedStatement s = conn.prepareStatement("insert into commissioning_sets (site, device, sha256, "
                    + "received_at, samples, channels, payload) values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing")) {
                s.setString(1, c.site());
                s.setString(2, c.device());
                s.setString(3, sha);
                s.setLong(4, receivedAt);
                s.setInt(5, c.samples().size());
                s.setInt(6, channels);
                s.setBytes(7, payload);
                s.executeUpdate();
            }
            return null;
        });
        return sha;
    }

    /** A device's set by its sha256. */
    public Optional<StoredSet> find(String site, String device, String sha256) {
        return query("commissioning set " + sha256 + " of " + site + "/" + device,
                "select * from commissioning_sets where site = ? and device = ? and sha256 = ?",
                new String[]{site, device, sha256}, (row, e) -> {
                    throw e;
                }).stream().findFirst();
    }

    /** The newest set of a device. */
    public Optional<StoredSet> latest(String site, String device) {
        List<StoredSet> sets = query("the commissioning set of " + site + "/" + device,
                "select * from commissioning_sets where site = ? and device = ? order by received_at desc, sha256 limit 1",
                new String[]{site, device}, (row, e) -> {
                    throw e;
                });
        return sets.stream().findFirst();
    }

    /**
     * The newest set of every device, in device order; a row that does not decode is handed to
     * {@code skipped} (its key, the error) and left out.
     */
    public List<StoredSet> latestOfEachDevice(BiConsumer<String, TandemException> skipped) {
        return query("the devices' commissioning sets", "select * from commissioning_sets s where s.received_at = "
                        + "(select max(t.received_at) from commissioning_sets t where t.site = s.site and t.device = s.device) "
                        + "order by s.site, s.device, s.sha256", new String[0], skipped);
    }

    private List<StoredSet> query(String what, String sql, String[] args, BiConsumer<String, TandemException> skipped) {
        return store.withConnection(what, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    s.setString(i + 1, args[i]);
                }
                List<StoredSet> out = new ArrayList<>();
                String last = null;
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        String device = r.getString("site") + "/" + r.getString("device");
                        if (device.equals(last)) {
                            continue; // two sets arrived in the same millisecond: the first in sha order
                        }
                        last = device;
                        String key = r.getString("site") + "/" + r.getString("device") + " " + r.getString("sha256");
                        try {
                            out.add(decode(r));
                        } catch (TandemException e) {
                            skipped.accept(key, e);
                        }
                    }
                }
                return out;
            }
        });
    }

    private static StoredSet decode(ResultSet r) throws SQLException {
        byte[] payload = r.getBytes("payload");
        String sha = r.getString("sha256");
        if (!Hashing.sha256Hex(payload).equals(sha)) {
            throw new TandemException(dev.tandem.shared.error.ErrorCode.ARTIFACT_HASH_MISMATCH,
                    "stored commissioning set does not match its sha256");
        }
        Commissioning c = Wire.decode(payload, Commissioning.class, MAX_SET_BYTES);
        if (!c.site().equals(r.getString("site")) || !c.device().equals(r.getString("device"))) {
            throw new TandemException(dev.tandem.shared.error.ErrorCode.DEVICE_MISMATCH,
                    "stored commissioning set is of " + c.site() + "/" + c.device());
        }
        return new StoredSet(sha, r.getLong("received_at"), c);
    }
}
