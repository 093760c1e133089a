package dev.tandem.shared.wire;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class DeviceStatusTest {
    @Test
    void offlineFrom_marksOffline_keepingTheLastKnownState_withoutTheRunningAgentsParts() {
        DeviceStatus live = new DeviceStatus(DeviceStatus.VERSION, "plant", "m1", DeviceStatus.State.DETECTING, "tiny-3",
                1200, 4, 3, 0, "e9", 40, 1_700_000_000_000L,
                new DeviceStatus.Outbox(true, false, 2, 100, 0, 0, Map.of()), new DeviceStatus.Sequence(1, 0, 0, 0, 5));

        DeviceStatus off = Wire.decode(Wire.encode(DeviceStatus.offlineFrom(live)), DeviceStatus.class);

        assertEquals(DeviceStatus.State.OFFLINE, off.state());
        assertEquals("tiny-3", off.modelVersion());
        assertEquals(1200, off.windows());
        assertEquals(4, off.onsets());
        assertEquals(3, off.clears());
        assertEquals("e9", off.episode(), "the episode still holding when it went away");
        assertEquals(40, off.escalations());
        assertEquals(1_700_000_000_000L, off.ts(), "when that state was taken");
        assertNull(off.outbox());
        assertNull(off.sequence());
        assertEquals(DeviceStatus.offline("plant", "m1"), DeviceStatus.offlineFrom(DeviceStatus.offline("plant", "m1")));
    }
}
