package dev.tandem.shared.wire;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.signing.RolloutRules;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Messages of the previous release are read; versions this build does not know are refused by code. */
class MixedVersionsTest {
    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aVersion2ModelStateReadsWithItsOldStateNames() {
        ModelState received = Wire.decode(json("{\"v\":2,\"site\":\"plant\",\"device\":\"m1\",\"version\":\"tiny-1\","
                + "\"state\":\"RECEIVED\",\"code\":null,\"reason\":null,\"ts\":5}"), ModelState.class);
        assertEquals(ModelState.State.VERIFYING, received.state());
        assertEquals(ModelState.VERSION, received.v(), "upgraded as it is read");
        assertNull(received.generation());
        ModelState rejected = Wire.decode(json("{\"v\":2,\"site\":\"plant\",\"device\":\"m1\",\"version\":\"tiny-1\","
                + "\"state\":\"REJECTED\",\"code\":\"ARTIFACT_HASH_MISMATCH\",\"reason\":\"bad\",\"ts\":5}"), ModelState.class);
        assertEquals(ModelState.State.FAILED, rejected.state());
        assertEquals(ErrorCode.ARTIFACT_HASH_MISMATCH, rejected.code());
    }

    @Test
    void versionsOutsideTheKnownRangeAreRefusedByCode() {
        for (int v : new int[]{1, 4, 99}) {
            TandemException e = assertThrows(TandemException.class, () -> Wire.decode(json("{\"v\":" + v
                    + ",\"site\":\"plant\",\"device\":\"m1\",\"version\":\"t\",\"state\":\"ACTIVE\",\"ts\":5}"), ModelState.class));
            assertEquals(ErrorCode.UNKNOWN_SCHEMA_VERSION, e.code(), "v" + v);
        }
    }

    @Test
    void aVersion3MessageMissingAFieldIsStillRefused() {
        TandemException e = assertThrows(TandemException.class, () -> Wire.decode(json("{\"v\":3,\"site\":\"plant\","
                + "\"device\":\"m1\",\"version\":\"t\",\"state\":\"ACTIVE\",\"code\":null,\"reason\":null,\"ts\":5}"),
                ModelState.class));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
    }

