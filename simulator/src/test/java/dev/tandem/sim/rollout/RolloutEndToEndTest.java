package dev.tandem.sim.rollout;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.rollout.ActionRecord;
import dev.tandem.hub.rollout.ActionState;
import dev.tandem.hub.rollout.Rollout;
import dev.tandem.hub.rollout.RolloutChange;
import dev.tandem.hub.rollout.RolloutEngine;
import dev.tandem.hub.rollout.RolloutSettings;
import dev.tandem.hub.rollout.RolloutState;
import dev.tandem.hub.rollout.RolloutTarget;
import dev.tandem.hub.rollout.WaveGate;
import dev.tandem.hub.rollout.WavePlan;
import dev.tandem.hub.rollout.WaveSize;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.signing.RolloutRules;
import dev.tandem.sim.fleet.LocalFleet;
import dev.tandem.sim.junit.TandemFleet;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end, with the real hub and real edge agents on a secured embedded broker: a retrained model
 * goes through every wave; a rollout of a
 * model that alarms on everything ({@code default:threshold-scale=0.02}) fails in its first wave (the
 * device finds it worse than its active model in SHADOW, or its watchdog trips), the rollout stops
 * and rolls the fleet back by itself, and no device is left on the bad model.
 */
@TandemFleet(devices = 3)
class RolloutEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aModelThatAlarmsOnEverything_failsItsFirstWave_andTheFleetRollsBack_noDeviceLeftOnIt(LocalFleet fleet)
            throws Exception {
        CloudHub hub = fleet.hub().orElseThrow();
        WaveGate gate = new WaveGate(0.95, 0.05, Duration.ofSeconds(3), Duration.ofSeconds(60));
        RolloutSettings watchdog = new RolloutSettings(5, 0.9, Duration.ofSeconds(5), 20, RolloutRules.Band.upTo(0.2),
                RolloutRules.Band.upTo(0.3));
        Rollout r = await(hub.rollouts().create(new RolloutEngine.Request("bad model", RolloutChange.recipe(
                "default:threshold-scale=0.02"), RolloutTarget.site(fleet.site()), WavePlan.uniform(gate,
                WaveSize.devices(1), WaveSize.share(1.0)), watchdog, true), "test"));
        assertTrue(TestWait.until(WAIT, () -> state(hub, r.id()) == RolloutState.ROLLED_BACK),
                () -> "rolled back by itself: " + view(hub, r.id()));

        RolloutEngine.View v = view(hub, r.id());
        ActionRecord first = v.actions().stream().filter(a -> a.action().wave() == 0).findFirst().orElseThrow();
        assertEquals(ActionState.ROLLED_BACK, first.action().state(), first.toString());
        assertTrue(Set.of(ErrorCode.SHADOW_WORSE, ErrorCode.WATCHDOG_TRIPPED).contains(first.action().code()),
                first.toString());
        assertTrue(first.candidateVersion().endsWith("-t0.02"), first.candidateVersion());
        assertEquals(List.of(ActionState.CANCELED, ActionState.CANCELED), v.actions().stream()
                .filter(a -> a.action().wave() == 1).map(a -> a.action().state()).toList(), "wave 2 never started");

        // no device runs the bad model, and no retained assignment names it
        for (String d : fleet.deviceIds()) {
            assertTrue(TestWait.until(WAIT, () -> running(fleet, d).isPresent()
                    && !running(fleet, d).get().equals(first.candidateVersion())), d + " runs " + running(fleet, d));
            DeviceId id = new DeviceId(fleet.site(), d);
            assertNotEquals(first.candidateVersion(), hub.lineage().current(id).orElseThrow().version(), d);
        }
    }

    @Test
    void aRetrainedModel_goesThroughBothWaves_andEveryDeviceRunsIt(LocalFleet fleet) throws Exception {
        CloudHub hub = fleet.hub().orElseThrow();
        WaveGate gate = new WaveGate(1.0, 0.0, Duration.ofSeconds(2), Duration.ofSeconds(60));
        RolloutSettings watchdog = new RolloutSettings(5, 0.9, Duration.ofSeconds(2), 20, RolloutRules.Band.upTo(0.2),
                RolloutRules.Band.upTo(0.3));
        Rollout r = await(hub.rollouts().create(new RolloutEngine.Request("retrained", RolloutChange.recipe(
                "default:threshold-quantile=0.995"), RolloutTarget.site(fleet.site()), WavePlan.uniform(gate,
                WaveSize.devices(1), WaveSize.share(1.0)), watchdog, true), "test"));
        assertTrue(TestWait.until(WAIT, () -> state(hub, r.id()) == RolloutState.FINISHED),
                () -> "finished: " + view(hub, r.id()));
        for (ActionRecord a : view(hub, r.id()).actions()) {
            assertEquals(ActionState.ACTIVE, a.action().state());
            assertEquals(Optional.of(a.candidateVersion()), running(fleet, a.action().device().device()));
        }
    }

    private static Optional<String> running(LocalFleet fleet, String device) {
        for (EdgeAgent a : fleet.agents()) {
            try {
                Optional<String> v = a.modelVersion(device);
                if (v.isPresent()) {
                    return v;
                }
            } catch (dev.tandem.shared.error.TandemException notServed) {
                // another agent's device
            }
        }
        return Optional.empty();
    }

    private static RolloutEngine.View view(CloudHub hub, String id) {
        try {
            return await(hub.rollouts().view(id, 0, 100));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RolloutState state(CloudHub hub, String id) {
        return view(hub, id).rollout().state();
    }
}
