package dev.tandem.edge.uplink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.zip.CRC32;

/**
 * An append-only log of opaque records in segment files in one directory, with a CRC32 per record.
 *
 * <p>Layout: segments named by the index of their first record ({@code 00000000000000000042.seg}),
 * each a sequence of records {@code [int length][int crc32][long index][body]} (big-endian; the CRC
 * covers index and body), and a file {@code head} holding the index below which every record is
 * done ({@link #release}) with its own CRC. Records get consecutive indexes; a segment is closed at
 * {@code segmentBytes} and a new one started. Segments whose records are all below the head are
 * deleted on {@link #sync}.
 *
 * <p>Opening replays the records at or above the head, in index order. A record that is cut short
 * (a torn write) or whose CRC does not match ends the reading of its segment: it and what follows
 * in that segment are skipped and counted ({@link #corruptRecords()}), the segment is truncated to
 * its good part, and the later segments are still read. Appends always go to a fresh segment after
 * a replay, never into a segment written before.
 *
 * <p>Nothing here syncs by itself: {@link #append} collects records in a buffer of its own (256 KiB,
 * written to the file when full), {@link #sync} writes them and forces the data to the device. Not thread-safe: one thread at a time (the outbox's I/O thread).
 */
public final class SegmentLog implements Closeable {
    /** Largest record body accepted (and believed on replay): room for the largest MQTT payload and its topic. */
    public static final int MAX_BODY_BYTES = 4 << 20;
    static final int HEADER_BYTES = 4 + 4 + 8;
    private static final int PENDING_BYTES = 256 * 1024;
    private static final String SUFFIX = ".seg";
    private static final String HEAD = "head";

    /** One record read back. */
    public record Entry(long index, byte[] body) {
    }

    private final Path dir;
    private final long segmentBytes;
    /** base index -> segment file, oldest first. */
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    /** Appends collect here and reach the file when it is full, on a roll and on {@link #sync}. */
    private final ByteBuffer pending = ByteBuffer.allocateDirect(PENDING_BYTES);
    private final CRC32 crc = new CRC32();
    private final ByteBuffer indexBytes = ByteBuffer.allocate(8);
    private FileChannel current;
    private long currentBytes;
    private long nextIndex;
    private long head;
    private long persistedHead = -1;
    private long corruptRecords;
    private long replayed;
    private boolean dirty;

