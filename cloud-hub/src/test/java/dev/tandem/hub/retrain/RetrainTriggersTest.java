package dev.tandem.hub.retrain;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.DeviceStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetrainTriggersTest {
    private static final double BUDGET = 0.04;
    private final List<String> runs = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000);

    private RetrainTriggers triggers(RetrainTriggers.Settings s) {
        return new RetrainTriggers(s, BUDGET, (id, reason) -> runs.add(id.device() + ": " + reason), now::get);
    }

    private static DeviceStatus status(String model, long windows, long escalations) {
        return new DeviceStatus(DeviceStatus.VERSION, "s1", "m1", DeviceStatus.State.DETECTING, model, windows, 0, 0, 0,
                null, escalations, 0, null, null);
    }

    @Test
    void drift_isThreeSpansInARowAboveTheFactor_thenHeldOff() {
        RetrainTriggers t = triggers(RetrainTriggers.Settings.defaults());
        t.onStatus(status("a", 0, 0));
        t.onStatus(status("a", 100, 20));  // 20 % > 2.5 x 4 %
        t.onStatus(status("a", 200, 40));
        assertTrue(runs.isEmpty(), "two spans are not yet drift");
        t.onStatus(status("a", 250, 50)); // a span of 50 windows is too short to judge: nothing changes
        t.onStatus(status("a", 300, 60));
        assertEquals(1, runs.size(), runs.toString());
        assertTrue(runs.get(0).startsWith("m1: drift: 20.0% escalated over 100 windows, budget 4.0%"), runs.get(0));
        for (long w = 400; w <= 700; w += 100) {
            t.onStatus(status("a", w, w / 5));
        }
        assertEquals(1, runs.size(), "held off for 10 minutes");
        now.addAndGet(Duration.ofMinutes(11).toMillis());
        for (long w = 800; w <= 1000; w += 100) {
            t.onStatus(status("a", w, w / 5));
        }
        assertEquals(2, runs.size());
    }

    @Test
    void aSpanInBudget_aNewModel_orARestartedAgent_startOver() {
        RetrainTriggers t = triggers(RetrainTriggers.Settings.defaults());
        t.onStatus(status("a", 0, 0));
        t.onStatus(status("a", 100, 20));
        t.onStatus(status("a", 200, 40));
        t.onStatus(status("a", 300, 41)); // 1 %: in budget
        t.onStatus(status("a", 400, 61));
        t.onStatus(status("b", 500, 81)); // another model: counted afresh
        t.onStatus(status("b", 600, 101));
        t.onStatus(status("b", 100, 20)); // the agent restarted: its counters start over
        t.onStatus(status("b", 200, 40));
        t.onStatus(status("b", 300, 60));
        assertTrue(runs.isEmpty(), runs.toString());
        t.onStatus(status("b", 400, 80));
        assertEquals(1, runs.size(), runs.toString());
    }

    @Test
    void labels_triggerAfterN_andOffMeansOff() {
        RetrainTriggers t = triggers(RetrainTriggers.Settings.defaults());
        DeviceId id = new DeviceId("s1", "m1");
        t.onLabel(id);
        t.onLabel(id);
        assertTrue(runs.isEmpty());
        t.onLabel(id);
        assertEquals(List.of("m1: labels: 3 new"), runs);
        RetrainTriggers off = triggers(RetrainTriggers.Settings.off());
        for (int i = 0; i < 10; i++) {
            off.onLabel(id);
            off.onStatus(status("a", i * 100L, i * 50L));
        }
        assertEquals(1, runs.size());
    }

    @Test
    void verdicts_triggerAfterN_whenSet_andCountAfreshAfterARun() {
        DeviceId id = new DeviceId("s1", "m1");
        RetrainTriggers t = triggers(new RetrainTriggers.Settings(0, 3, 100, 0, 5, Duration.ofMinutes(10)));
        for (int i = 0; i < 4; i++) {
            t.onVerdict(id);
        }
        assertTrue(runs.isEmpty());
        t.onVerdict(id);
        assertEquals(List.of("m1: verdicts: 5 new"), runs);
        for (int i = 0; i < 20; i++) {
            t.onVerdict(id); // held off
        }
        assertEquals(1, runs.size());
        now.addAndGet(Duration.ofMinutes(11).toMillis());
        t.onVerdict(id);
        assertEquals(List.of("m1: verdicts: 5 new", "m1: verdicts: 21 new"), runs, "the held-off ones still count");
        t.onVerdict(id);
        assertEquals(2, runs.size(), "counted afresh after the run");
        RetrainTriggers byDefault = triggers(RetrainTriggers.Settings.defaults());
        for (int i = 0; i < 10_000; i++) {
            byDefault.onVerdict(id);
        }
        assertEquals(2, runs.size(), "off by default");
    }

    @Test
    void settings_areChecked() {
        for (Runnable bad : List.<Runnable>of(
                () -> new RetrainTriggers.Settings(0.5, 3, 100, 3, 0, Duration.ZERO),
                () -> new RetrainTriggers.Settings(2, 0, 100, 3, 0, Duration.ZERO),
                () -> new RetrainTriggers.Settings(2, 3, 100, -1, 0, Duration.ZERO),
                () -> new RetrainTriggers.Settings(2, 3, 100, 3, -1, Duration.ZERO),
                () -> new RetrainTriggers.Settings(2, 3, 100, 3, 0, Duration.ofSeconds(-1)))) {
            assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, bad::run).code());
        }
    }
}
