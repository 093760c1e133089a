package dev.tandem.hub.rebaseline;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Signals;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Sample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a re-baseline is due: samples 100 ms apart (Signals), the onset at seq 1000 (t = 100 s). */
class RebaselinerTest {
    private static final DeviceId ID = new DeviceId("plant", "m1");
    private final List<List<Sample>> started = new ArrayList<>();
    private final List<Runnable> running = new ArrayList<>();
    private final Rebaseliner r = new Rebaseliner(new RebaselineSettings(Duration.ofSeconds(60), 200, 0.1),
            (id, episode, recent, judge, done) -> {
                started.add(recent);
                running.add(done);
            });

    private static Alarm alarm(Alarm.Phase phase, String episode, long onsetSeq, long nowSeq) {
        long onsetTs = Signals.sample(onsetSeq).ts(), ts = Signals.sample(nowSeq).ts();
        return new Alarm(Alarm.VERSION, "plant", "m1", episode, phase, nowSeq, ts, onsetTs, ts - onsetTs, 1, 2, 2,
                List.of(0), Alarm.Source.EDGE, "tiny-1");
    }

    private boolean consider(long from, long to) {
        List<Sample> recent = Signals.range(from, to);
        return r.consider(ID, id -> recent, recent.size());
    }

    @Test
    void due_onceTheEpisodeHeldLongEnough_withReadingsAllAfterTheOnset() {
        r.onAlarm(alarm(Alarm.Phase.ONSET, "e1", 1000, 1000));
        assertFalse(consider(1001, 1500), "held 50 s: not yet");
        assertTrue(consider(1100, 1700), "held 70 s by the readings' own time (the last message said 0 s)");
        assertEquals(1700, started.get(0).get(199).seq());
    }

    @Test
    void rebaselines_onceForTheReadings_againWhenRenewed_andNeverAfterItWasSent() {
        r.onAlarm(alarm(Alarm.Phase.ONSET, "e1", 1000, 1000));
        r.onAlarm(alarm(Alarm.Phase.UPDATE, "e1", 1000, 2000));   // held 100 s
        assertFalse(consider(950, 1149), "readings from before the onset are not the new normal");
        assertTrue(consider(1100, 1700));
        assertEquals(200, started.get(0).size());
        assertEquals(1501, started.get(0).get(0).seq(), "the newest 200");
        assertFalse(consider(1100, 1800), "one at a time");
        running.get(0).run();
        assertFalse(consider(1100, 1800), "judged on most of these already");
        assertTrue(consider(1100, 1900), "all renewed: judged again");
        running.get(1).run();
        r.sent(ID, "e1");
        assertFalse(consider(1100, 2500), "sent: never again for this episode");
        r.onAlarm(alarm(Alarm.Phase.REBASELINED, "e1", 1000, 2500));
        assertNull(r.held(ID));
        r.onAlarm(alarm(Alarm.Phase.ONSET, "e2", 3000, 3000));
        assertTrue(consider(3001, 3700), "a new episode");
    }

    @Test
    void clear_endsTheEpisode_andAStaleEndOfAnotherEpisodeChangesNothing() {
        r.onAlarm(alarm(Alarm.Phase.ONSET, "e1", 1000, 1000));
        r.onAlarm(alarm(Alarm.Phase.CLEAR, "e0", 900, 1001));
        assertEquals("e1", r.held(ID).episode());
        r.onAlarm(alarm(Alarm.Phase.CLEAR, "e1", 1000, 1300));
        assertNull(r.held(ID));
        assertFalse(consider(1100, 1900));
    }

    @Test
    void off_neverRebaselines() {
        Rebaseliner off = new Rebaseliner(RebaselineSettings.off(), (id, episode, recent, judge, done) -> started.add(recent));
        off.onAlarm(alarm(Alarm.Phase.ONSET, "e1", 0, 0));
        List<Sample> recent = Signals.range(1, 20_000);
        assertFalse(off.consider(ID, id -> recent, recent.size()));
        assertEquals(List.of(), started);
    }
}
