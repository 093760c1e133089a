package dev.tandem.shared.wire;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One piece of an artifact, as the hub sends it on a device's {@code model/chunk} topic: binary, not
 * JSON, a fixed header of {@value #HEADER_BYTES} bytes (big-endian) and then the bytes:
 *
 * <pre>
 *  0  2  magic "TC"
 *  2  1  format version (1)
 *  3  1  status: 0 data, 1 refused (the bytes are then the stable error code's name, ASCII)
 *  4 32  the artifact's sha256 (as the signed manifest names it)
 * 36  8  offset of these bytes in the artifact
 * 44  8  the artifact's total size (0 in a refusal)
 * 52 32  sha256 of these bytes
 * 84  4  length of these bytes (at most {@link Limits#MAX_CHUNK_BYTES})
 * 88     the bytes
 * </pre>
 *
 * {@link #decode} checks the frame (MALFORMED_PAYLOAD, UNKNOWN_SCHEMA_VERSION, INVALID_FIELD: every
 * size bounded before anything is allocated); {@link #verify} checks the bytes against their hash
 * (ARTIFACT_HASH_MISMATCH). The whole artifact is checked against the signed manifest once complete.
 *
 * @param refused null for data, else why the hub refused the request
 */
public record ArtifactChunk(String sha256, long offset, long totalBytes, byte[] chunkSha256, byte[] bytes,
                            ErrorCode refused) {
    public static final int HEADER_BYTES = 88;
    public static final int FORMAT = 1;
    private static final byte M0 = 'T';
    private static final byte M1 = 'C';

    /** A data chunk of {@code artifact}: {@code length} bytes from {@code offset} (clipped to its end). */
    public static ArtifactChunk of(String sha256, byte[] artifact, long offset, int length) {
        if (offset < 0 || offset >= artifact.length || length < 1) {
            throw TandemException.invalid("no bytes at offset " + offset + " of an artifact of " + artifact.length);
        }
        int n = (int) Math.min(Math.min(length, Limits.MAX_CHUNK_BYTES), artifact.length - offset);
        byte[] bytes = Arrays.copyOfRange(artifact, (int) offset, (int) offset + n);
        return new ArtifactChunk(sha256, offset, artifact.length, digest(bytes), bytes, null);
    }

    /** The answer to {@code request} from an artifact the hub holds: the piece asked for, or a refusal past its end. */
    public static ArtifactChunk answer(ArtifactFetch request, byte[] artifact, int maxChunkBytes) {
        if (request.offset() >= artifact.length) {
            return refusal(request.sha256(), ErrorCode.INVALID_FIELD);
        }
        return of(request.sha256(), artifact, request.offset(), Math.min(request.length(), maxChunkBytes));
    }

    public static ArtifactChunk refusal(String sha256, ErrorCode code) {
        byte[] bytes = code.name().getBytes(StandardCharsets.US_ASCII);
        return new ArtifactChunk(sha256, 0, 0, digest(bytes), bytes, code);
    }

    public boolean isRefusal() {
        return refused != null;
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + bytes.length);
        b.put(M0).put(M1).put((byte) FORMAT).put((byte) (refused == null ? 0 : 1));
        b.put(HexFormat.of().parseHex(sha256));
        b.putLong(offset).putLong(totalBytes);
        b.put(chunkSha256);
        b.putInt(bytes.length);
        b.put(bytes);
        return b.array();
    }

    /** Decodes a frame (the hash of the bytes is checked by {@link #verify}). */
    public static ArtifactChunk decode(byte[] payload) {
        if (payload == null || payload.length < HEADER_BYTES) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, "ArtifactChunk: " + (payload == null ? 0 : payload.length)
                    + " bytes, shorter than its " + HEADER_BYTES + "-byte header");
        }
        if (payload.length > HEADER_BYTES + Limits.MAX_CHUNK_BYTES) {
            throw new TandemException(ErrorCode.OVERSIZED_PAYLOAD, "ArtifactChunk: " + payload.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        if (b.get() != M0 || b.get() != M1) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, "ArtifactChunk: no 'TC' magic");
        }
        int format = b.get();
        Checks.version("ArtifactChunk", format, FORMAT);
        int status = b.get();
        if (status != 0 && status != 1) {
            throw TandemException.invalid("ArtifactChunk: unknown status " + status);
        }
        byte[] sha = new byte[32];
        b.get(sha);
        long offset = b.getLong();
        long total = b.getLong();
        byte[] chunkSha = new byte[32];
        b.get(chunkSha);
        int length = b.getInt();
        if (length != payload.length - HEADER_BYTES) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, "ArtifactChunk: header says " + length
                    + " bytes, " + (payload.length - HEADER_BYTES) + " follow");
        }
        byte[] bytes = Arrays.copyOfRange(payload, HEADER_BYTES, payload.length);
        String hex = HexFormat.of().formatHex(sha);
        if (status == 1) {
            ErrorCode code;
            try {
                code = ErrorCode.valueOf(new String(bytes, StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                code = ErrorCode.ARTIFACT_NOT_ASSIGNED; // a code of a later release: still a refusal
            }
            return new ArtifactChunk(hex, 0, 0, chunkSha, bytes, code);
        }
        if (total < 1 || total > Limits.MAX_ARTIFACT_BYTES || offset < 0 || length < 1 || offset + length > total) {
            throw TandemException.invalid("ArtifactChunk: bytes [" + offset + ", " + (offset + length)
                    + ") outside an artifact of " + total + " bytes (at most " + Limits.MAX_ARTIFACT_BYTES + ")");
        }
        return new ArtifactChunk(hex, offset, total, chunkSha, bytes, null);
    }

    /** Throws ARTIFACT_HASH_MISMATCH unless the bytes hash to the chunk's sha256. */
    public void verify() {
        if (!MessageDigest.isEqual(digest(bytes), chunkSha256)) {
            throw new TandemException(ErrorCode.ARTIFACT_HASH_MISMATCH, "chunk [" + offset + ", "
                    + (offset + bytes.length) + ") of artifact " + sha256 + " does not match its sha256");
        }
    }

    /** This chunk with its bytes altered and its hash kept (what a corrupted transfer looks like; tests). */
    public ArtifactChunk corrupted() {
        byte[] bad = bytes.clone();
        bad[0] ^= 0x5a;
        return new ArtifactChunk(sha256, offset, totalBytes, chunkSha256, bad, refused);
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