    private SegmentLog(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Opens (creating the directory if needed) and replays the log: {@code replay} receives every
     * record at or above the head, in index order, before this returns.
     *
     * @throws IOException if the directory cannot be created or read (the caller degrades to memory)
     */
    public static SegmentLog open(Path dir, long segmentBytes, BiConsumer<Long, byte[]> replay) throws IOException {
        if (segmentBytes < HEADER_BYTES + 1) {
            throw new IllegalArgumentException("segmentBytes too small: " + segmentBytes);
        }
        Files.createDirectories(dir);
        SegmentLog log = new SegmentLog(dir, segmentBytes);
        log.replay(replay);
        return log;
    }

    private void replay(BiConsumer<Long, byte[]> replay) throws IOException {
        head = readHead();
        persistedHead = head;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                try {
                    segments.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), f);
                } catch (NumberFormatException e) {
                    // not one of ours: leave it alone
                }
            }
        }
        nextIndex = head;
        for (var s : new ArrayList<>(segments.entrySet())) {
            nextIndex = Math.max(nextIndex, s.getKey());
            nextIndex = Math.max(nextIndex, readSegment(s.getValue(), replay) + 1);
        }
    }

    /** Reads one segment; returns the highest index seen in it (or -1). */
    private long readSegment(Path file, BiConsumer<Long, byte[]> replay) throws IOException {
        long highest = -1;
        long good = 0;
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            if (size == 0) {
                return -1;
            }
            ByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            long pos = 0;
            while (pos < size) {
                if (size - pos < HEADER_BYTES) {
                    corruptRecords++;
                    break;
                }
                int length = map.getInt((int) pos);
                int sum = map.getInt((int) pos + 4);
                long index = map.getLong((int) pos + 8);
                if (length < 0 || length > MAX_BODY_BYTES || pos + HEADER_BYTES + length > size || index < 0) {
                    corruptRecords++;
                    break;
                }
                byte[] bytes = new byte[length];
                map.get((int) pos + HEADER_BYTES, bytes);
                if (checksum(index, bytes) != sum || (highest >= 0 && index <= highest)) {
                    corruptRecords++;
                    break;
                }
                highest = index;
                pos += HEADER_BYTES + length;
                good = pos;
                if (index >= head) {
                    replayed++;
                    replay.accept(index, bytes);
                }
            }
        }
        if (good < size) {
            truncate(file, good);
        }
        return highest;
    }

    private static void truncate(Path file, long size) {
        try (FileChannel w = FileChannel.open(file, StandardOpenOption.WRITE)) {
            w.truncate(size);
            w.force(true);
        } catch (IOException e) {
            // read-only: the bad tail stays and is skipped (and counted) again next time
        }
    }

    private static int readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        int total = 0;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private int checksum(long index, byte[] body) {
        crc.reset();
        crc.update(indexBytes.putLong(0, index).array());
        crc.update(body);
        return (int) crc.getValue();
    }

    /** Appends one record (into the page cache: {@link #sync} makes it durable); returns its index. */
    public long append(byte[] body) throws IOException {
        if (body.length > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("record of " + body.length + " bytes exceeds " + MAX_BODY_BYTES);
        }
        if (current == null || currentBytes + HEADER_BYTES + body.length > segmentBytes && currentBytes > 0) {
            roll();
        }
        long index = nextIndex;
        int want = HEADER_BYTES + body.length;
        if (pending.remaining() < want) {
            flushPending();
        }
        if (pending.remaining() >= want) {
            pending.putInt(body.length).putInt(checksum(index, body)).putLong(index).put(body);
        } else {
            ByteBuffer one = ByteBuffer.allocate(want);
            one.putInt(body.length).putInt(checksum(index, body)).putLong(index).put(body).flip();
            while (one.hasRemaining()) {
                current.write(one);
            }
        }
        currentBytes += want;
        nextIndex++;
        dirty = true;
        return index;
    }

    private void flushPending() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        try {
            while (pending.hasRemaining()) {
                current.write(pending);
            }
        } finally {
            pending.clear();
        }
    }

    private void roll() throws IOException {
        if (current != null) {
            flushPending();
            current.force(false);
            current.close();
            current = null;
        }
        Path file = dir.resolve(String.format("%020d%s", nextIndex, SUFFIX));
        current = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        segments.put(nextIndex, file);
        currentBytes = 0;
    }

    /** Every record below {@code newHead} is done (delivered or dropped): not replayed again once synced. */
    public void release(long newHead) {
        if (newHead > head) {
            head = Math.min(newHead, nextIndex);
        }
    }

    /** Forces appended records to the device, then records the head and deletes segments wholly below it. */
    public void sync() throws IOException {
        if (dirty && current != null) {
            flushPending();
            current.force(false);
            dirty = false;
        }
        if (head != persistedHead) {
            writeHead(head);
            persistedHead = head;
            deleteReleasedSegments();
        }
    }

    /** Appended but not yet synced. */
    public boolean dirty() {
        return dirty;
    }

    private void deleteReleasedSegments() throws IOException {
        while (segments.size() > 1) {
            var first = segments.firstEntry();
            Long nextBase = segments.higherKey(first.getKey());
            if (nextBase == null || nextBase > head) {
                return;
            }
            Files.deleteIfExists(first.getValue());
            segments.remove(first.getKey());
        }
    }

    private long readHead() {
        Path f = dir.resolve(HEAD);
        try {
            if (!Files.exists(f) || Files.size(f) != 12) {
                return 0;
            }
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
            long h = b.getLong();
            int sum = b.getInt();
            return checksum(h, new byte[0]) == sum && h >= 0 ? h : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private void writeHead(long h) throws IOException {
        Path tmp = dir.resolve(HEAD + ".tmp");
        ByteBuffer b = ByteBuffer.allocate(12).putLong(h).putInt(checksum(h, new byte[0]));
        b.flip();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        }
        Files.move(tmp, dir.resolve(HEAD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Records skipped on replay because they were torn or failed their checksum (with the rest of their segment). */
    public long corruptRecords() {
        return corruptRecords;
    }

    /** Records replayed by {@link #open}. */
    public long replayed() {
        return replayed;
    }

    /** The index the next append gets. */
    public long nextIndex() {
        return nextIndex;
    }

    public long head() {
        return head;
    }

    /** Segment files on disk (for tests and diagnostics). */
    public List<Path> segmentFiles() {
        return List.copyOf(segments.values());
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        try {
            sync();
        } finally {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
