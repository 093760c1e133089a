package dev.tandem.sim.demo;

import java.util.Map;

/**
 * The demo's final summary ({@code --report FILE} writes it as JSON). Precision and recall are the
 * collaborative (final) decisions against the simulator's ground truth; {@code edgeOnly} holds what
 * the tiny models alone would have decided on the same windows. Alarms are episodes: {@code onsets}
 * raised, {@code clears} and {@code rebaselines} that ended one (the rest still held at the end).
 * {@code escalations} include {@code reviews} (a window of an alarm held long enough, escalated for
 * the hub's re-baselining to see); {@code verdicts} answer the others, {@code reviewVerdicts} the reviews.
 * {@code scriptedFault} is the one fault the demo scripts on a known device, and when it was seen;
 * {@code rollout} the demo's rollout of a re-fitted model, wave by wave (null: none was started).
 */
public record DemoReport(String broker, int devices, double durationSeconds, long readings, long windows,
                         long onsets, long clears, long rebaselines, long escalations, long reviews, long verdicts,
                         long reviewVerdicts, long verdictTimeouts, long modelsDelivered,
                         double escalationRate, double precision, double recall, double f1, double far,
                         Quality edgeOnly, Escalated escalated, long hubBatches, double hubMeanBatchSize,
                         Map<String, Long> errors, ScriptedFault scriptedFault,
                         dev.tandem.sim.rollout.RolloutOutcome rollout) {

    /**
     * The fault the demo scripts: on {@code device}, from {@code startTs} (epoch ms, the stamp of its first
     * reading); {@code alarmAfterSeconds} from there to the first window the fleet decided anomalous on that
     * device (sample time), or null when none came (or the demo stopped before the fault began).
     */
    public record ScriptedFault(String device, String fault, long startTs, Double alarmAfterSeconds) {
    }

    /**
     * The escalated windows answered in time, where the hub's verdict replaced the edge's own call:
     * how many each would have got right against the ground truth.
     */
    public record Escalated(long answered, long hubRight, long edgeRight) {
    }

    /** Detection quality of one decision rule. */
    public record Quality(double precision, double recall, double f1, double far) {
    }
}
