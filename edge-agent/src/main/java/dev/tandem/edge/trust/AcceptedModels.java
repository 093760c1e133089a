package dev.tandem.edge.trust;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.wire.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The highest manifest generation each device has accepted, on the device's disk, so that a
 * retained older assignment (or any replay) cannot come back after a restart. One small JSON file
 * per device, replaced atomically and synced before the model goes active. Without a directory
 * (tests, a diskless box) it remembers nothing across restarts and says so once. A file that
 * cannot be read is an error (INVALID_CONFIG) rather than "nothing accepted": the device takes no
 * new model until it is removed, so a damaged file cannot reopen the door to a replay.
 */
public final class AcceptedModels {
    private static final Logger log = LoggerFactory.getLogger(AcceptedModels.class);
    private static final int MAX_FILE_BYTES = 4096;

    /** What a device runs: the manifest generation it accepted and the model's version. */
    public record Accepted(int v, String device, long generation, String version) {
        public static final int VERSION = 1;

        public Accepted {
            Checks.version("Accepted", v, VERSION);
            Checks.id("device", device);
            Checks.nonBlank("version", version);
            if (generation < 1) {
                throw TandemException.invalid("generation must be >= 1");
            }
        }
    }

    private final Path dir;

    /** @param dir where the files live (created if missing), or null to keep nothing */
    public AcceptedModels(Path dir) {
        this.dir = dir;
        if (dir == null) {
            log.warn("no state directory: accepted model generations are not kept across restarts");
        }
    }

    /** The accepted generation of a device: 0 if none. A corrupt file is INVALID_CONFIG (never silently 0). */
    public long generation(String device) {
        return load(device).map(Accepted::generation).orElse(0L);
    }

    public Optional<Accepted> load(String device) {
        if (dir == null) {
            return Optional.empty();
        }
        Path file = file(device);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Wire.decode(Files.readAllBytes(file), Accepted.class, MAX_FILE_BYTES));
        } catch (IOException | TandemException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot read the accepted model of " + device
                    + " from " + file + " (" + e.getMessage() + "); remove it to accept the hub's next model");
        }
    }

    /**
     * Records a new accepted generation, durably, before the model goes active. A disk that cannot
     * take it (full, read-only) does not stop the update: the agent keeps the generation in memory
     * (replays stay refused until a restart) and this returns false, logged.
     */
    public boolean accept(String device, long generation, String version) {
        if (dir == null) {
            return false;
        }
        Accepted a = new Accepted(Accepted.VERSION, device, generation, version);
        return write(file(device), Wire.encode(a), "the accepted model of " + device);
    }

    /** The hub's key rotations this agent has followed (null directory or none yet: empty). */
    public Optional<TrustChain> trustChain() {
        if (dir == null || !Files.exists(dir.resolve(TRUST_FILE))) {
            return Optional.empty();
        }
        try {
            return Optional.of(Wire.decode(Files.readAllBytes(dir.resolve(TRUST_FILE)), TrustChain.class, 256 * 1024));
        } catch (IOException | TandemException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot read the hub's key rotations from "
                    + dir.resolve(TRUST_FILE) + " (" + e.getMessage() + ")");
        }
    }

    /** Keeps the key rotations the agent now follows (so a restart trusts the same key). */
    public void keepTrustChain(TrustChain chain) {
        if (dir == null) {
            return;
        }
        write(dir.resolve(TRUST_FILE), Wire.encode(chain), "the hub's key rotations");
    }

    private boolean write(Path file, byte[] bytes, String what) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            log.warn("[{}] cannot record {} in {} ({}): kept in memory only", ErrorCode.INVALID_CONFIG, what, dir,
                    e.toString());
            return false;
        }
    }

    private static final String TRUST_FILE = "trust.json";

    private Path file(String device) {
        return dir.resolve(Checks.id("device", device) + ".accepted.json");
    }
}
