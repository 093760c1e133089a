package dev.tandem.hub;

import dev.tandem.hub.large.LargeModelConfig;
import dev.tandem.hub.tiny.TinyFitConfig;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Settings of one hub instance. Invalid values are refused with {@link ErrorCode#INVALID_CONFIG}.
 *
 * @param broker             where the MQTT broker listens
 * @param instanceId         unique per running instance (the MQTT client id is {@code tandem-hub-<instanceId>})
 * @param batchMax           most escalations scored together (1..4096; default 64)
 * @param batchLinger        how long the verdict worker waits for more escalations once it has one (0..1 s; default 2 ms)
 * @param tinyFit            how the devices' tiny models are fitted
 * @param large              how the devices' large models are trained
 * @param dataDir            where commissioning sets are kept so that a restarted hub refits its devices; null: not kept
 * @param sharedSubscription consume escalations through {@code $share/hub/...} so that instances split them
 *                           (default true); false: the plain topic (one hub, or a broker whose shared subscriptions are slow)
 * @param fitThreads         model fits running at once (1..16; default: one core left free for verdicts, at most 2)
 * @param connectTimeout     how long {@link CloudHub#start} waits for the broker before going on retrying in the background
 */
public record HubConfig(BrokerAddress broker, String instanceId, int batchMax, Duration batchLinger,
                        TinyFitConfig tinyFit, LargeModelConfig large, Path dataDir, boolean sharedSubscription,
                        int fitThreads, Duration connectTimeout) {
    public static final int DEFAULT_BATCH_MAX = 64;
    public static final Duration DEFAULT_BATCH_LINGER = Duration.ofMillis(2);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,48}");

    public HubConfig {
        if (broker == null) {
            throw invalid("broker is required");
        }
        if (instanceId == null || !ID.matcher(instanceId).matches()) {
            throw invalid("instanceId must match [A-Za-z0-9_.-]{1,48}, got '" + instanceId + "'");
        }
        if (batchMax < 1 || batchMax > 4096) {
            throw invalid("batchMax must be 1..4096, got " + batchMax);
        }
        if (batchLinger == null || batchLinger.isNegative() || batchLinger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw invalid("batchLinger must be 0..1s, got " + batchLinger);
        }
        if (tinyFit == null) {
            throw invalid("tinyFit config is required");
        }
        if (large == null) {
            throw invalid("large model config is required");
        }
        if (fitThreads < 1 || fitThreads > 16) {
            throw invalid("fitThreads must be 1..16, got " + fitThreads);
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
                || connectTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw invalid("connectTimeout must be > 0 and <= 5 min, got " + connectTimeout);
        }
    }

    /** The settings named in the design; fit threads and connect timeout take their defaults. */
    public HubConfig(BrokerAddress broker, String instanceId, int batchMax, Duration batchLinger, TinyFitConfig tinyFit,
                     LargeModelConfig large, Path dataDir, boolean sharedSubscription) {
        this(broker, instanceId, batchMax, batchLinger, tinyFit, large, dataDir, sharedSubscription, defaultFitThreads(),
                DEFAULT_CONNECT_TIMEOUT);
    }

    /** Every default, a random instance id, no data directory. */
    public static HubConfig defaults(BrokerAddress broker) {
        return new HubConfig(broker, randomInstanceId(), DEFAULT_BATCH_MAX, DEFAULT_BATCH_LINGER,
                TinyFitConfig.defaults(), LargeModelConfig.defaults(), null, true, defaultFitThreads(),
                DEFAULT_CONNECT_TIMEOUT);
    }

    /** At most 2, and one core left for the verdict worker. */
    public static int defaultFitThreads() {
        return Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() - 1));
    }

    public static String randomInstanceId() {
        byte[] b = new byte[4];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public HubConfig withInstanceId(String id) {
        return new HubConfig(broker, id, batchMax, batchLinger, tinyFit, large, dataDir, sharedSubscription, fitThreads, connectTimeout);
    }

    public HubConfig withBatching(int max, Duration linger) {
        return new HubConfig(broker, instanceId, max, linger, tinyFit, large, dataDir, sharedSubscription, fitThreads, connectTimeout);
    }

    public HubConfig withTinyFit(TinyFitConfig c) {
        return new HubConfig(broker, instanceId, batchMax, batchLinger, c, large, dataDir, sharedSubscription, fitThreads, connectTimeout);
    }

    public HubConfig withLarge(LargeModelConfig c) {
        return new HubConfig(broker, instanceId, batchMax, batchLinger, tinyFit, c, dataDir, sharedSubscription, fitThreads, connectTimeout);
    }

    public HubConfig withDataDir(Path dir) {
        return new HubConfig(broker, instanceId, batchMax, batchLinger, tinyFit, large, dir, sharedSubscription, fitThreads, connectTimeout);
    }

    public HubConfig withSharedSubscription(boolean shared) {
        return new HubConfig(broker, instanceId, batchMax, batchLinger, tinyFit, large, dataDir, shared, fitThreads, connectTimeout);
    }

    public HubConfig withFitThreads(int n) {
        return new HubConfig(broker, instanceId, batchMax, batchLinger, tinyFit, large, dataDir, sharedSubscription, n, connectTimeout);
    }

    public HubConfig withConnectTimeout(Duration t) {
        return new HubConfig(broker, instanceId, batchMax, batchLinger, tinyFit, large, dataDir, sharedSubscription, fitThreads, t);
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, "hub config: " + message);
    }
}
