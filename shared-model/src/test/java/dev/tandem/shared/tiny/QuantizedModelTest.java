package dev.tandem.shared.tiny;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.ArtifactManifest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizedModelTest {
    private static TinyModel withStage(TinyModel m) {
        int c = m.channels();
        double[] center = new double[c], spread = new double[c], scale = new double[c], weight = new double[c];
        for (int i = 0; i < c; i++) {
            center[i] = 100.123456789 + i;
            spread[i] = 0.3 + 0.01 * i;
            scale[i] = 0.7;
            weight[i] = 1.0 / (1 + i);
        }
        return TinyModelFixtures.builder(m).levelShift(new LevelShift(0.12, 0.014, center, spread, scale, weight, 3.3))
                .build();
    }

    @Property(tries = 60)
    void q8_roundTripsExactly_throughItsArtifact_andIsItsOwnVariant(@ForAll long seed,
                                                                   @ForAll @IntRange(min = 1, max = 8) int channels,
                                                                   @ForAll @IntRange(min = 1, max = 6) int k) {
        TinyModel full = withStage(TinyModelFixtures.randomModel(seed, channels, 10, Math.min(k, channels * 2)));
        TinyModel q = full.quantized();
        assertTrue(q.int8());
        assertFalse(full.int8());
        assertEquals(full.version() + TinyModel.Q8_SUFFIX, q.version());
        assertSame(q, q.quantized());
        byte[] bytes = TinyModelCodec.encode(q);
        TinyModel back = TinyModelCodec.verifyAndDecode(TinyModelCodec.manifest(q, bytes), bytes);
        assertEquals(q, back, "the artifact stands for exactly the quantised values");
        assertArrayEquals(bytes, TinyModelCodec.encode(back), "and encodes to the same bytes again");
        // each component within half a quantisation step of the original
        double[][] a = full.components(), b = q.components();
        for (int j = 0; j < a.length; j++) {
            double step = QuantizedArtifact.componentScale(a[j]);
            for (int i = 0; i < a[j].length; i++) {
                assertTrue(Math.abs(a[j][i] - b[j][i]) <= step / 2 + 1e-15, "component " + j + "," + i);
            }
        }
    }

    @Test
    void q8Artifact_isAtMost40PercentOfTheFullOne() {
        TinyModel full = withStage(TinyModelFixtures.randomModel(7, 8, 10, 8));
        int fullBytes = TinyModelCodec.encode(full).length;
        int q8Bytes = TinyModelCodec.encode(full.quantized()).length;
        assertTrue(q8Bytes <= 0.4 * fullBytes, q8Bytes + " bytes against " + fullBytes);
    }

    @Test
    void q8_scoresNearTheFullModel_onTheSameWindows() {
        TinyModel full = TinyModelFixtures.randomModel(3, 4, 10, 4);
        TinyModel q = full.quantized();
        TinyScorer fs = full.scorer(), qs = q.scorer();
        Random r = new Random(5);
        double[][] rows = new double[10][4];
        double worst = 0;
        for (int t = 0; t < 500; t++) {
            for (double[] row : rows) {
                for (int c = 0; c < row.length; c++) {
                    row[c] = r.nextGaussian();
                }
            }
            double x = fs.score(rows), y = qs.score(rows);
            worst = Math.max(worst, Math.abs(x - y) / Math.max(1e-9, Math.abs(x)));
        }
        assertTrue(worst < 0.05, "relative score difference " + worst);
        assertNotEquals(0.0, worst, "int8 is not bit-equal to double (the test would not see a broken quantiser)");
    }

    @Test
    void badQ8Artifacts_areRefusedWithAStableCode() {
        TinyModel q = TinyModelFixtures.randomModel(9, 2, 10, 2).quantized();
        String json = new String(TinyModelCodec.encode(q), StandardCharsets.UTF_8);
        String[] bad = {
                json.replaceFirst("\"componentsQ8\":\"[^\"]*\"", "\"componentsQ8\":\"AAAA\""),   // too few bytes
                json.replaceFirst("\"componentsQ8\":\"[^\"]*\"", "\"componentsQ8\":\"%%%\""),    // not base64
                json.replaceFirst("\"center\":\"[^\"]*\"", "\"center\":\"AAA\""),                // not float32s
                json.replaceFirst("\"components\":2", "\"components\":9"),                        // more than scales
                json.replaceFirst("\"componentScales\":\\[[^]]*]", "\"componentScales\":null"),
                "[1,2]",
        };
        for (String b : bad) {
            TandemException e = assertThrows(TandemException.class,
                    () -> TinyModelCodec.decode(b.getBytes(StandardCharsets.UTF_8)), b);
            assertEquals(ErrorCode.ARTIFACT_INVALID, e.code(), b);
        }
        // a manifest naming a format nobody knows
        byte[] bytes = TinyModelCodec.encode(q);
        ArtifactManifest m = ArtifactManifest.of(q.version(), "tandem-tiny-pca-q4/1", bytes);
        assertEquals(ErrorCode.ARTIFACT_INVALID,
                assertThrows(TandemException.class, () -> TinyModelCodec.verifyAndDecode(m, bytes)).code());
    }
}
