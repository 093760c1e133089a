package dev.tandem.edge.detect;

import dev.tandem.shared.policy.Decision;
import dev.tandem.shared.wire.Alarm;

/**
 * The final outcome of one scored window, for in-process observers (the demo and the evaluation
 * compare it with the simulator's ground truth). Delivered once per window, on the agent's event
 * loop, when the decision is final: at once for NORMAL and ANOMALY, on the verdict or the timeout
 * for UNCERTAIN.
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
}
