package dev.tandem.shared.tiny;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.policy.Decision;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ThresholdScaleTest {
    private final TinyModel m = TinyModelFixtures.identityModel("tiny-a", 2, 4);

    @Test
    void scaledBand_isANewVersion_thatDecidesByTheScaledThresholds() {
        TinyModel everything = m.withThresholdScale(0);
        assertEquals("tiny-a-t0", everything.version());
        assertEquals(Decision.ANOMALY, everything.policy().decide(0.0), "scale 0 alarms on every window");
        TinyModel deaf = m.withThresholdScale(1000);
        assertEquals("tiny-a-t1000", deaf.version());
        assertEquals(m.policy().upper() * 1000, deaf.policy().upper(), 1e-9);
        assertEquals(m.withThresholdScale(0.5).policy().threshold(), m.policy().threshold() / 2, 1e-12);
        assertEquals(m.center()[0], deaf.center()[0], "nothing but the band changes");
    }

    @Test
    void negativeOrNonFiniteScale_isInvalid() {
        for (double bad : new double[]{-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class,
                    () -> m.withThresholdScale(bad)).code());
        }
    }
}
