package dev.tandem.hub.escalation;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Signals;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ContextStoreTest {
    private final ContextStore store = new ContextStore();
    private final DeviceId dev = new DeviceId("site", "dev");

    @Test
    void fullContext_isHeld_andDeltaExtendsIt() {
        ContextStore.Context first = store.apply(dev, Signals.range(100, 163), 64);
        assertEquals(64, first.rows().length);
        assertEquals(163, first.heldThroughSeq());

        ContextStore.Context delta = store.apply(dev, Signals.range(164, 170), 64);
        assertEquals(170, delta.heldThroughSeq());
        assertEquals(64, delta.rows().length);
        // the same context as if the edge had sent all 64 samples
        ContextStore fresh = new ContextStore();
        ContextStore.Context full = fresh.apply(dev, Signals.range(107, 170), 64);
        for (int i = 0; i < 64; i++) {
            assertArrayEquals(full.rows()[i], delta.rows()[i]);
        }
    }

    @Test
    void partialContext_isNotAnnouncedAsHeld() {
        ContextStore.Context c = store.apply(dev, Signals.range(0, 19), 64);
        assertEquals(20, c.rows().length);
        assertEquals(-1, c.heldThroughSeq());
    }

    @Test
    void gapAfterHeldSamples_startsOverFromWhatTheEscalationCarries() {
        store.apply(dev, Signals.range(100, 163), 64);
        ContextStore.Context c = store.apply(dev, Signals.range(170, 175), 64);
        assertEquals(6, c.rows().length);
        assertEquals(-1, c.heldThroughSeq());
        assertArrayEquals(Signals.normal(170), c.rows()[0]);
    }

    @Test
    void overlappingResend_replacesTheOverlap_andStaysContiguous() {
        store.apply(dev, Signals.range(100, 163), 64);
        ContextStore.Context c = store.apply(dev, Signals.range(150, 165), 64);
        assertEquals(64, c.rows().length);
        assertEquals(165, c.heldThroughSeq());
        assertArrayEquals(Signals.normal(102), c.rows()[0]);
        assertArrayEquals(Signals.normal(165), c.rows()[63]);
    }

    @Test
    void devices_areKeptApart() {
        DeviceId other = new DeviceId("site", "other");
        store.apply(dev, Signals.range(100, 163), 64);
        ContextStore.Context c = store.apply(other, Signals.range(164, 170), 64);
        assertEquals(-1, c.heldThroughSeq());
        assertEquals(7, c.rows().length);
        assertEquals(64, store.heldCount(dev));
    }
}
