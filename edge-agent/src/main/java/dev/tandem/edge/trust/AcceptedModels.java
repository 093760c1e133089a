package dev.tandem.edge.trust;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.wire.ModelAssignment;
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
 *
 * <p>Beside it, the assignments (signed manifest and artifact) of the model the device runs and of
 * the one it ran before ({@link #keep}, {@link #revert}): what a device restarted in a rollout runs
 * again without the hub, and the version its watchdog pinned away ({@link #pinned}).
 */
public final class AcceptedModels {
    private static final Logger log = LoggerFactory.getLogger(AcceptedModels.class);
    private static final int MAX_FILE_BYTES = 4096;

    /**
     * What a device runs: the manifest generation it accepted and the model's version; the
     * version its watchdog rolled back from ({@code pinned}, refused until another model is
     * assigned), or null; and until when (epoch ms) its watchdog watches the model it runs, 0 if it
     * does not. Version 2 added {@code pinned} and {@code watchUntil}; version 1 files are still read.
     */
    public record Accepted(int v, String device, long generation, String version, String pinned, Long watchUntil) {
        public static final int VERSION = 2;
        public static final int MIN_VERSION = 1;

        public Accepted {
            Checks.version("Accepted", v, MIN_VERSION, VERSION);
            v = VERSION;
            Checks.id("device", device);
            Checks.nonBlank("version", version);
            if (generation < 1) {
                throw TandemException.invalid("generation must be >= 1");
            }
            if (pinned != null) {
                Checks.nonBlank("pinned", pinned);
            }
            watchUntil = watchUntil == null ? 0L : watchUntil; // absent from version 1
            if (watchUntil < 0) {
                throw TandemException.invalid("watchUntil must be >= 0");
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
        return accept(device, generation, version, pinned(device).orElse(null), 0);
    }

    /**
     * Records the accepted generation and version, the pinned version (null: none) and the end of
     * the watch of the model (0: none).
     */
    public boolean accept(String device, long generation, String version, String pinned, long watchUntil) {
        if (dir == null) {
            return false;
        }
        Accepted a = new Accepted(Accepted.VERSION, device, generation, version, pinned, watchUntil);
        return write(file(device), Wire.encode(a), "the accepted model of " + device);
    }

    /** The version the device's watchdog rolled back from and pinned away, if any. */
    public Optional<String> pinned(String device) {
        return load(device).map(Accepted::pinned);
    }

    /**
     * Keeps the assignment of the model the device runs now (as received: signed manifest and
     * artifact, verified again when read back), the one it ran before becoming the previous (unless
     * it is the same model again: a restart).
     */
    public void keep(String device, ModelAssignment running) {
        if (dir == null) {
            return;
        }
        Path current = keptFile(device, CURRENT);
        boolean same = kept(device).map(k -> k.artifact().equals(running.artifact())).orElse(false);
        try {
            if (!same && Files.exists(current)) {
                Files.createDirectories(dir);
                Files.move(current, keptFile(device, PREVIOUS), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            log.warn("[{}] cannot keep the previous model of {} in {} ({})", ErrorCode.INVALID_CONFIG, device, dir,
                    e.toString());
        }
        write(current, Wire.encode(running), "the running model of " + device);
    }

    /** Swaps the kept current and previous models (a device that went back to its previous model). */
    public void revert(String device) {
        if (dir == null) {
            return;
        }
        Path current = keptFile(device, CURRENT);
        Path previous = keptFile(device, PREVIOUS);
        Path tmp = dir.resolve("." + device + ".swap.tmp");
        try {
            if (Files.exists(previous)) {
                Files.move(previous, tmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                if (Files.exists(current)) {
                    Files.move(current, previous, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(tmp, current, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            log.warn("[{}] cannot record the rollback of {} in {} ({})", ErrorCode.INVALID_CONFIG, device, dir,
                    e.toString());
        }
    }

    /** The kept assignment of the model the device ran last (empty: none, or no directory). */
    public Optional<ModelAssignment> kept(String device) {
        return readKept(device, CURRENT);
    }

    /** The kept assignment of the model the device ran before that. */
    public Optional<ModelAssignment> keptPrevious(String device) {
        return readKept(device, PREVIOUS);
    }

    private Optional<ModelAssignment> readKept(String device, String which) {
        if (dir == null) {
            return Optional.empty();
        }
        Path file = keptFile(device, which);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Wire.decode(Files.readAllBytes(file), ModelAssignment.class));
        } catch (IOException | TandemException e) {
            log.warn("[{}] cannot read the kept model of {} from {} ({}); ignored", ErrorCode.INVALID_CONFIG, device,
                    file, e.getMessage());
            return Optional.empty();
        }
    }

    private static final String CURRENT = "current";
    private static final String PREVIOUS = "previous";

    private Path keptFile(String device, String which) {
        return dir.resolve(Checks.id("device", device) + ".model-" + which + ".json");
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
