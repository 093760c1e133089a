package dev.tandem.sim.fault;

import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault suite's power cuts: the production edge agent, in a process of its own on mosquitto with
 * the site's identities, killed with SIGKILL 20 times while its line streams (every third time with
 * its uplink down, so that its alarms wait on its disk), unsynced segment tails cut or corrupted
 * between runs. No alarm it had on disk is lost, it detects again after every restart, and it stops
 * cleanly on SIGTERM at the end. Every fifth cut kills the hub too (in process, as a crash: no
 * unsubscribe, no DISCONNECT); the restarted hub loads the device's models from its store.
 */
class PowerCutsTest {
    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void twentySigkills_loseNoSyncedAlarm_andTheAgentDetectsAgainEachTime() throws Exception {
        PowerCuts.Report r = new PowerCuts(PowerCuts.Options.of(20), System.out).run();
        String json = new String(Wire.encode(r), java.nio.charset.StandardCharsets.UTF_8);
        System.out.println("power-cuts report: " + json);
        assertEquals(20, r.detectMs().size(), json);
        assertEquals(0, r.deafRestarts(), "the agent detected again after every restart: " + json);
        assertTrue(r.cutsOffline() >= 6, json);
        assertTrue(r.pendingAlarms() >= 1, "some cuts found alarms waiting on the agent's disk (else the check "
                + "below proves nothing): " + json);
        assertEquals(0, r.lostAlarms(), "every alarm that was on the disk reached the broker: " + json);
        assertTrue(r.corruptions() >= 1, "unsynced tails were cut or corrupted: " + json);
        assertTrue(r.stoppedCleanly(), "the last run stopped cleanly on SIGTERM: " + json);
        assertEquals(4, r.hubRestarts(), "the hub was killed every fifth cut: " + json);
        assertTrue(r.hubReadyMs().stream().allMatch(ms -> ms >= 0), "each restarted hub loaded the device's models "
                + "from its store: " + json);
    }
}
