package dev.tandem.sim.demo;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@code ./tandem demo} runs: {@code broker} null means the embedded broker;
 * {@code duration} zero means until Ctrl-C; {@code report} null means no JSON file.
 */
public record DemoConfig(int devices, Duration duration, BrokerAddress broker, long seed, Path report,
                         double ratePerDevice, int commissioningSamples, Duration statusInterval, String site,
                         Duration verdictTimeout) {
    public DemoConfig {
        if (devices < 1 || devices > 500) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--devices must be 1..500, got " + devices);
        }
        if (duration == null || duration.isNegative()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--duration must be >= 0 seconds");
        }
        if (!(ratePerDevice > 0) || ratePerDevice > 10_000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--rate must be in (0, 10000] samples/s per device, got " + ratePerDevice);
        }
        if (commissioningSamples < 50 || commissioningSamples > 5_000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--commissioning must be 50..5000 samples, got " + commissioningSamples);
        }
        if (statusInterval == null || statusInterval.toMillis() < 100) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--status-every must be >= 0.1 s");
        }
        if (verdictTimeout == null || verdictTimeout.toMillis() < 10) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--verdict-timeout must be >= 10 ms");
        }
        try {
            Checks.id("site", site);
        } catch (TandemException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--site: " + e.getMessage());
        }
    }
}
