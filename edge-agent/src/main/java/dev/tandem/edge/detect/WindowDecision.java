package dev.tandem.edge.detect;

import dev.tandem.shared.policy.Decision;
import dev.tandem.shared.wire.Alarm;

/**
 * The final outcome of one scored window, for in-process observers (the demo and the evaluation
 * compare it with the simulator's ground truth). Delivered once per window, on the agent's event
 * loop, when the decision is final: at once for NORMAL and ANOMALY, on the verdict or the timeout
 * for UNCERTAIN. Built through the factory of its kind ({@link #normal}, {@link #edgeAnomaly},
 * {@link #coveredByVerdict}, {@link #answeredByVerdict}, {@link #verdictTimedOut}).
 *
 * @param windowId        sequence number of the window's newest sample
 * @param ts              timestamp of that sample (epoch millis)
 * @param score           the tiny model's calibrated score (1.0 = the edge's threshold)
 * @param edgeDecision    what the escalation policy said
 * @param edgeSaysAnomaly the edge's own call ({@code score >= threshold}), used when no verdict arrives
 * @param finalAnomaly    whether the window ends up as an anomaly
 * @param decidedBy       who decided an anomaly (null when the window is normal)
 * @param verdictTimedOut an escalated window whose verdict did not come in time
 * @param escalated       the window was sent to the hub
 */
public record WindowDecision(String site, String device, long windowId, long ts, double score, Decision edgeDecision,
                             boolean edgeSaysAnomaly, boolean finalAnomaly, Alarm.Source decidedBy,
                             boolean verdictTimedOut, boolean escalated) {

    /** The policy said NORMAL: final at once, no alarm. */
    public static WindowDecision normal(String site, String device, long windowId, long ts, double score,
                                        boolean edgeSaysAnomaly) {
        return new WindowDecision(site, device, windowId, ts, score, Decision.NORMAL, edgeSaysAnomaly, false, null,
                false, false);
    }

    /** The policy said ANOMALY: the edge raised the alarm at once, nothing went to the hub. */
    public static WindowDecision edgeAnomaly(String site, String device, long windowId, long ts, double score,
                                             boolean edgeSaysAnomaly) {
        return new WindowDecision(site, device, windowId, ts, score, Decision.ANOMALY, edgeSaysAnomaly, true,
                Alarm.Source.EDGE, false, false);
    }

    /** UNCERTAIN, overlapping a window the hub has just judged: takes that verdict without an escalation. */
    public static WindowDecision coveredByVerdict(String site, String device, long windowId, long ts, double score,
                                                  boolean edgeSaysAnomaly, boolean hubSaysAnomaly) {
        return new WindowDecision(site, device, windowId, ts, score, Decision.UNCERTAIN, edgeSaysAnomaly,
                hubSaysAnomaly, hubSaysAnomaly ? Alarm.Source.HUB : null, false, false);
    }

    /** UNCERTAIN, escalated, and the hub's verdict came in time: it decides. */
    public static WindowDecision answeredByVerdict(String site, String device, long windowId, long ts, double score,
                                                   boolean edgeSaysAnomaly, boolean hubSaysAnomaly) {
        return new WindowDecision(site, device, windowId, ts, score, Decision.UNCERTAIN, edgeSaysAnomaly,
                hubSaysAnomaly, hubSaysAnomaly ? Alarm.Source.HUB : null, false, true);
    }

    /** UNCERTAIN, escalated, and no verdict in time: the edge's own call stands. */
    public static WindowDecision verdictTimedOut(String site, String device, long windowId, long ts, double score,
                                                 boolean edgeSaysAnomaly) {
        return new WindowDecision(site, device, windowId, ts, score, Decision.UNCERTAIN, edgeSaysAnomaly,
                edgeSaysAnomaly, edgeSaysAnomaly ? Alarm.Source.EDGE_TIMEOUT : null, true, true);
    }
}
