package dev.tandem.sim.eval;

import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfusionTest {
    private static final double EPS = 1e-9;

    @Test
    void ratios_matchHandComputedMatrix() {
        Confusion c = new Confusion(40, 10, 45, 5);

        assertEquals(40 / 47.5, c.f1(), EPS);          // 40 / (40 + (5 + 10) / 2)
        assertEquals(10 / 55.0, c.far(), EPS);
        assertEquals(5 / 45.0, c.mar(), EPS);
        assertEquals(0.8, c.precision(), EPS);
        assertEquals(40 / 45.0, c.recall(), EPS);
        double p = c.precision(), r = c.recall();
        assertEquals(2 * p * r / (p + r), c.f1(), EPS);
        assertEquals(100, c.total());
        assertEquals(0.45, c.positiveFraction(), EPS);
    }

    @Test
    void ratios_secondHandComputedMatrix() {
        Confusion c = new Confusion(3, 7, 88, 2);

        assertEquals(3 / 7.5, c.f1(), EPS);            // 3 / (3 + (2 + 7) / 2)
        assertEquals(7 / 95.0, c.far(), EPS);
        assertEquals(2 / 5.0, c.mar(), EPS);
        assertEquals(0.3, c.precision(), EPS);
        assertEquals(0.6, c.recall(), EPS);
    }

    @Test
    void flaggingEverything_onSkabShareOfPositives_givesF1Of0698() {
        Confusion all = new Confusion(537, 463, 0, 0);   // 53.7% positives, every row flagged

        assertEquals(0.698, all.f1(), 0.001);
        assertEquals(1.0, all.far(), EPS);
        assertEquals(0.0, all.mar(), EPS);
    }

    @Test
    void add_count_andMerge_agree() {
        boolean[] labels = {true, true, false, false, true, false};
        boolean[] alarms = {true, false, true, false, true, false};
        Confusion byAdd = Confusion.EMPTY;
        for (int i = 0; i < labels.length; i++) {
            byAdd = byAdd.add(labels[i], alarms[i]);
        }

        assertEquals(new Confusion(2, 1, 2, 1), byAdd);
        assertEquals(byAdd, Confusion.count(labels, alarms));
        assertEquals(Confusion.count(labels, alarms, 0, 3).merge(Confusion.count(labels, alarms, 3, 6)), byAdd);
    }

    @Test
    void microAverage_sumsMatricesBeforeTakingRatios() {
        Confusion a = new Confusion(90, 10, 0, 0);
        Confusion b = new Confusion(1, 0, 90, 9);

        Confusion micro = Confusion.sum(List.of(a, b));

        assertEquals(new Confusion(91, 10, 90, 9), micro);
        assertEquals(91 / (91 + 19 / 2.0), micro.f1(), EPS);
        assertTrue(Math.abs(micro.f1() - (a.f1() + b.f1()) / 2) > 0.1, "micro differs from the mean of F1s");
    }

    @Test
    void undefinedRatios_areNaN_definedZeroesAreZero() {
        Confusion empty = Confusion.EMPTY;
        assertTrue(Double.isNaN(empty.f1()) && Double.isNaN(empty.far()) && Double.isNaN(empty.mar())
                && Double.isNaN(empty.precision()) && Double.isNaN(empty.recall()));

        Confusion quietOnNormalData = new Confusion(0, 0, 50, 0);
        assertTrue(Double.isNaN(quietOnNormalData.f1()));
        assertEquals(0.0, quietOnNormalData.far());
        assertTrue(Double.isNaN(quietOnNormalData.recall()));

        Confusion falseAlarmsOnly = new Confusion(0, 5, 45, 0);
        assertEquals(0.0, falseAlarmsOnly.f1());
        assertEquals(0.0, falseAlarmsOnly.precision());
        assertEquals(0.1, falseAlarmsOnly.far(), EPS);
        assertTrue(Double.isNaN(falseAlarmsOnly.mar()));

        Confusion allMissed = new Confusion(0, 0, 10, 10);
        assertEquals(0.0, allMissed.f1());
        assertEquals(1.0, allMissed.mar());
        assertTrue(Double.isNaN(allMissed.precision()));
    }

    @Test
    void negativeCounts_orMisalignedArrays_areRejected() {
        assertThrows(TandemException.class, () -> new Confusion(-1, 0, 0, 0));
        assertThrows(TandemException.class, () -> Confusion.count(new boolean[2], new boolean[3]));
        assertThrows(TandemException.class, () -> Confusion.count(new boolean[2], new boolean[2], 1, 3));
    }
}
