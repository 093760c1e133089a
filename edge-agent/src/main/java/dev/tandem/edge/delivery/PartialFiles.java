package dev.tandem.edge.delivery;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Checks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The bytes of an artifact fetched so far, one file per device and artifact
 * ({@code STATE_DIR/downloads/DEVICE-SHA256.part}): each verified chunk appended and synced, so that a
 * download restarted after a disconnect or a restart continues from the bytes on disk. Without a
 * state directory, kept in memory (resumed after a disconnect, not after a restart). Blocking: call
 * it from a worker thread.
 */
final class PartialFiles {
    private static final Logger log = LoggerFactory.getLogger(PartialFiles.class);
    private final Path dir;
    private final Map<String, ByteArrayOutputStream> memory = new HashMap<>();

    /** @param stateDir the agent's state directory, or null: memory only */
    PartialFiles(Path stateDir) {
        this.dir = stateDir == null ? null : stateDir.resolve("downloads");
    }

    private String key(String device, String sha256) {
        return Checks.id("device", device) + "-" + sha256;
    }

    private Path file(String device, String sha256) {
        return dir.resolve(key(device, sha256) + ".part");
    }

    /**
     * The bytes already fetched of {@code sha256} for {@code device} (0: none), after removing the
     * device's partial files of other artifacts; a file longer than {@code total} is started again.
     */
    synchronized long open(String device, String sha256, long total) throws IOException {
        if (dir == null) {
            memory.keySet().removeIf(k -> k.startsWith(device + "-") && !k.equals(key(device, sha256)));
            ByteArrayOutputStream b = memory.computeIfAbsent(key(device, sha256), k -> new ByteArrayOutputStream());
            if (b.size() > total) {
                b.reset();
            }
            return b.size();
        }
        Files.createDirectories(dir);
        Path mine = file(device, sha256);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, Checks.id("device", device) + "-*.part")) {
            for (Path p : s) {
                if (!p.equals(mine)) {
                    Files.deleteIfExists(p);
                    log.info("device {}: partial download {} removed (another artifact assigned)", device, p.getFileName());
                }
            }
        }
        if (!Files.exists(mine)) {
            return 0;
        }
        long size = Files.size(mine);
        if (size > total) {
            log.warn("[{}] device {}: partial download {} is longer than its artifact ({} > {} bytes): started again",
                    ErrorCode.ARTIFACT_INVALID, device, mine.getFileName(), size, total);
            Files.delete(mine);
            return 0;
        }
        return size;
    }

    /** Appends a verified chunk at {@code offset} (the bytes on disk before it); returns the new size. */
    synchronized long append(String device, String sha256, long offset, byte[] bytes) throws IOException {
        if (dir == null) {
            ByteArrayOutputStream b = memory.computeIfAbsent(key(device, sha256), k -> new ByteArrayOutputStream());
            if (b.size() != offset) {
                throw new IOException("partial download of " + device + " holds " + b.size() + " bytes, not " + offset);
            }
            b.write(bytes);
            return b.size();
        }
        Files.createDirectories(dir);
        try (FileChannel ch = FileChannel.open(file(device, sha256), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(offset); // a torn write of an earlier chunk is dropped
            if (ch.size() != offset) {
                throw new IOException("partial download of " + device + " holds " + ch.size() + " bytes, not " + offset);
            }
            ch.position(offset);
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
            return ch.size();
        }
    }

    synchronized byte[] read(String device, String sha256) throws IOException {
        if (dir == null) {
            ByteArrayOutputStream b = memory.get(key(device, sha256));
            return b == null ? new byte[0] : b.toByteArray();
        }
        return Files.readAllBytes(file(device, sha256));
    }

    synchronized void delete(String device, String sha256) {
        if (dir == null) {
            memory.remove(key(device, sha256));
            return;
        }
        try {
            Files.deleteIfExists(file(device, sha256));
        } catch (IOException e) {
            log.warn("device {}: cannot remove the partial download of {}: {}", device, sha256, e.toString());
        }
    }
}
