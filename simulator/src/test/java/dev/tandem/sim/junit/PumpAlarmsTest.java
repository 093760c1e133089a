package dev.tandem.sim.junit;

import dev.tandem.sim.factory.Fault;
import dev.tandem.sim.fleet.LocalFleet;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's example: a test written as a user would, with the extension only. */
@TandemFleet(devices = 3) // an embedded broker, a throwaway secured site, the hub, an edge agent per device
class PumpAlarmsTest {
    @Test
    void levelShift_onTheMotorCurrent_raisesAnAlarmWithin5s(LocalFleet fleet) throws Exception {
        var fault = fleet.device("machine-01").inject(Fault.levelShift("motor_current", 30).lasting(Duration.ofMinutes(10)));
        var alarm = fault.awaitAlarm(Duration.ofSeconds(5));
        assertEquals("machine-01", alarm.device());
    }
}
