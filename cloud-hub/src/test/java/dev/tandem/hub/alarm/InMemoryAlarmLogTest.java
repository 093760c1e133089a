package dev.tandem.hub.alarm;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.wire.Alarm;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryAlarmLogTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void messagesOfAnEpisode_updateOneEntry_keepItsAcknowledgement_andAnEndedEpisodeStaysEnded() {
        InMemoryAlarmLog log = new InMemoryAlarmLog(10);
        AlarmEntry onset = log.add(alarm("m1", "e1", Alarm.Phase.ONSET), T0);
        log.acknowledge(onset.id(), "alice", "looking", T0.plusSeconds(1));
        log.add(alarm("m1", "e1", Alarm.Phase.UPDATE), T0.plusSeconds(2));
        AlarmEntry cleared = log.add(alarm("m1", "e1", Alarm.Phase.CLEAR), T0.plusSeconds(3));
        AlarmEntry late = log.add(alarm("m1", "e1", Alarm.Phase.UPDATE), T0.plusSeconds(4));
        assertEquals(onset.id(), late.id());
        assertEquals(Alarm.Phase.CLEAR, late.latest().phase(), "a late UPDATE does not reopen a cleared episode");
        assertEquals(T0.plusSeconds(3), late.updatedAt());
        assertEquals(4, late.messages());
        assertEquals("alice", late.ackedBy());
        assertFalse(cleared.open());
        assertEquals(1, log.recent(10, null).size());
        assertTrue(log.recent(10, null, true).isEmpty());
    }

    @Test
    void theRing_keepsTheNewestEpisodes_andForgetsTheEvictedOnesIndex() {
        InMemoryAlarmLog log = new InMemoryAlarmLog(3);
        for (int i = 1; i <= 5; i++) {
            log.add(alarm(i % 2 == 0 ? "m2" : "m1", "e" + i, Alarm.Phase.ONSET), T0.plusSeconds(i));
        }
        List<AlarmEntry> recent = log.recent(10, null);
        assertEquals(List.of(5L, 4L, 3L), recent.stream().map(AlarmEntry::id).toList(), "newest first, the last 3");
        assertEquals(List.of(4L), log.recent(10, new DeviceId("s", "m2")).stream().map(AlarmEntry::id).toList());
        assertTrue(log.acknowledge(2, "alice", null, T0).isEmpty(), "evicted");
        assertTrue(log.acknowledge(6, "alice", null, T0).isEmpty(), "not yet");
        AlarmEntry again = log.add(alarm("m1", "e1", Alarm.Phase.UPDATE), T0.plusSeconds(9));
        assertEquals(6, again.id(), "an evicted episode heard of again is a new entry");
        assertEquals(1, log.recent(1, null).size());
    }

    static Alarm alarm(String device, String episode, Alarm.Phase phase) {
        return new Alarm(Alarm.VERSION, "s", device, episode, phase, 1, 1000, 1000, 0, 1, 1.5, 1.5, List.of(),
                Alarm.Source.EDGE, "tiny-x");
    }
}
