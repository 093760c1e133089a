package dev.tandem.sim.scenario;

import dev.tandem.sim.attack.Attacker;

import java.util.List;

/**
 * What one attack entry of a scenario did to one victim: each attack with the broker's answer, and
 * the victim's alarms (as the site's monitor saw them) before the attacks and after, with the model
 * versions they came from.
 */
public record AttackReport(double atSeconds, String victim, String as, int attempted, int refused,
                           List<Attacker.Result> results, long alarmsBefore, long alarmsAfter, List<String> modelsBefore,
                           List<String> modelsAfter) {
    /** Every attack refused, and the victim alarming after as before, from the models it had. */
    public boolean fleetUnharmed() {
        return refused == attempted && (alarmsBefore == 0 || alarmsAfter > 0) && modelsBefore.containsAll(modelsAfter);
    }
}
