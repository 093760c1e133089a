package dev.tandem.sim.cli;

import dev.tandem.hub.rebaseline.RebaselineSettings;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * When the hub re-baselines a device whose alarm holds: the same two options, with the same defaults,
 * on {@code ./tandem hub} and on {@code ./tandem eval} (whose cloud and collaborative modes run the
 * hub's re-baselining).
 */
final class RebaselineOptions {
    @Option(names = "--rebaseline-after", paramLabel = "SECONDS",
            description = "Re-baseline a device whose alarm has held this long (sample time) once its recent readings "
                    + "are judged a steady state (default: ${DEFAULT-VALUE}).")
    long afterSeconds = RebaselineSettings.DEFAULT_HELD_FOR.toSeconds();

    @Option(names = "--rebaseline-samples", paramLabel = "N",
            description = "Recent readings a re-baseline is fitted on; 0: never re-baseline (default: ${DEFAULT-VALUE}).")
    int samples = RebaselineSettings.DEFAULT_SAMPLES;

    /** The settings (ranges are checked by {@link NumericOptions} and by the record). */
    RebaselineSettings settings() {
        return new RebaselineSettings(Duration.ofSeconds(afterSeconds), samples,
                RebaselineSettings.DEFAULT_MAX_ANOMALOUS_SHARE);
    }
}
