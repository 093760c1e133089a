package dev.tandem.hub.fit;

import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Hashing;
import dev.tandem.shared.wire.Wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Model versions derived from what the models are fitted on (the commissioning samples and the
 * fitting settings), so that every hub instance fitting the same set names its models alike:
 * {@code tiny-<12 hex>} and {@code large-<12 hex>}.
 */
public final class ModelVersions {
    private ModelVersions() {
    }

    /** The first 12 hex digits of sha256(samples JSON, tiny settings, large settings). */
    public static String fingerprint(Commissioning c, FitSettings settings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Wire.encode(c.samples()));
        out.writeBytes(("|" + settings.tiny() + "|" + settings.large()).getBytes(StandardCharsets.UTF_8));
        return Hashing.sha256Hex(out.toByteArray()).substring(0, 12);
    }

    public static String tiny(String fingerprint) {
        return "tiny-" + fingerprint;
    }

    public static String large(String fingerprint) {
        return "large-" + fingerprint;
    }
}
