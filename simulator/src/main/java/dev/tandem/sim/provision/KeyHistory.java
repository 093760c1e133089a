package dev.tandem.sim.provision;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.Signed;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A site's signing-key rotations ({@code key-history.json}), oldest first, each signed by the key
 * before it; the hub publishes them to every device ({@link TrustChain}) so that agents pinned to an
 * earlier key follow to the current one.
 */
public record KeyHistory(int v, String site, List<Signed> rotations) {
    public static final int VERSION = 1;

    public KeyHistory {
        Checks.version("KeyHistory", v, VERSION);
        Checks.id("site", site);
        rotations = rotations == null ? List.of() : List.copyOf(rotations);
        if (rotations.size() > TrustChain.MAX_ROTATIONS) {
            throw TandemException.invalid("more than " + TrustChain.MAX_ROTATIONS + " key rotations");
        }
    }

    /** The history in {@code file}, or an empty one if there is no file. */
    public static KeyHistory load(Path file, String site) {
        if (!Files.exists(file)) {
            return new KeyHistory(VERSION, site, List.of());
        }
        try {
            return Wire.decode(Files.readAllBytes(file), KeyHistory.class, 1024 * 1024);
        } catch (IOException | TandemException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "key history " + file + ": " + e.getMessage());
        }
    }

    KeyHistory plus(Signed rotation) {
        List<Signed> next = new ArrayList<>(rotations);
        next.add(rotation);
        return new KeyHistory(v, site, next);
    }
}
