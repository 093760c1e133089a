package dev.tandem.edge.delivery;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Limits;

import java.time.Duration;

/**
 * How a device fetches the artifacts of its assignments from the hub, in chunks over MQTT.
 *
 * @param chunkBytes       bytes asked for per request (default 16 KiB; at most {@link Limits#MAX_CHUNK_BYTES})
 * @param maxArtifactBytes the largest artifact taken: a manifest signing a larger size is refused
 *                         {@code ARTIFACT_TOO_LARGE} before any byte is fetched (default {@link Limits#MAX_ARTIFACT_BYTES})
 * @param requestTimeout   how long a request waits for its chunk before it is sent again (the wait doubles per
 *                         attempt without progress, up to 8x; default 2 s)
 * @param maxAttempts      requests sent for one chunk without getting it (timed out, refused or corrupted) before the
 *                         device gives up: FAILED {@code DOWNLOAD_FAILED}, or the hub's refusal code (default 6)
 */
public record DeliverySettings(int chunkBytes, int maxArtifactBytes, Duration requestTimeout, int maxAttempts) {
    public static final int DEFAULT_CHUNK_BYTES = 16 * 1024;

    public DeliverySettings {
        if (chunkBytes < 1 || chunkBytes > Limits.MAX_CHUNK_BYTES) {
            throw invalid("chunkBytes must be 1.." + Limits.MAX_CHUNK_BYTES + ", got " + chunkBytes);
        }
        if (maxArtifactBytes < 1 || maxArtifactBytes > Limits.MAX_ARTIFACT_BYTES) {
            throw invalid("maxArtifactBytes must be 1.." + Limits.MAX_ARTIFACT_BYTES + ", got " + maxArtifactBytes);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()
                || requestTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw invalid("requestTimeout must be in (0, 5 min], got " + requestTimeout);
        }
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw invalid("maxAttempts must be 1..1000, got " + maxAttempts);
        }
    }

    public static DeliverySettings defaults() {
        return new DeliverySettings(DEFAULT_CHUNK_BYTES, Limits.MAX_ARTIFACT_BYTES, Duration.ofSeconds(2), 6);
    }

    public DeliverySettings withChunkBytes(int bytes) {
        return new DeliverySettings(bytes, maxArtifactBytes, requestTimeout, maxAttempts);
    }

    public DeliverySettings withMaxArtifactBytes(int bytes) {
        return new DeliverySettings(chunkBytes, bytes, requestTimeout, maxAttempts);
    }

    public DeliverySettings withRetry(Duration timeout, int attempts) {
        return new DeliverySettings(chunkBytes, maxArtifactBytes, timeout, attempts);
    }

    private static TandemException invalid(String m) {
        return new TandemException(ErrorCode.INVALID_CONFIG, m);
    }
}
