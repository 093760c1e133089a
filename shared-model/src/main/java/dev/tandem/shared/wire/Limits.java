package dev.tandem.shared.wire;

/**
 * The documented upper bounds of every count and size a message may carry, checked when the
 * message is decoded (before anything is sized from it). A message past one is refused with
 * {@link dev.tandem.shared.error.ErrorCode#INVALID_FIELD}; a payload past its byte limit earlier,
 * with {@code OVERSIZED_PAYLOAD}.
 */
public final class Limits {
    /** Channels per sample. */
    public static final int MAX_CHANNELS = 64;
    /** Samples in one reading batch. */
    public static final int MAX_BATCH_SAMPLES = 10_000;
    /** Samples in a commissioning set (what the hub fits on). */
    public static final int MAX_COMMISSIONING_SAMPLES = 5_000;
    /** History a model may read per verdict (an escalation's {@code contextSize}). */
    public static final int MAX_CONTEXT_SIZE = 4_096;
    /** Bytes of a model artifact. */
    public static final int MAX_ARTIFACT_BYTES = 512 * 1024;
    /** Bytes of one piece of an artifact fetched in chunks ({@link ArtifactChunk}). */
    public static final int MAX_CHUNK_BYTES = 64 * 1024;

    private Limits() {
    }
}
