package dev.tandem.sim.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * What a scenario with rollouts did ({@code --report FILE} writes it as JSON): its fleet (a real hub and
 * one production edge agent per device, each with its own MQTT session), each rollout's outcome wave by
 * wave, and where the devices ended.
 *
 * @param agents              production edge agents started (one per device, one MQTT session each)
 * @param rate                readings per device per second of wall time
 * @param modelsSeconds       wall time from the start until every device had its first model
 * @param rollouts            each rollout entry of the timeline, in order
 * @param modelsByOrigin      devices by where the model they run at the end came from: {@code commissioned}
 *                            (the model they had before the first rollout), a rollout's name (its candidate),
 *                            {@code other}, {@code none}
 * @param modelsByVersion     devices per model version at the end (only when at most 50 versions)
 * @param windows             the devices' window counters across swaps
 * @param unchecked           the scenario's {@code needs}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutScenarioReport(String name, String source, String broker, int devices, int agents, double rate,
                                    double modelsSeconds, double simulatedSeconds, double wallSeconds,
                                    long readingsPublished, long alarmsRecorded, List<Run> rollouts,
                                    Map<String, Integer> modelsByOrigin, Map<String, Integer> modelsByVersion,
                                    Windows windows, String truthFile, long truthLines, String alarmsFile,
                                    List<String> unchecked, boolean completed) {
    /**
     * One rollout entry.
     *
     * @param at              its simulated time in the timeline
     * @param startedAtSimulated the leading device's simulated time when the hub was asked (the fleet may reach
     *                        {@code at} before every device has its model)
     * @param expect          what the file expects (finished, rolled_back), or null
     * @param leftOnCandidate devices of a rollout that did not finish still running its candidate, after the
     *                        rollback settled (must be 0)
     * @param notOnCandidate  devices ACTIVE in a finished rollout not running its candidate (must be 0)
     * @param asExpected      the expected end reached (or none expected), nothing left on a rolled-back candidate,
     *                        every device of a finished one on its candidate
     */
    public record Run(int line, double at, double startedAtSimulated, String recipe, String expect,
                      RolloutOutcome outcome, int leftOnCandidate, int notOnCandidate, boolean asExpected) {
    }

    /**
     * Window counters: every window a device scored is counted once, by the model version that decided it
     * ({@code EdgeAgent.windowsByModel}); across a swap their sum stays the device's windows.
     *
     * @param scored          windows scored, all devices
     * @param byModel         the sum of the per-model counts, all devices (equal to {@code scored}: none lost or
     *                        scored twice across a swap)
     * @param devicesSwapped  devices that scored windows with more than one model
     * @param devicesMismatched devices whose per-model counts do not add up to their windows (must be 0)
     */
    public record Windows(long scored, long byModel, int devicesSwapped, int devicesMismatched) {
    }

    /** Completed, and every rollout as expected, with the window counters adding up. */
    @com.fasterxml.jackson.annotation.JsonProperty("succeeded")
    public boolean succeeded() {
        return completed && rollouts.stream().allMatch(Run::asExpected) && windows.devicesMismatched() == 0;
    }
}
