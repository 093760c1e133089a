package dev.tandem.shared.signing;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.util.List;

/**
 * The site's signing-key history as a device receives it ({@code trust}, retained): every key
 * rotation since the key devices were provisioned with, oldest first, each signed by the key
 * before it ({@link ManifestSigner#rotateTo}). A device follows the chain from the key it pins and
 * trusts where it ends ({@link #follow}); a link it cannot verify stops it there.
 */
public record TrustChain(int v, String site, String device, List<Signed> rotations) {
    public static final int VERSION = 1;
    /** Rotations a chain may carry. */
    public static final int MAX_ROTATIONS = 64;

    public TrustChain {
        Checks.version("TrustChain", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        rotations = rotations == null ? List.of() : List.copyOf(rotations);
        if (rotations.size() > MAX_ROTATIONS) {
            throw TandemException.invalid(rotations.size() + " rotations exceed the limit of " + MAX_ROTATIONS);
        }
    }

    public static TrustChain of(String site, String device, List<Signed> rotations) {
        return new TrustChain(VERSION, site, device, rotations);
    }

    /**
     * The verifier of the key the chain ends at, starting from {@code pinned}: links signed by keys
     * before the pinned one are skipped (the device was provisioned later), the first link signed by
     * the pinned key is followed, and so on; any link that fails its check refuses the whole chain.
     *
     * @throws TandemException UNKNOWN_SIGNING_KEY or SIGNATURE_INVALID for a link that does not verify
     */
    public ManifestVerifier follow(ManifestVerifier pinned) {
        ManifestVerifier v = pinned;
        boolean started = false;
        for (Signed link : rotations) {
            if (!started && !link.keyId().equals(v.trusted().keyId())) {
                continue; // a rotation older than the key this device pins
            }
            started = true;
            v = v.rotate(link);
        }
        return v;
    }
}
