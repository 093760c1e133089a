package dev.tandem.edge.uplink;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A power cut at any offset, or any garbage on disk: the replay is a prefix of what was written, never an exception. */
class SegmentLogProperties {

    private static Path tempDir() throws IOException {
        return Files.createTempDirectory("segment-log-prop");
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 200)
    void aSegmentCutOrCorruptedAnywhere_replaysAPrefix_andCountsTheDamage(
            @ForAll @IntRange(min = 1, max = 60) int records, @ForAll long random) throws IOException {
        Path dir = tempDir();
        try {
            List<String> written = new ArrayList<>();
            try (SegmentLog log = SegmentLog.open(dir, 1 << 20, (i, b) -> { })) {
                for (int i = 0; i < records; i++) {
                    String m = "record-" + i + "-" + "x".repeat(i % 7);
                    log.append(m.getBytes(StandardCharsets.UTF_8));
                    written.add(m);
                }
            }
            Path segment;
            try (Stream<Path> s = Files.list(dir)) {
                segment = s.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(segment);
            Random r = new Random(random);
            if (r.nextBoolean()) {
                bytes = java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length)); // a torn write
            } else {
                bytes[r.nextInt(bytes.length)] ^= (byte) (1 + r.nextInt(255)); // a bad sector
            }
            Files.write(segment, bytes);
            List<String> replayed = new ArrayList<>();
            try (SegmentLog log = SegmentLog.open(dir, 1 << 20, (i, b) -> replayed.add(new String(b, StandardCharsets.UTF_8)))) {
                assertEquals(written.subList(0, replayed.size()), replayed, "a prefix of what was written");
                long good = replayed.stream().mapToLong(m -> SegmentLog.HEADER_BYTES
                        + m.getBytes(StandardCharsets.UTF_8).length).sum();
                // nothing counted only when every byte left was good records (a cut between two records)
                assertEquals(bytes.length > good ? 1 : 0, log.corruptRecords(), "damage counted once");
                assertEquals(good, Files.size(segment), "the damaged tail is cut off");
            }
        } finally {
            delete(dir);
        }
    }

    @Property(tries = 300)
    void anyBytesOnDisk_neverThrowOnReplay(@ForAll @Size(max = 4096) byte[] garbage) throws IOException {
        Path dir = tempDir();
        try {
            Files.write(dir.resolve(String.format("%020d.seg", 0)), garbage);
            try (SegmentLog log = SegmentLog.open(dir, 1 << 20, (i, b) -> { })) {
                assertTrue(log.corruptRecords() <= 1);
                assertTrue(log.nextIndex() >= 0);
            }
        } finally {
            delete(dir);
        }
    }

    @Property(tries = 500)
    void anyRecordBody_decodesToAMessageOrNull(@ForAll @Size(max = 512) byte[] body) {
        Outbox.Message m = Outbox.decode(body);
        if (m != null) {
            assertTrue(m.topic().length() > 0);
        }
    }
}
