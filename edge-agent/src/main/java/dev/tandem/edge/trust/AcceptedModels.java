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
     * The assignments (as received) of the model a device runs and of the one it ran before (null:
     * none), in one file replaced atomically, so that a power cut leaves either pair whole.
     */
    public record Kept(int v, ModelAssignment current, ModelAssignment previous) {
        public static final int VERSION = 1;

        public Kept {
            Checks.version("Kept", v, VERSION);
            if (current == null) {
                throw TandemException.invalid("a kept pair has a current model");
            }
        }
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
        Optional<Kept> before = readKept(device);
        if (before.isPresent() && before.get().current().artifact().equals(running.artifact())) {
            return;
        }
        writeKept(device, new Kept(Kept.VERSION, running, before.map(Kept::current).orElse(null)));
    }

    /** Swaps the kept current and previous models (a device that went back to its previous model). */
    public void revert(String device) {
        if (dir == null) {
            return;
        }
        readKept(device).filter(k -> k.previous() != null)
                .ifPresent(k -> writeKept(device, new Kept(Kept.VERSION, k.previous(), k.current())));
    }

    /** The kept assignment of the model the device ran last (empty: none, or no directory). */
    public Optional<ModelAssignment> kept(String device) {
        return readKept(device).map(Kept::current);
    }

    /** The kept assignment of the model the device ran before that. */
    public Optional<ModelAssignment> keptPrevious(String device) {
        return readKept(device).map(Kept::previous);
    }

    private void writeKept(String device, Kept kept) {
        write(keptFile(device), Wire.encode(kept), "the models of " + device);
    }

    /** A file that cannot be read is ignored (logged): the device then waits for the hub's assignment as before. */
    private Optional<Kept> readKept(String device) {
        if (dir == null) {
            return Optional.empty();
        }
        Path file = keptFile(device);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Wire.decode(Files.readAllBytes(file), Kept.class, 3 * Wire.MAX_PAYLOAD_BYTES));
        } catch (IOException | TandemException e) {
            log.warn("[{}] cannot read the kept models of {} from {} ({}); ignored", ErrorCode.INVALID_CONFIG, device,
                    file, e.getMessage());
            return Optional.empty();
        }
    }

    private Path keptFile(String device) {
        return dir.resolve(Checks.id("device", device) + ".models.json");
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
