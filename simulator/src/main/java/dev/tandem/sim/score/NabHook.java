package dev.tandem.sim.score;

import dev.tandem.sim.factory.TruthEvent;

import java.util.List;
import java.util.OptionalDouble;

/**
 * Where the NAB score plugs into {@code ./tandem score}: the NAB scorer is written once, in the
 * evaluation (issue 12, {@code dev.tandem.sim.eval}); an implementation adapting it to ground-truth
 * windows and alarm times goes here. Until then {@link #NONE} reports no NAB score.
 */
@FunctionalInterface
public interface NabHook {
    /** No NAB scorer: the report says so. */
    NabHook NONE = (truth, alarms) -> OptionalDouble.empty();

    /** The NAB score (standard profile) of {@code alarms} against the fault windows of {@code truth}. */
    OptionalDouble score(List<TruthEvent> truth, List<AlarmLine> alarms);
}
