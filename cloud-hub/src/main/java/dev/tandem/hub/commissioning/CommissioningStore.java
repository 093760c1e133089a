package dev.tandem.hub.commissioning;

import dev.tandem.hub.HubMetrics;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The commissioning sets a hub has fitted, one JSON file per device
 * ({@code <dataDir>/commissioning/<site>/<device>.json}), so that a restarted hub refits its
 * devices. Writes go to a temporary file first and are then moved into place.
 */
public final class CommissioningStore {
    private static final int MAX_FILE_BYTES = 64 << 20;

    private final Path root;
    private final HubMetrics metrics;

    public CommissioningStore(Path dataDir, HubMetrics metrics) {
        this.root = dataDir.resolve("commissioning");
        this.metrics = metrics;
    }

    public Path root() {
        return root;
    }

    /** Stores (or replaces) a device's set. Blocking disk I/O: call it from a worker thread. */
    public void save(Commissioning c) {
        try {
            Path dir = root.resolve(c.site());
            Files.createDirectories(dir);
            Path target = dir.resolve(c.device() + ".json");
            Path tmp = Files.createTempFile(dir, c.device(), ".tmp");
            Files.write(tmp, Wire.encode(c));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store commissioning set of " + c.site() + "/" + c.device(), e);
        }
    }

    /** Every stored set; unreadable ones are logged ({@code [CODE]}), counted and skipped. */
    public List<Commissioning> loadAll() {
        List<Commissioning> sets = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return sets;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(root, 2)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        for (Path f : files) {
            try {
                Commissioning c = Wire.decode(Files.readAllBytes(f), Commissioning.class, MAX_FILE_BYTES);
                String expected = c.site() + "/" + c.device() + ".json";
                if (!root.relativize(f).toString().replace('\\', '/').equals(expected)) {
                    throw new TandemException(ErrorCode.UNEXPECTED_TOPIC, "file holds the set of " + expected);
                }
                sets.add(c);
            } catch (TandemException e) {
                metrics.error(e.code(), "stored commissioning set " + f + " skipped: " + e.getMessage());
            } catch (IOException e) {
                metrics.error(ErrorCode.MALFORMED_PAYLOAD, "stored commissioning set " + f + " unreadable: " + e);
            }
        }
        return sets;
    }
}
