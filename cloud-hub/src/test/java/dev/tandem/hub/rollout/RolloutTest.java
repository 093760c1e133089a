package dev.tandem.hub.rollout;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RolloutTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void plan_cutsTheTargetIntoWaves_everyDeviceOnce_allScheduled() {
        Map<DeviceId, String> known = fleet("plant", 1000, "pi4");
        known.putAll(fleet("other", 50, "pi4"));
        Rollout r = Rollout.plan("r1", "retrained pumps", RolloutChange.recipe("pca-v3"), RolloutTarget.site("plant"),
                WavePlan.defaults(), known, "alice", T0);
        assertEquals(RolloutState.READY, r.state());
        assertEquals(-1, r.currentWave());
        assertEquals(List.of(1, 49, 200, 750), r.waves().stream().map(w -> w.devices().size()).toList());
        assertEquals(List.of(1, 50, 250, 1000), r.waves().stream().map(Wave::reach).toList());
        List<DeviceAction> actions = r.scheduledActions();
        assertEquals(1000, actions.size());
        Set<DeviceId> seen = new HashSet<>();
        for (DeviceAction a : actions) {
            assertEquals(ActionState.SCHEDULED, a.state());
            assertEquals("plant", a.device().site());
            assertTrue(seen.add(a.device()), "once: " + a.device());
        }
        assertEquals(r, Rollout.plan("r1", "retrained pumps", RolloutChange.recipe("pca-v3"), RolloutTarget.site("plant"),
                WavePlan.defaults(), new LinkedHashMap<>(known), "alice", T0), "the same target plans the same waves");
    }

    @Test
    void target_byClassListAndShare_andEmptyOrUnknownTargets_areRefused() {
        Map<DeviceId, String> known = fleet("plant", 10, "pi4");
        known.putAll(fleet("plant-b", 4, "pi3"));
        known.put(new DeviceId("plant", "z-old"), "pi3");
        assertEquals(1, RolloutTarget.site("plant").ofClass("pi3").select(known).size());
        assertEquals(List.of(new DeviceId("plant", "m0003"), new DeviceId("plant", "m0007")),
                RolloutTarget.site("plant").devices(List.of("m0007", "m0003")).select(known));
        assertEquals(4, RolloutTarget.site("plant").ofClass("pi4").share(0.35).select(known).size(), "ceil(3.5)");

        TandemException empty = assertThrows(TandemException.class,
                () -> RolloutTarget.site("plant").ofClass("jetson").select(known));
        assertEquals(ErrorCode.INVALID_FIELD, empty.code());
        assertTrue(empty.getMessage().contains("holds no device"));
        assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class,
                () -> RolloutTarget.site("nowhere").select(known)).code());
        TandemException unknown = assertThrows(TandemException.class,
                () -> RolloutTarget.site("plant").devices(List.of("m0001", "ghost")).select(known));
        assertEquals(ErrorCode.UNKNOWN_DEVICE, unknown.code());
        assertTrue(unknown.getMessage().contains("ghost"));
        assertThrows(TandemException.class, () -> RolloutTarget.site("plant").share(0));
        assertThrows(TandemException.class, () -> RolloutTarget.site("plant").devices(List.of("a", "a")));
        assertThrows(TandemException.class, () -> RolloutTarget.site("plant").devices(List.of("../x")));
        assertThrows(TandemException.class, () -> RolloutChange.artifact(""));
        assertThrows(TandemException.class, () -> new RolloutChange(null, "x"));
    }

    @Test
    void waveProgress_promotesAtTheSuccessThreshold_stopsAboveTheErrorThreshold_andTimesOut() {
        WaveGate gate = new WaveGate(0.9, 0.1, Duration.ofSeconds(30), Duration.ofMinutes(5));
        Map<DeviceId, String> known = fleet("plant", 20, "pi4");
        Rollout r = Rollout.plan("r2", "policy", RolloutChange.policy("budget-3pct"), RolloutTarget.site("plant"),
                WavePlan.uniform(gate, WaveSize.share(0.5), WaveSize.share(1)), known, "alice", T0);
        Wave first = r.waves().get(0);
        assertEquals(10, first.devices().size());
        List<DeviceAction> actions = new ArrayList<>(r.scheduledActions());
        assertEquals(WaveProgress.Decision.WAIT, WaveProgress.of(first, actions).decide(gate, T0, T0.plusSeconds(60)));

        for (int i = 0; i < 9; i++) {
            actions.set(i, DeviceActionTest.in(ActionState.ACTIVE));
        }
        // the helper's actions are of wave 0, like the first wave's; the second wave's stay SCHEDULED
        WaveProgress p = WaveProgress.of(first, actions);
        assertEquals(9, p.count(ActionState.ACTIVE));
        assertEquals(0.9, p.successShare(), 1e-12);
        assertEquals(WaveProgress.Decision.PROMOTE, p.decide(gate, T0, T0.plusSeconds(60)));

        actions.set(9, DeviceActionTest.in(ActionState.FAILED));
        assertEquals(WaveProgress.Decision.PROMOTE, WaveProgress.of(first, actions).decide(gate, T0, T0),
                "one failure in ten is not above 10%");
        actions.set(8, DeviceActionTest.in(ActionState.ROLLED_BACK));
        assertEquals(WaveProgress.Decision.STOP, WaveProgress.of(first, actions).decide(gate, T0, T0),
                "two of ten above 10%: stop");

        List<DeviceAction> slow = new ArrayList<>(r.scheduledActions());
        assertEquals(WaveProgress.Decision.TIMED_OUT, WaveProgress.of(first, slow).decide(gate, T0,
                T0.plus(Duration.ofMinutes(5))));
        assertEquals(0, WaveProgress.of(r.waves().get(1), actions).count(ActionState.ACTIVE),
                "the second wave counts only its own devices");
    }

    @Test
    void rolloutState_pauseResumeAbort_andWaves_followTheirTransitions() {
        Rollout r = Rollout.plan("r3", "artifact", RolloutChange.artifact("tiny-abc"), RolloutTarget.site("plant"),
                WavePlan.defaults(), fleet("plant", 100, "pi4"), "alice", T0);
        Rollout running = r.moveTo(RolloutState.RUNNING);
        assertEquals(0, running.currentWave());
        Rollout second = running.nextWave();
        assertEquals(1, second.currentWave());
        Rollout paused = second.moveTo(RolloutState.PAUSED);
        assertEquals(RolloutState.RUNNING, paused.moveTo(RolloutState.RUNNING).state());
        assertEquals(1, paused.moveTo(RolloutState.RUNNING).currentWave(), "resume where it stood");
        assertEquals(ErrorCode.INVALID_STATE_TRANSITION, assertThrows(TandemException.class, paused::nextWave).code());
        Rollout stopped = second.moveTo(RolloutState.STOPPED);
        assertEquals(RolloutState.ROLLED_BACK, stopped.moveTo(RolloutState.ROLLED_BACK).state());
        assertEquals(ErrorCode.INVALID_STATE_TRANSITION, assertThrows(TandemException.class,
                () -> r.moveTo(RolloutState.FINISHED)).code());
        Rollout aborted = running.moveTo(RolloutState.ABORTED);
        assertTrue(aborted.state().isTerminal());
        assertThrows(TandemException.class, () -> aborted.moveTo(RolloutState.RUNNING));
        Rollout last = running.nextWave().nextWave().nextWave();
        assertEquals(3, last.currentWave());
        assertThrows(TandemException.class, last::nextWave, "no wave past the last");
        assertEquals(RolloutState.FINISHED, last.moveTo(RolloutState.FINISHED).state());
    }

    static Map<DeviceId, String> fleet(String site, int n, String deviceClass) {
        Map<DeviceId, String> out = new LinkedHashMap<>();
        for (int i = n - 1; i >= 0; i--) { // deliberately not in order
            out.put(new DeviceId(site, String.format("m%04d", i)), deviceClass);
        }
        return out;
    }
}
