package dev.tandem.sim.fleet;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.fleet.DeviceModels;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.sim.factory.Fault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small board gets the int8 variant: real hub and edge agents on the secured embedded broker, each
 * agent naming class {@code pi-zero} at commissioning; the hub fits once, ships the class's variant as a
 * signed manifest and chunks, the agent verifies and runs it, and it raises the alarm on a fault.
 */
class ClassVariantEndToEndTest {
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aPiZero_runsTheInt8Variant_ofItsModel_andDetectsWithIt() throws Exception {
        try (LocalFleet fleet = LocalFleet.start(LocalFleetOptions.builder().devices(2).deviceClass("pi-zero").build())) {
            CloudHub hub = fleet.hub().orElseThrow();
            for (EdgeAgent agent : fleet.agents()) {
                String device = agent.edgeConfig().devices().get(0);
                String running = agent.modelVersion(device).orElseThrow();
                assertTrue(running.endsWith(TinyModel.Q8_SUFFIX), device + " runs " + running);
                DeviceModels m = hub.fleet().models(new DeviceId(fleet.site(), device)).orElseThrow();
                assertEquals("pi-zero", m.deviceClass());
                assertEquals(TinyModel.FORMAT_Q8, m.tiny().format());
                assertEquals(running, m.tiny().version());
            }
            var fault = fleet.device("machine-01").inject(Fault.levelShift("motor_current", 30).lasting(Duration.ofMinutes(10)));
            Alarm alarm = fault.awaitAlarm(Duration.ofSeconds(10));
            assertEquals("machine-01", alarm.device());
            assertTrue(alarm.modelVersion().endsWith(TinyModel.Q8_SUFFIX), alarm.modelVersion());
        }
    }
}
