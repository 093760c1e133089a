package dev.tandem.edge.detect;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ManualTimersTest {

    @Test
    void advance_runsDueTasksInDeadlineOrder_andNothingBefore() {
        ManualTimers timers = new ManualTimers();
        List<String> ran = new ArrayList<>();
        timers.schedule(300, () -> ran.add("c"));
        timers.schedule(100, () -> ran.add("a"));
        timers.schedule(100, () -> ran.add("b"));
        timers.advance(99);
        assertEquals(List.of(), ran);
        timers.advance(1);
        assertEquals(List.of("a", "b"), ran, "ties in scheduling order");
        timers.advance(1_000);
        assertEquals(List.of("a", "b", "c"), ran);
        assertEquals(1_100, timers.now());
        assertEquals(0, timers.pending());
    }

    @Test
    void cancel_beforeItIsDue_keepsTheTaskFromRunning() {
        ManualTimers timers = new ManualTimers();
        List<String> ran = new ArrayList<>();
        Timers.Handle h = timers.schedule(10, () -> ran.add("x"));
        h.cancel();
        h.cancel();
        timers.advance(100);
        assertEquals(List.of(), ran);
        assertEquals(0, timers.pending());
    }

    @Test
    void taskScheduledByATask_runsInTheSameAdvance_ifItFallsDue() {
        ManualTimers timers = new ManualTimers();
        List<Long> at = new ArrayList<>();
        timers.schedule(10, () -> {
            at.add(timers.now());
            timers.schedule(10, () -> at.add(timers.now()));
        });
        timers.advance(25);
        assertEquals(List.of(10L, 20L), at);
    }

    @Test
    void theClock_doesNotGoBack() {
        assertThrows(IllegalArgumentException.class, () -> new ManualTimers().advance(-1));
        assertThrows(IllegalArgumentException.class, () -> new ManualTimers().schedule(-1, () -> { }));
    }
}
