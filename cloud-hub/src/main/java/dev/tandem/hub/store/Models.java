package dev.tandem.hub.store;

import dev.tandem.hub.fit.FittedDevice;
import dev.tandem.hub.large.LargeModel;
import dev.tandem.hub.large.LargeModelArtifact;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.wire.Hashing;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The devices' models (table {@code models}), their artifacts, content-addressed by sha256
 * ({@code artifacts}: the tiny model's canonical JSON, the very bytes its manifests hash; the large
 * model's {@link LargeModelArtifact} as JSON), and the signed assignments issued for them
 * ({@code manifests}).
 */
public final class Models {
    public static final String TINY = "tiny";
    public static final String LARGE = "large";
    /** Refused when reading back: far above a large model of the bounded channel and context counts. */
    private static final int MAX_LARGE_ARTIFACT_BYTES = 256 << 20;

    /** One model of a device. */
    public record ModelRecord(String site, String device, String version, String kind, String fingerprint,
                              String deviceClass, String artifactSha256, int sizeBytes, String setSha256,
                              String parentVersion, String fittedBy, long fitMillis, long createdAt,
                              String figures) {
    }

    /** One signed assignment a hub issued: the manifest as signed (JSON of {@code Signed}). */
    public record ManifestRecord(String site, String device, long generation, String version, String keyId,
                                 byte[] signed, long issuedAt, String issuedBy) {
    }

    /**
     * What a fit is kept with: the device, the set it was fitted on, who fitted it, and what its tiny
     * model's variant measured (JSON, at most {@link #MAX_FIGURES_CHARS}; null: nothing measured).
     */
    public record FitRecord(String site, String device, String deviceClass, String setSha256, String parentVersion,
                            String fittedBy, long fitMillis, long createdAt, String tinyFigures) {
        public FitRecord {
            if (tinyFigures != null && tinyFigures.length() > MAX_FIGURES_CHARS) {
                throw new TandemException(ErrorCode.INVALID_FIELD, "tinyFigures: at most " + MAX_FIGURES_CHARS
                        + " characters, got " + tinyFigures.length());
            }
        }
    }

    /** The size of the {@code figures} column. */
    public static final int MAX_FIGURES_CHARS = 4000;

    private final HubStore store;

    Models(HubStore store) {
        this.store = store;
    }

    /** Keeps a device's fitted tiny and large models (one transaction; a model already kept stays as it is). */
    public void save(FitRecord r, FittedDevice fitted) {
        byte[] tiny = TinyModelCodec.encode(fitted.tiny());
        byte[] large = encode(fitted.large().export());
        store.inTransaction("store the models of " + r.site() + "/" + r.device(), c -> {
            Devices.touch(c, r.site(), r.device(), r.deviceClass(), fitted.tiny().channels(), r.createdAt());
            String tinySha = putArtifact(c, fitted.tiny().format(), tiny, r.createdAt());
            String largeSha = putArtifact(c, LargeModelArtifact.FORMAT, large, r.createdAt());
            insertModel(c, r, fitted.tiny().version(), TINY, fitted.fingerprint(), tinySha, r.tinyFigures());
            insertModel(c, r, fitted.large().version(), LARGE, fitted.fingerprint(), largeSha, null);
            return null;
        });
    }

    static byte[] encode(LargeModelArtifact a) {
        try {
            return Wire.mapper().writeValueAsBytes(a);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode large model " + a.version(), e);
        }
    }

    static String putArtifact(Connection c, String format, byte[] content, long now) throws SQLException {
        String sha = Hashing.sha256Hex(content);
        try (PreparedStatement s = c.prepareStatement("insert into artifacts (sha256, format, size_bytes, content, "
                + "created_at) values (?, ?, ?, ?, ?) on conflict do nothing")) {
            s.setString(1, sha);
            s.setString(2, format);
            s.setInt(3, content.length);
            s.setBytes(4, content);
            s.setLong(5, now);
            s.executeUpdate();
        }
        return sha;
    }

    private static void insertModel(Connection c, FitRecord r, String version, String kind, String fingerprint,
                                    String sha, String figures) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into models (site, device, version, kind, fingerprint, "
                + "device_class, artifact_sha256, set_sha256, parent_version, fitted_by, fit_millis, created_at, figures) "
                + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing")) {
            s.setString(1, r.site());
            s.setString(2, r.device());
            s.setString(3, version);
            s.setString(4, kind);
            s.setString(5, fingerprint);
            s.setString(6, r.deviceClass());
            s.setString(7, sha);
            s.setString(8, r.setSha256());
            s.setString(9, r.parentVersion());
            s.setString(10, r.fittedBy());
            s.setLong(11, r.fitMillis());
            s.setLong(12, r.createdAt());
            s.setString(13, figures);
            s.executeUpdate();
        }
    }

    /**
     * The models of a device's fit, loaded (the large model rebuilt from its weights, no training):
     * empty if no instance has kept this fit yet. The caller owns the large model.
     *
     * @throws TandemException ARTIFACT_HASH_MISMATCH / ARTIFACT_INVALID for a damaged artifact
     */
    public Optional<FittedDevice> load(String site, String device, String fingerprint) {
        byte[][] artifacts = store.withConnection("load the models of " + site + "/" + device, c -> {
            byte[] tiny = null, large = null;
            try (PreparedStatement s = c.prepareStatement("select m.kind, a.sha256, a.content from models m join "
                    + "artifacts a on a.sha256 = m.artifact_sha256 where m.site = ? and m.device = ? and m.fingerprint = ?")) {
                s.setString(1, site);
                s.setString(2, device);
                s.setString(3, fingerprint);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        byte[] content = verified(r.getString("sha256"), r.getBytes("content"));
                        if (TINY.equals(r.getString("kind"))) {
                            tiny = content;
                        } else if (LARGE.equals(r.getString("kind"))) {
                            large = content;
                        }
                    }
                }
            }
            return tiny == null || large == null ? null : new byte[][]{tiny, large};
        });
        if (artifacts == null) {
            return Optional.empty();
        }
        TinyModel tiny = TinyModelCodec.decode(artifacts[0]);
        LargeModelArtifact large = decodeLarge(artifacts[1]);
        return Optional.of(new FittedDevice(tiny, LargeModel.restore(large, tiny), fingerprint));
    }

    static byte[] verified(String sha, byte[] content) {
        if (!Hashing.sha256Hex(content).equals(sha)) {
            throw new TandemException(ErrorCode.ARTIFACT_HASH_MISMATCH, "stored artifact " + sha
                    + " does not match its sha256");
        }
        return content;
    }

    static LargeModelArtifact decodeLarge(byte[] bytes) {
        if (bytes.length > MAX_LARGE_ARTIFACT_BYTES) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "large model artifact of " + bytes.length + " bytes");
        }
        try {
            return Wire.mapper().readValue(bytes, LargeModelArtifact.class);
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof TandemException te) {
                    throw te;
                }
            }
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "cannot decode a large model artifact: " + e.getMessage());
        }
    }

    /** Whether a device's fit is kept (both models). */
    public boolean has(String site, String device, String fingerprint) {
        return store.withConnection("look up the models of " + site + "/" + device, c -> {
            try (PreparedStatement s = c.prepareStatement("select count(*) from models where site = ? and device = ? "
                    + "and fingerprint = ?")) {
                s.setString(1, site);
                s.setString(2, device);
                s.setString(3, fingerprint);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return r.getInt(1) >= 2;
                }
            }
        });
    }

    /** Every kept model (of one device, or of all when {@code site} is null), newest first. */
    public List<ModelRecord> list(String site, String device) {
        String where = site == null ? "" : " where m.site = ? and m.device = ?";
        return store.withConnection("list models", c -> {
            try (PreparedStatement s = c.prepareStatement("select m.*, a.size_bytes from models m join artifacts a on "
                    + "a.sha256 = m.artifact_sha256" + where + " order by m.created_at desc, m.site, m.device, m.kind desc")) {
                if (site != null) {
                    s.setString(1, site);
                    s.setString(2, device);
                }
                List<ModelRecord> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new ModelRecord(r.getString("site"), r.getString("device"), r.getString("version"),
                                r.getString("kind"), r.getString("fingerprint"), r.getString("device_class"),
                                r.getString("artifact_sha256"), r.getInt("size_bytes"), r.getString("set_sha256"),
                                r.getString("parent_version"), r.getString("fitted_by"), r.getLong("fit_millis"),
                                r.getLong("created_at"), r.getString("figures")));
                    }
                }
                return out;
            }
        });
    }

    /** An artifact's bytes by sha256 (checked against it). */
    public Optional<byte[]> artifact(String sha256) {
        return store.withConnection("read artifact " + sha256, c -> {
            try (PreparedStatement s = c.prepareStatement("select content from artifacts where sha256 = ?")) {
                s.setString(1, sha256);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(verified(sha256, r.getBytes(1))) : Optional.<byte[]>empty();
                }
            }
        });
    }

    /** Keeps a signed assignment (a generation already kept stays as it is). */
    public void recordManifest(ManifestRecord m) {
        store.withConnection("record the manifest of " + m.site() + "/" + m.device(), c -> {
            try (PreparedStatement s = c.prepareStatement("insert into manifests (site, device, generation, version, "
                    + "key_id, signed, issued_at, issued_by) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing")) {
                s.setString(1, m.site());
                s.setString(2, m.device());
                s.setLong(3, m.generation());
                s.setString(4, m.version());
                s.setString(5, m.keyId());
                s.setBytes(6, m.signed());
                s.setLong(7, m.issuedAt());
                s.setString(8, m.issuedBy());
                return s.executeUpdate();
            }
        });
    }

    /** The highest generation any instance issued to a device. */
    public OptionalLong lastGeneration(String site, String device) {
        return store.withConnection("read the last generation of " + site + "/" + device, c -> {
            try (PreparedStatement s = c.prepareStatement("select max(generation) from manifests where site = ? and device = ?")) {
                s.setString(1, site);
                s.setString(2, device);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    long g = r.getLong(1);
                    return r.wasNull() ? OptionalLong.empty() : OptionalLong.of(g);
                }
            }
        });
    }

    /** A device's issued assignments, newest generation first. */
    public List<ManifestRecord> manifests(String site, String device) {
        return store.withConnection("list the manifests of " + site + "/" + device, c -> {
            try (PreparedStatement s = c.prepareStatement("select * from manifests where site = ? and device = ? "
                    + "order by generation desc")) {
                s.setString(1, site);
                s.setString(2, device);
                List<ManifestRecord> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new ManifestRecord(r.getString("site"), r.getString("device"), r.getLong("generation"),
                                r.getString("version"), r.getString("key_id"), r.getBytes("signed"),
                                r.getLong("issued_at"), r.getString("issued_by")));
                    }
                }
                return out;
            }
        });
    }
}
