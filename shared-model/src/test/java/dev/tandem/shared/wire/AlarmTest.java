package dev.tandem.shared.wire;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlarmTest {
    private static final String ONSET = "{\"v\":2,\"site\":\"plant\",\"device\":\"press-1\",\"episode\":\"e1000-8\","
            + "\"phase\":\"ONSET\",\"windowId\":8,\"ts\":1000,\"onsetTs\":1000,\"heldMillis\":0,\"windows\":1,"
            + "\"score\":2.5,\"peakScore\":2.5,\"channels\":[3,1],\"source\":\"EDGE\",\"modelVersion\":\"tiny-1\"}";

    private static Alarm decode(String json) {
        return Wire.decode(json.getBytes(StandardCharsets.UTF_8), Alarm.class);
    }

    private static ErrorCode codeOf(String json) {
        return assertThrows(TandemException.class, () -> decode(json)).code();
    }

    @Test
    void onset_decodes_withItsEpisodeAndDrivingChannels() {
        Alarm a = decode(ONSET);
        assertEquals("e1000-8", a.episode());
        assertEquals(Alarm.Phase.ONSET, a.phase());
        assertEquals(List.of(3, 1), a.channels());
        assertFalse(a.phase().ends());
        assertTrue(Alarm.Phase.CLEAR.ends());
        assertTrue(Alarm.Phase.REBASELINED.ends());
    }

    @Test
    void version1_perWindowAlarm_isRefusedAsUnknownSchema() {
        assertEquals(ErrorCode.UNKNOWN_SCHEMA_VERSION, codeOf(
                "{\"v\":1,\"site\":\"plant\",\"device\":\"press-1\",\"windowId\":8,\"ts\":1000,\"score\":2.5,"
                        + "\"source\":\"EDGE\",\"modelVersion\":\"tiny-1\"}"));
    }

    @Test
    void badFields_areRefusedWithStableCodes() {
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("\"phase\":\"ONSET\"", "\"phase\":\"BEGIN\"")));
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("\"phase\":\"ONSET\",", "")));
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("\"episode\":\"e1000-8\"", "\"episode\":\"../x\"")));
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("\"heldMillis\":0", "\"heldMillis\":-5")));
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("\"windows\":1", "\"windows\":0")));
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("\"peakScore\":2.5", "\"peakScore\":1.0")));
        assertEquals(ErrorCode.NON_FINITE_VALUE, codeOf(ONSET.replace("\"score\":2.5", "\"score\":NaN")));
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("[3,1]", "[3,3]")));
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("[3,1]", "[-1]")));
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("[3,1]", "[64]")));
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("[3,1]", "[null]")));
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append(i % 64);
        }
        assertEquals(ErrorCode.INVALID_FIELD, codeOf(ONSET.replace("[3,1]", many + "]")));
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, codeOf(ONSET.substring(0, 40)));
    }

    @Test
    void missingChannels_meanUnknown() {
        assertEquals(List.of(), decode(ONSET.replace("\"channels\":[3,1]", "\"channels\":null")).channels());
    }
}
