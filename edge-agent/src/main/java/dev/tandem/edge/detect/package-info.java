/**
 * Per-device detection: sliding window, tiny-model scoring, escalation to the hub, verdicts and
 * timeouts; the timeouts run on {@link dev.tandem.edge.detect.Timers} (Vert.x in the agent, a
 * manual clock in the evaluation and tests), so detection itself needs no Vert.x.
 */
package dev.tandem.edge.detect;
