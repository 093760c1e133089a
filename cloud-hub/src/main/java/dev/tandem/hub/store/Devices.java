package dev.tandem.hub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The devices the hub has been commissioned by (table {@code devices}). */
public final class Devices {
    /** One device: its class and channel count as of its last commissioning set. */
    public record DeviceRecord(String site, String device, String deviceClass, int channels, long firstSeen,
                               long lastSeen) {
    }

    private final HubStore store;

    Devices(HubStore store) {
        this.store = store;
    }

    /** Inserts or updates a device (inside the caller's transaction): portable upsert, update first. */
    static void touch(Connection c, String site, String device, String deviceClass, int channels, long now)
            throws SQLException {
        try (PreparedStatement u = c.prepareStatement(
                "update devices set device_class = ?, channels = ?, last_seen = ? where site = ? and device = ?")) {
            u.setString(1, deviceClass);
            u.setInt(2, channels);
            u.setLong(3, now);
            u.setString(4, site);
            u.setString(5, device);
            if (u.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement i = c.prepareStatement("insert into devices (site, device, device_class, channels, "
                + "first_seen, last_seen) values (?, ?, ?, ?, ?, ?) on conflict do nothing")) {
            i.setString(1, site);
            i.setString(2, device);
            i.setString(3, deviceClass);
            i.setInt(4, channels);
            i.setLong(5, now);
            i.setLong(6, now);
            i.executeUpdate();
        }
    }

    public List<DeviceRecord> all() {
        return store.withConnection("list devices", c -> {
            try (PreparedStatement s = c.prepareStatement("select * from devices order by site, device");
                 ResultSet r = s.executeQuery()) {
                List<DeviceRecord> out = new ArrayList<>();
                while (r.next()) {
                    out.add(row(r));
                }
                return out;
            }
        });
    }

    public Optional<DeviceRecord> find(String site, String device) {
        return store.withConnection("find device " + site + "/" + device, c -> {
            try (PreparedStatement s = c.prepareStatement("select * from devices where site = ? and device = ?")) {
                s.setString(1, site);
                s.setString(2, device);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(row(r)) : Optional.empty();
                }
            }
        });
    }

    private static DeviceRecord row(ResultSet r) throws SQLException {
        return new DeviceRecord(r.getString("site"), r.getString("device"), r.getString("device_class"),
                r.getInt("channels"), r.getLong("first_seen"), r.getLong("last_seen"));
    }
}
