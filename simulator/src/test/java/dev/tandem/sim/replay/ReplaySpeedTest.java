package dev.tandem.sim.replay;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplaySpeedTest {
    @Test
    void numbersAndMaxAreRead() {
        assertEquals(2.5, ReplaySpeed.parse("--speed", "2.5", ErrorCode.INVALID_CONFIG));
        assertEquals(Double.POSITIVE_INFINITY, ReplaySpeed.parse("--speed", "MAX", ErrorCode.INVALID_CONFIG));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "NaN", "Infinity", "fast", ""})
    void anythingElseIsRefusedWithTheGivenCodeAndName(String bad) {
        TandemException e = assertThrows(TandemException.class, () -> ReplaySpeed.parse("speed", bad, ErrorCode.INVALID_FIELD));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertTrue(e.getMessage().startsWith("speed must be a number > 0 or max"), e.getMessage());
    }

    @Test
    void nullIsRefused() {
        assertThrows(TandemException.class, () -> ReplaySpeed.parse("--speed", null, ErrorCode.INVALID_CONFIG));
    }
}
