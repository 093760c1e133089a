package dev.tandem.edge.uplink;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentLogTest {
    @TempDir
    Path dir;

    private final List<String> replayed = new ArrayList<>();

    private SegmentLog open(long segmentBytes) throws IOException {
        replayed.clear();
        return SegmentLog.open(dir, segmentBytes, (i, b) -> replayed.add(i + ":" + new String(b, StandardCharsets.UTF_8)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void open_afterAppends_replaysEveryRecordInOrder_acrossSegments() throws IOException {
        try (SegmentLog log = open(64)) {
            for (int i = 0; i < 20; i++) {
                assertEquals(i, log.append(utf8("m" + i)));
            }
            assertTrue(log.segmentFiles().size() > 3, "small segments roll: " + log.segmentFiles());
        }
        try (SegmentLog log = open(64)) {
            assertEquals(20, replayed.size());
            assertEquals("0:m0", replayed.get(0));
            assertEquals("19:m19", replayed.get(19));
            assertEquals(20, log.nextIndex());
            assertEquals(20, log.append(utf8("next")), "indexes go on after a replay");
            assertEquals(0, log.corruptRecords());
        }
    }

    @Test
    void release_thenSync_replaysOnlyWhatIsNotDone_andDeletesReleasedSegments() throws IOException {
        try (SegmentLog log = open(64)) {
            for (int i = 0; i < 20; i++) {
                log.append(utf8("m" + i));
            }
            int before = log.segmentFiles().size();
            log.release(15);
            log.sync();
            assertTrue(log.segmentFiles().size() < before, "segments wholly below the head are deleted");
        }
        try (SegmentLog log = open(64)) {
            assertEquals(List.of("15:m15", "16:m16", "17:m17", "18:m18", "19:m19"), replayed);
        }
    }

    @Test
    void open_withATornTailRecord_skipsAndCountsIt_keepsTheRest() throws IOException {
        Path segment;
        try (SegmentLog log = open(1 << 20)) {
            for (int i = 0; i < 5; i++) {
                log.append(utf8("record-" + i));
            }
            segment = log.segmentFiles().get(0);
        }
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(f.length() - 3); // a power cut in the middle of the last write
        }
        try (SegmentLog log = open(1 << 20)) {
            assertEquals(4, replayed.size());
            assertEquals("3:record-3", replayed.get(3));
            assertEquals(1, log.corruptRecords());
            assertEquals(4, log.nextIndex(), "the torn record's index is taken again");
        }
        try (SegmentLog log = open(1 << 20)) {
            assertEquals(0, log.corruptRecords(), "the torn tail was cut off: counted once");
            assertEquals(4, replayed.size());
        }
    }

    @Test
    void open_withAWrongChecksumInTheMiddle_skipsFromThereOn_andReadsLaterSegments() throws IOException {
        List<Path> segments;
        try (SegmentLog log = open(100)) {
            for (int i = 0; i < 12; i++) {
                log.append(utf8("record-" + i));
            }
            segments = log.segmentFiles();
        }
        assertTrue(segments.size() >= 3, "" + segments);
        Path first = segments.get(0);
        byte[] bytes = Files.readAllBytes(first);
        int secondRecord = SegmentLog.HEADER_BYTES + "record-0".length();
        bytes[secondRecord + SegmentLog.HEADER_BYTES + 2] ^= 0x55; // flip bits in the second record's body
        Files.write(first, bytes);
        try (SegmentLog log = open(100)) {
            assertEquals(1, log.corruptRecords());
            assertEquals("0:record-0", replayed.get(0));
            assertTrue(replayed.stream().noneMatch(r -> r.startsWith("1:")), "the corrupt record is skipped: " + replayed);
            assertTrue(replayed.contains("11:record-11"), "later segments are replayed: " + replayed);
        }
    }

    @Test
    void open_withGarbageLengths_neverAllocatesPastTheBound() throws IOException {
        Files.createDirectories(dir);
        byte[] garbage = new byte[64];
        java.util.Arrays.fill(garbage, (byte) 0x7f); // length 0x7f7f7f7f
        Files.write(dir.resolve("00000000000000000000.seg"), garbage);
        try (SegmentLog log = open(1 << 20)) {
            assertEquals(1, log.corruptRecords());
            assertTrue(replayed.isEmpty());
        }
    }
}
