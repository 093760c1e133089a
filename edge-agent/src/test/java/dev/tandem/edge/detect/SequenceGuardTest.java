package dev.tandem.edge.detect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SequenceGuardTest {
    private final SequenceGuard guard = new SequenceGuard(1_000, 4);

    @Test
    void take_inOrder_isTheSensorsOwnSeq_andADuplicateIsSkipped() {
        assertEquals(5, guard.take(1, 5, 10));
        assertEquals(6, guard.take(1, 6, 11));
        assertEquals(SequenceGuard.DUPLICATE, guard.take(1, 6, 12));
        assertEquals(SequenceGuard.DUPLICATE, guard.take(1, 2, 12));
        assertEquals(11, guard.lastTaken());
    }

    @Test
    void take_ofOneHugeSeq_isRefusedAndCounted_andTheNextReadingsAreStillTaken() {
        for (long s = 0; s < 10; s++) {
            guard.take(1, s, s);
        }
        assertEquals(SequenceGuard.REFUSED, guard.take(1, Long.MAX_VALUE / 2, 20));
        assertEquals(10, guard.take(1, 10, 21), "the device is not deaf");
        assertEquals(1, guard.refused());
        assertEquals(0, guard.gaps());
    }

    @Test
    void take_ofANewEpochFromSeqZero_isTaken_andTheDevicesSeqGoesOn() {
        for (long s = 0; s < 500; s++) {
            guard.take(7, s, s);
        }
        assertEquals(500, guard.take(8, 0, 600), "a restarted sensor continues above the newest taken");
        assertEquals(501, guard.take(8, 1, 601));
        assertEquals(SequenceGuard.DUPLICATE, guard.take(8, 1, 602));
        assertEquals(1, guard.epochs());
        assertEquals(8, guard.epoch());
    }

    @Test
    void take_ofAGenuineJumpFarAhead_movesThereAfterAFewConsistentReadings_countedAsAGap() {
        guard.take(1, 0, 0);
        long far = 1_000_000;
        assertEquals(SequenceGuard.REFUSED, guard.take(1, far, 1));
        assertEquals(SequenceGuard.REFUSED, guard.take(1, far + 1, 2));
        assertEquals(SequenceGuard.REFUSED, guard.take(1, far + 2, 3));
        assertEquals(far + 3, guard.take(1, far + 3, 4), "the 4th consistent reading moves the sequence");
        assertEquals(3, guard.refused());
        assertEquals(1, guard.gaps());
        assertEquals(far + 4, guard.take(1, far + 4, 5));
    }

    @Test
    void take_withASmallGap_takesIt_andCountsTheGap() {
        guard.take(1, 0, 0);
        assertEquals(50, guard.take(1, 50, 1));
        assertEquals(1, guard.gaps());
    }
}
