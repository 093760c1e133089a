package dev.tandem.sim.score;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tandem.sim.factory.TruthEvent;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the NAB score plugs into {@code ./tandem score}: {@link NabTruthScore#SCORER} adapts the
 * evaluation's one NAB scorer ({@code dev.tandem.sim.eval.nab.NabScorer}) to ground-truth windows and
 * alarms; {@link #NONE} reports no NAB score.
 */
@FunctionalInterface
public interface NabHook {
    /** No NAB scorer: the report says so. */
    NabHook NONE = (truth, alarms) -> Optional.empty();

    /**
     * A NAB score of a set of alarms.
     *
     * @param profiles   per NAB profile (standard first) the corpus score normalised 100 (raw - null) / (perfect - null)
     * @param raw        per profile the raw sum of the devices' scores
     * @param devices    devices scored (those with an observed span in the truth)
     * @param windows    scored windows; {@code detectedWindows} of them with an alarm onset inside
     * @param onsets     alarm onsets scored (after each device's commissioning); {@code falsePositiveOnsets} outside every window
     * @param rowsFrom   how alarms were put on rows: {@code rows} (the truth's and the alarms' row numbers),
     *                   {@code interpolated} (times between the truth's rows, for alarms without one), or
     *                   {@code seconds} (the truth has no rows: one row a second from each device's first observed time)
     * @param ignoredAlarms alarm onsets of devices not in the truth, or outside a device's observed rows
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Score(Map<String, Double> profiles, Map<String, Double> raw, int devices, int windows, int detectedWindows,
                 long onsets, long falsePositiveOnsets, String rowsFrom, long ignoredAlarms) {
        /** The standard profile's normalised score. */
        public double standard() {
            return profiles.values().iterator().next();
        }
    }

    /** The NAB score of {@code alarms} (their onsets) against the fault windows of {@code truth}; empty when none can be given. */
    Optional<Score> score(List<TruthEvent> truth, List<AlarmLine> alarms);
}
