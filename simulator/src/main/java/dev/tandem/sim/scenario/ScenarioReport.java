package dev.tandem.sim.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tandem.sim.netfault.ProxyCounters;

import java.util.List;
import java.util.Map;

/**
 * What a scenario run did ({@code --report FILE} writes it as JSON).
 *
 * @param readingsExpected  samples the fleet generates over the scenario (every device, its rate x the duration)
 * @param readingsPublished samples the broker acknowledged
 * @param readingsSilenced  samples due while a device was silent (power cut, maintenance, restart): never sent
 * @param readingsLostOffline samples due while a device's connection was down (paced runs; a device has no buffer)
 * @param readingsFailed    publishes that failed (in flight when a connection was lost)
 * @param faults            scripted faults by kind (one per device it hits)
 * @param events            other timeline entries by kind (operating changes, device and network events, per device)
 * @param truthLines        lines written to the ground truth
 * @param alarmsRecorded    alarms seen on the broker (when recording)
 * @param network           what the fault proxy did (null when the scenario has no network event)
 * @param networkEvents     network events applied and lifted, in order, with their sim time
 * @param attacks           what the attack entries did, per victim (null when the scenario has none)
 * @param unchecked         what this scenario's checks need from outside the simulator (its {@code needs})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScenarioReport(String name, String source, String broker, String speed, int devices, int connections,
                             double simulatedSeconds, double wallSeconds, long readingsExpected, long readingsPublished,
                             long readingsSilenced, long readingsLostOffline, long readingsFailed, long reconnects,
                             Map<String, Long> faults, Map<String, Long> events, String truthFile, long truthLines,
                             String alarmsFile, Long alarmsRecorded, ProxyCounters.Snapshot network,
                             List<String> networkEvents, List<AttackReport> attacks, List<String> unchecked,
                             boolean completed) {
    /** Completed, and every attack (if any) refused with the fleet unharmed. */
    public boolean succeeded() {
        return completed && (attacks == null || attacks.stream().allMatch(AttackReport::fleetUnharmed));
    }
}
