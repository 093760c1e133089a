package dev.tandem.hub.store;

import java.sql.PreparedStatement;
import java.time.Duration;

/**
 * Who fits a device's commissioning set, so that several hub instances on one database fit it
 * once: a row per (device, fingerprint) naming its holder until it expires (table
 * {@code fit_leases}). Taking a lease is one atomic statement on both databases (an insert that does
 * nothing on conflict, else an update of an expired row); the holder renews it while fitting and
 * deletes it when done; an instance that died leaves a lease that expires and is taken over.
 */
public final class FitLeases {
    private final HubStore store;

    FitLeases(HubStore store) {
        this.store = store;
    }

    /** Takes the lease if it is free, expired or already ours. */
    public boolean tryAcquire(String site, String device, String fingerprint, String holder, Duration ttl, long now) {
        long expires = now + ttl.toMillis();
        return store.withConnection("take the fit lease of " + site + "/" + device, c -> {
            try (PreparedStatement i = c.prepareStatement("insert into fit_leases (site, device, fingerprint, holder, "
                    + "expires_at) values (?, ?, ?, ?, ?) on conflict do nothing")) {
                i.setString(1, site);
                i.setString(2, device);
                i.setString(3, fingerprint);
                i.setString(4, holder);
                i.setLong(5, expires);
                if (i.executeUpdate() == 1) {
                    return true;
                }
            }
            try (PreparedStatement u = c.prepareStatement("update fit_leases set holder = ?, expires_at = ? where site = ? "
                    + "and device = ? and fingerprint = ? and (expires_at < ? or holder = ?)")) {
                u.setString(1, holder);
                u.setLong(2, expires);
                u.setString(3, site);
                u.setString(4, device);
                u.setString(5, fingerprint);
                u.setLong(6, now);
                u.setString(7, holder);
                return u.executeUpdate() == 1;
            }
        });
    }

    /** Extends a lease we hold; false if it is no longer ours (expired and taken over). */
    public boolean renew(String site, String device, String fingerprint, String holder, Duration ttl, long now) {
        return store.withConnection("renew the fit lease of " + site + "/" + device, c -> {
            try (PreparedStatement u = c.prepareStatement("update fit_leases set expires_at = ? where site = ? and "
                    + "device = ? and fingerprint = ? and holder = ?")) {
                u.setLong(1, now + ttl.toMillis());
                u.setString(2, site);
                u.setString(3, device);
                u.setString(4, fingerprint);
                u.setString(5, holder);
                return u.executeUpdate() == 1;
            }
        });
    }

    /** Gives a lease back (nothing if it is not ours). */
    public void release(String site, String device, String fingerprint, String holder) {
        store.withConnection("release the fit lease of " + site + "/" + device, c -> {
            try (PreparedStatement d = c.prepareStatement("delete from fit_leases where site = ? and device = ? and "
                    + "fingerprint = ? and holder = ?")) {
                d.setString(1, site);
                d.setString(2, device);
                d.setString(3, fingerprint);
                d.setString(4, holder);
                return d.executeUpdate();
            }
        });
    }

    /** Deletes leases that expired before {@code before} (left by instances that died). */
    public int purgeExpired(long before) {
        return store.withConnection("purge expired fit leases", c -> {
            try (PreparedStatement d = c.prepareStatement("delete from fit_leases where expires_at < ?")) {
                d.setLong(1, before);
                return d.executeUpdate();
            }
        });
    }
}
