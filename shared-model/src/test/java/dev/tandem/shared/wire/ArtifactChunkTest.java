package dev.tandem.shared.wire;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArtifactChunkTest {
    private static final byte[] ARTIFACT = new byte[1000];
    private static final String SHA;

    static {
        for (int i = 0; i < ARTIFACT.length; i++) {
            ARTIFACT[i] = (byte) (i * 31);
        }
        SHA = Hashing.sha256Hex(ARTIFACT);
    }

    private static ErrorCode code(Runnable r) {
        return assertThrows(TandemException.class, r::run).code();
    }

    @Test
    void chunks_roundTripBinary_andReassembleTheArtifact() {
        byte[] out = new byte[ARTIFACT.length];
        long offset = 0;
        int chunks = 0;
        while (offset < ARTIFACT.length) {
            byte[] frame = ArtifactChunk.answer(ArtifactFetch.of("s", "d", SHA, offset, 300), ARTIFACT, 256).encode();
            ArtifactChunk c = ArtifactChunk.decode(frame);
            c.verify();
            assertEquals(SHA, c.sha256());
            assertEquals(ARTIFACT.length, c.totalBytes());
            assertEquals(offset, c.offset());
            assertEquals(ArtifactChunk.HEADER_BYTES + c.bytes().length, frame.length, "a fixed header, then the bytes");
            System.arraycopy(c.bytes(), 0, out, (int) offset, c.bytes().length);
            offset += c.bytes().length;
            chunks++;
        }
        assertEquals(4, chunks, "256-byte chunks (the hub's limit below the 300 asked)");
        assertArrayEquals(ARTIFACT, out);
    }

    @Test
    void aCorruptedChunk_failsItsHash_andARefusalCarriesItsCode() {
        ArtifactChunk c = ArtifactChunk.of(SHA, ARTIFACT, 0, 100);
        ArtifactChunk bad = ArtifactChunk.decode(c.corrupted().encode());
        assertEquals(ErrorCode.ARTIFACT_HASH_MISMATCH, code(bad::verify));

        ArtifactChunk refused = ArtifactChunk.decode(ArtifactChunk.refusal(SHA, ErrorCode.ARTIFACT_NOT_ASSIGNED).encode());
        assertTrue(refused.isRefusal());
        assertEquals(ErrorCode.ARTIFACT_NOT_ASSIGNED, refused.refused());
        assertEquals(ErrorCode.INVALID_FIELD,
                ArtifactChunk.answer(ArtifactFetch.of("s", "d", SHA, 1000, 10), ARTIFACT, 256).refused(), "past its end");
    }

    @Test
    void badFrames_areRefusedByCode_beforeAnythingIsSizedFromThem() {
        byte[] good = ArtifactChunk.of(SHA, ARTIFACT, 0, 100).encode();
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, code(() -> ArtifactChunk.decode(Arrays.copyOf(good, 40))));
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, code(() -> ArtifactChunk.decode(Arrays.copyOf(good, good.length - 1))));
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, code(() -> ArtifactChunk.decode(magic)));
        byte[] version = good.clone();
        version[2] = 9;
        assertEquals(ErrorCode.UNKNOWN_SCHEMA_VERSION, code(() -> ArtifactChunk.decode(version)));
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).putLong(44, 1L << 40); // total size past the artifact limit
        assertEquals(ErrorCode.INVALID_FIELD, code(() -> ArtifactChunk.decode(huge)));
        byte[] past = good.clone();
        ByteBuffer.wrap(past).putLong(36, 950); // 100 bytes from 950 of 1000
        assertEquals(ErrorCode.INVALID_FIELD, code(() -> ArtifactChunk.decode(past)));
        assertEquals(ErrorCode.OVERSIZED_PAYLOAD,
                code(() -> ArtifactChunk.decode(new byte[ArtifactChunk.HEADER_BYTES + Limits.MAX_CHUNK_BYTES + 1])));
    }

    @Test
    void fetchRequests_areBounded() {
        assertEquals(ErrorCode.INVALID_FIELD, code(() -> ArtifactFetch.of("s", "d", "abc", 0, 10)));
        assertEquals(ErrorCode.INVALID_FIELD, code(() -> ArtifactFetch.of("s", "d", SHA, -1, 10)));
        assertEquals(ErrorCode.INVALID_FIELD, code(() -> ArtifactFetch.of("s", "d", SHA, 0, Limits.MAX_CHUNK_BYTES + 1)));
        ArtifactFetch f = Wire.decode(Wire.encode(ArtifactFetch.of("s", "d", SHA.toUpperCase(), 5, 10)), ArtifactFetch.class);
        assertEquals(SHA, f.sha256());
    }
}
