/**
 * Fleet model rollouts as data (no wiring yet): a {@link dev.tandem.hub.rollout.Rollout} names what
 * changes ({@link dev.tandem.hub.rollout.RolloutChange}), for which devices
 * ({@link dev.tandem.hub.rollout.RolloutTarget}), in which waves ({@link dev.tandem.hub.rollout.WavePlan}:
 * cumulative shares, each wave at least one device more than the last, rounded up), each with its
 * success and error thresholds, shadow time and timeout; every device of it has a
 * {@link dev.tandem.hub.rollout.DeviceAction} whose {@link dev.tandem.hub.rollout.ActionState} moves
 * only along the allowed transitions; {@link dev.tandem.hub.rollout.WaveProgress} decides whether a
 * wave is promoted, stopped or still waiting. The vocabulary follows Eclipse hawkBit's rollout groups
 * and actions.
 */
package dev.tandem.hub.rollout;
