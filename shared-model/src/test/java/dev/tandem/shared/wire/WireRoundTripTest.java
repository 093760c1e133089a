package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.tiny.TinyModelFixtures;
import dev.tandem.shared.signing.ManifestVerifier;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.tiny.TinyModelCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireRoundTripTest {
    private static final List<Sample> SAMPLES = List.of(
            new Sample(7, 1_700_000_000_000L, new double[]{1.5, -2.25, 3}),
            new Sample(8, 1_700_000_001_000L, new double[]{1.75, -2.0, 3.5}));

    static Stream<Object> messages() {
        byte[] artifact = TinyModelCodec.encode(TinyModelFixtures.identityModel("m-1", 3, 4));
        return Stream.of(
                ReadingBatch.of("plant-a", "press-1", SAMPLES),
                ReadingBatch.of("plant-a", "press-1", 7_123_456_789L, SAMPLES),
                Commissioning.of("plant-a", "press-1", SAMPLES),
                new Escalation(Escalation.VERSION, "press-1-8-x", "plant-a", "press-1", 8, 2, 16, "m-1", 1.3, SAMPLES, 42),
                new Verdict(Verdict.VERSION, "press-1-8-x", "plant-a", "press-1", 8, true, 2.5, "large-1", 8, 43),
                new Alarm(Alarm.VERSION, "plant-a", "press-1", "e44-8", Alarm.Phase.ONSET, 8, 44, 44, 0, 1, 3.0, 3.0,
                        List.of(2, 0), Alarm.Source.HUB, "m-1"),
                new Alarm(Alarm.VERSION, "plant-a", "press-1", "e44-8", Alarm.Phase.CLEAR, 30, 1044, 44, 1000, 12, 1.2,
                        3.5, List.of(2), Alarm.Source.EDGE, "m-1"),
                TestKeys.assignment("plant-a", "press-1", TinyModelFixtures.identityModel("m-1", 3, 4), 64),
                ModelState.active("plant-a", "press-1", "m-1"),
                new DeviceStatus(DeviceStatus.VERSION, "plant-a", "press-1", DeviceStatus.State.DETECTING, "m-1", 10, 3, 1, 1,
                        "e44-8", 2, 45),
                new DeviceStatus(DeviceStatus.VERSION, "plant-a", "press-1", DeviceStatus.State.STALLED, "m-1", 10, 1, 1, 0,
                        null, 2, 45, new DeviceStatus.Outbox(true, false, 3, 120, 7, 2, java.util.Map.of("readings/budget", 2L)),
                        new DeviceStatus.Sequence(99, 1, 4, 2, 44)));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyMessage_roundTripsThroughJson_unchanged(Object message) {
        byte[] json = Wire.encode(message);
        Object back = Wire.decode(json, message.getClass());
        assertEquals(message, back);
        assertTrue(new String(json, StandardCharsets.UTF_8).matches("\\{\"v\":[1-9][0-9]*,.*"), "schema version leads the wire form");
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyMessage_withUnknownSchemaVersion_isRefusedWithItsCode(Object message) {
        String json = new String(Wire.encode(message), StandardCharsets.UTF_8).replaceFirst("\"v\":[0-9]+", "\"v\":99");
        TandemException e = assertThrows(TandemException.class,
                () -> Wire.decode(json.getBytes(StandardCharsets.UTF_8), message.getClass()));
        assertEquals(ErrorCode.UNKNOWN_SCHEMA_VERSION, e.code());
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }

    @Test
    void decode_withoutVersionField_isRefused() {
        TandemException e = assertThrows(TandemException.class, () -> Wire.decode(
                "{\"site\":\"a\",\"device\":\"b\",\"samples\":[]}".getBytes(StandardCharsets.UTF_8), ReadingBatch.class));
        assertEquals(ErrorCode.UNKNOWN_SCHEMA_VERSION, e.code());
    }

    @Test
    void decode_garbage_isMalformed() {
        TandemException e = assertThrows(TandemException.class,
                () -> Wire.decode("{not json".getBytes(StandardCharsets.UTF_8), ReadingBatch.class));
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, e.code());
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, assertThrows(TandemException.class,
                () -> Wire.decode(new byte[0], ReadingBatch.class)).code());
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, assertThrows(TandemException.class,
                () -> Wire.decode("[1,2]".getBytes(StandardCharsets.UTF_8), ReadingBatch.class)).code());
    }

    @Test
    void decode_oversizedPayload_isRefusedBeforeParsing() {
        byte[] big = new byte[Wire.MAX_PAYLOAD_BYTES + 1];
        TandemException e = assertThrows(TandemException.class, () -> Wire.decode(big, ReadingBatch.class));
        assertEquals(ErrorCode.OVERSIZED_PAYLOAD, e.code());
    }

    @Test
    void decode_nanOrInfiniteReading_isNonFinite() {
        for (String bad : List.of("NaN", "Infinity", "-Infinity")) {
            String json = "{\"v\":2,\"epoch\":0,\"site\":\"a\",\"device\":\"b\",\"samples\":[{\"seq\":0,\"ts\":1,\"values\":[1.0," + bad + "]}]}";
            TandemException e = assertThrows(TandemException.class,
                    () -> Wire.decode(json.getBytes(StandardCharsets.UTF_8), ReadingBatch.class));
            assertEquals(ErrorCode.NON_FINITE_VALUE, e.code(), bad);
        }
    }

    @Test
    void decode_missingOrInvalidFields_isInvalid() {
        String noDevice = "{\"v\":2,\"epoch\":0,\"site\":\"a\",\"samples\":[{\"seq\":0,\"ts\":1,\"values\":[1.0]}]}";
        assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class,
                () -> Wire.decode(noDevice.getBytes(StandardCharsets.UTF_8), ReadingBatch.class)).code());
        String badId = "{\"v\":2,\"epoch\":0,\"site\":\"a/b\",\"device\":\"d\",\"samples\":[{\"seq\":0,\"ts\":1,\"values\":[1.0]}]}";
        assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class,
                () -> Wire.decode(badId.getBytes(StandardCharsets.UTF_8), ReadingBatch.class)).code());
        String mixed = "{\"v\":2,\"epoch\":0,\"site\":\"a\",\"device\":\"d\",\"samples\":[{\"seq\":0,\"ts\":1,\"values\":[1.0]},"
                + "{\"seq\":1,\"ts\":2,\"values\":[1.0,2.0]}]}";
        assertEquals(ErrorCode.CHANNEL_MISMATCH, assertThrows(TandemException.class,
                () -> Wire.decode(mixed.getBytes(StandardCharsets.UTF_8), ReadingBatch.class)).code());
    }

    @Test
    void modelAssignment_carriesASignedManifest_matchingItsArtifact() {
        ModelAssignment a = TestKeys.assignment("s", "d", TinyModelFixtures.identityModel("m-2", 2, 3), 8);
        ModelManifest m = new ManifestVerifier(TestKeys.hubPublicKey()).verify(a.manifest(),
                new ManifestVerifier.Device("s", "d", Commissioning.DEFAULT_CLASS), 0);
        m.artifact().verify(a.artifactBytes());

        byte[] tampered = a.artifactBytes();
        tampered[tampered.length / 2] ^= 1;
        assertEquals(ErrorCode.ARTIFACT_HASH_MISMATCH, assertThrows(TandemException.class,
                () -> m.artifact().verify(tampered)).code());
    }

    @Test
    void counts_pastTheirDocumentedLimits_areRefusedAtDecode() {
        String huge = "{\"v\":1,\"id\":\"e\",\"site\":\"s\",\"device\":\"d\",\"windowId\":1,\"windowSize\":1,"
                + "\"contextSize\":2147483647,\"modelVersion\":\"m\",\"edgeScore\":1.0,"
                + "\"samples\":[{\"seq\":1,\"ts\":1,\"values\":[1.0]}],\"sentAt\":0}";
        TandemException e = assertThrows(TandemException.class,
                () -> Wire.decode(huge.getBytes(StandardCharsets.UTF_8), Escalation.class));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertTrue(e.getMessage().contains("contextSize"), e.getMessage());
        double[] wide = new double[Limits.MAX_CHANNELS + 1];
        assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class, () -> new Sample(1, 1, wide)).code());
        List<Sample> many = new java.util.ArrayList<>();
        for (int i = 0; i <= Limits.MAX_COMMISSIONING_SAMPLES; i++) {
            many.add(new Sample(i, i, new double[]{1}));
        }
        assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class,
                () -> Commissioning.of("s", "d", many)).code());
    }

    @Test
    void escalation_mustEndAtItsWindowId() {
        assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class, () ->
                new Escalation(Escalation.VERSION, "x", "s", "d", 99, 2, 16, "m", 1.0, SAMPLES, 0)).code());
    }
}