    @Test
    void anUnknownStateOrAStateWithoutWhatItNeedsIsInvalid() {
        TandemException e = assertThrows(TandemException.class, () -> Wire.decode(json("{\"v\":3,\"site\":\"plant\","
                + "\"device\":\"m1\",\"version\":\"t\",\"state\":\"DANCING\",\"code\":null,\"reason\":null,\"ts\":5,"
                + "\"generation\":null,\"rollout\":null,\"shadow\":null}"), ModelState.class));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertThrows(TandemException.class, () -> ModelState.rolledBack("plant", "m1", "t", null, " "));
        assertThrows(TandemException.class, () -> ModelState.active("plant", "m1", "t")
                .withShadow(ShadowReport.EMPTY).about(0L, null));
        assertThrows(TandemException.class, () -> new ShadowReport(10, 11, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void aVersion3ModelStateRoundTripsWithItsShadowFigures() {
        ModelState s = ModelState.shadow("plant", "m1", "tiny-2", new ShadowReport(100, 97, 4, 3, 5, 5, 4, 60_000))
                .about(7L, "r-1");
        ModelState back = Wire.decode(Wire.encode(s), ModelState.class);
        assertEquals(s, back);
        assertEquals(0.97, back.shadow().agreement(), 1e-12);
        assertEquals(0.8, back.shadow().activeAccuracy(), 1e-12);
    }

    @Test
    void aVersion1ManifestReadsWithoutRules() {
        ModelManifest m = Wire.decode(json("{\"v\":1,\"site\":\"plant\",\"device\":\"m1\",\"deviceClass\":\"pi-4\","
                + "\"generation\":3,\"version\":\"tiny-abc\",\"parentVersion\":null,\"format\":\"tandem-tiny-pca/2\","
                + "\"sizeBytes\":10,\"sha256\":\"" + "a".repeat(64) + "\",\"issuedAt\":1}"), ModelManifest.class);
        assertEquals(1, m.v());
        assertNull(m.rules());
        RolloutRules rules = new RolloutRules("r-1", 60_000, 5, 0.9, 600_000, 100, RolloutRules.Band.upTo(0.2),
                new RolloutRules.Band(0.0, 0.15));
        ModelManifest v2 = Wire.decode(Wire.encode(m.withRules(rules)), ModelManifest.class);
        assertEquals(rules, v2.rules());
        assertThrows(TandemException.class, () -> new RolloutRules.Band(0.5, 0.4));
    }

    @Test
    void aVersion2ReadingBatchReadsWithoutChannelNames_andAVersion3OneCarriesThem() {
        ReadingBatch old = Wire.decode(json("{\"v\":2,\"site\":\"plant\",\"device\":\"m1\",\"epoch\":0,"
                + "\"samples\":[{\"seq\":1,\"ts\":5,\"values\":[1.0,2.0]}]}"), ReadingBatch.class);
        assertNull(old.channels());
        assertEquals(ReadingBatch.VERSION, old.v(), "upgraded as it is read");
        ReadingBatch named = ReadingBatch.of("plant", "m1", 0, old.samples(), java.util.List.of("flow", "pressure"));
        assertEquals(named, Wire.decode(Wire.encode(named), ReadingBatch.class));
        // no names: the field is not written, so a batch costs what it did
        assertEquals(-1, new String(Wire.encode(old), StandardCharsets.UTF_8).indexOf("channels"));
        for (java.util.List<String> bad : java.util.List.of(java.util.List.of("flow"), java.util.List.of("flow", "flow"),
                java.util.List.of("flow", " "), java.util.List.of("flow", "x".repeat(65)))) {
            assertThrows(TandemException.class, () -> ReadingBatch.of("plant", "m1", 0, old.samples(), bad), bad::toString);
        }
        TandemException e = assertThrows(TandemException.class, () -> Wire.decode(json("{\"v\":3,\"site\":\"plant\","
                + "\"device\":\"m1\",\"epoch\":0,\"samples\":[{\"seq\":1,\"ts\":5,\"values\":[1.0,2.0]}],"
                + "\"channels\":[\"flow\"]}"), ReadingBatch.class));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertEquals(ErrorCode.UNKNOWN_SCHEMA_VERSION, assertThrows(TandemException.class, () -> Wire.decode(json(
                "{\"v\":4,\"site\":\"plant\",\"device\":\"m1\",\"epoch\":0,\"samples\":[]}"), ReadingBatch.class)).code());
    }

    @Test
    void aVersion2AlarmReadsWithoutChannelNames_andNamedTakesThemFromTheReadings() {
        Alarm old = Wire.decode(json("{\"v\":2,\"site\":\"plant\",\"device\":\"m1\",\"episode\":\"e1\","
                + "\"phase\":\"ONSET\",\"windowId\":9,\"ts\":9,\"onsetTs\":9,\"heldMillis\":0,\"windows\":1,"
                + "\"score\":2.0,\"peakScore\":2.0,\"channels\":[1,0],\"source\":\"EDGE\",\"modelVersion\":\"tiny-1\"}"),
                Alarm.class);
        assertNull(old.channelNames());
        assertEquals(Alarm.VERSION, old.v());
        Alarm named = old.named(java.util.List.of("flow", "pressure", "temperature"));
        assertEquals(java.util.List.of("pressure", "flow"), named.channelNames());
        assertEquals(named, Wire.decode(Wire.encode(named), Alarm.class));
        assertEquals(old, old.named(null));
        assertEquals(old, old.named(java.util.List.of("flow")), "names that do not cover the channels: none");
        assertThrows(TandemException.class, () -> new Alarm(Alarm.VERSION, "plant", "m1", "e1", Alarm.Phase.ONSET, 9, 9, 9,
                0, 1, 2.0, 2.0, java.util.List.of(0), Alarm.Source.EDGE, "t", java.util.List.of("a", "b")));
    }

    @Test
    void aVersion2AssignmentWithItsArtifactInlineIsRead_andVersion3NeedsNone() {
        String inline = "{\"v\":2,\"site\":\"plant\",\"device\":\"m1\",\"manifest\":null,\"artifact\":\"AAEC\","
                + "\"contextSize\":12,\"assignedAt\":5}";
        ModelAssignment v2 = Wire.decode(json(inline), ModelAssignment.class);
        assertEquals(2, v2.v());
        assertEquals(3, v2.artifactBytes().length);
        TandemException noArtifact = assertThrows(TandemException.class, () -> Wire.decode(json(inline
                .replace("\"AAEC\"", "null")), ModelAssignment.class));
        assertEquals(ErrorCode.INVALID_FIELD, noArtifact.code(), "version 2 carries the artifact");
        ModelAssignment v3 = Wire.decode(json(inline.replace("\"v\":2", "\"v\":3").replace("\"AAEC\"", "null")),
                ModelAssignment.class);
        assertEquals(false, v3.inline());
        assertEquals(ErrorCode.UNKNOWN_SCHEMA_VERSION, assertThrows(TandemException.class, () -> Wire.decode(
                json(inline.replace("\"v\":2", "\"v\":4")), ModelAssignment.class)).code());
    }
}
