package dev.tandem.shared.tiny;

import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.window.SlidingWindow;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyScorerTest {

    /** Reference: features, standardise, project, T2 and Q written out plainly from the format's definition. */
    static double reference(TinyModel m, double[][] rows) {
        int n = rows.length, c = m.channels();
        double[] x = new double[m.dimension()];
        for (int ch = 0; ch < c; ch++) {
            double[] col = new double[n];
            for (int i = 0; i < n; i++) col[i] = rows[i][ch];
            double mean = 0;
            for (double v : col) mean += v;
            mean /= n;
            double var = 0;
            for (double v : col) var += (v - mean) * (v - mean);
            double std = Math.sqrt(var / n);
            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (double v : col) { min = Math.min(min, v); max = Math.max(max, v); }
            double tMean = (n - 1) / 2.0, num = 0, den = 0;
            for (int i = 0; i < n; i++) { num += (i - tMean) * (col[i] - mean); den += (i - tMean) * (i - tMean); }
            double slope = num / den;
            for (int f = 0; f < m.features().size(); f++) {
                double v = switch (m.features().get(f)) {
                    case MEAN -> mean; case STD -> std; case MIN -> min; case MAX -> max;
                    case LAST -> col[n - 1]; case SLOPE -> slope;
                };
                x[f * c + ch] = v;
            }
        }
        double[] center = m.center(), scale = m.scale();
        double[] z = new double[x.length];
        double norm = 0;
        for (int i = 0; i < x.length; i++) { z[i] = (x[i] - center[i]) / scale[i]; norm += z[i] * z[i]; }
        double t2 = 0, proj = 0;
        double[][] w = m.components();
        double[] eig = m.eigenvalues();
        for (int j = 0; j < w.length; j++) {
            double t = 0;
            for (int i = 0; i < z.length; i++) t += w[j][i] * z[i];
            t2 += t * t / eig[j];
            proj += t * t;
        }
        double q = norm - proj;
        return (t2 / m.t2Limit() + q / m.qLimit()) / m.scoreScale();
    }

    @Test
    void score_equalsReferenceComputation_within1e6() {
        Random r = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            TinyModel m = TinyModelFixtures.randomModel(trial, 5, 12, 4);
            double[][] rows = new double[12][5];
            for (double[] row : rows) for (int i = 0; i < 5; i++) row[i] = r.nextGaussian() * 3 + i;
            TinyScorer scorer = m.scorer();
            double expected = reference(m, rows);
            assertEquals(expected, scorer.score(rows), 1e-6 * Math.max(1, Math.abs(expected)));

            SlidingWindow window = new SlidingWindow(20, 5);
            for (int i = 0; i < 3; i++) window.add(new Sample(i, i, new double[]{9, 9, 9, 9, 9}));
            for (int i = 0; i < rows.length; i++) window.add(new Sample(3 + i, 3 + i, rows[i]));
            assertEquals(expected, m.scorer().score(window), 1e-6 * Math.max(1, Math.abs(expected)));
        }
    }

    @Test
    void codec_roundTrip_scoresIdentically_andManifestVerifies() {
        TinyModel m = TinyModelFixtures.randomModel(11, 4, 8, 3);
        byte[] bytes = TinyModelCodec.encode(m);
        var manifest = TinyModelCodec.manifest(m, bytes);
        TinyModel back = TinyModelCodec.verifyAndDecode(manifest, bytes);
        assertEquals(m, back);
        double[][] rows = new double[8][4];
        for (int i = 0; i < 8; i++) rows[i] = new double[]{i, -i, i * 0.5, 3};
        assertEquals(m.scorer().score(rows), back.scorer().score(rows), 0.0);
        assertTrue(bytes.length < 16_384, "kilobytes, not megabytes: " + bytes.length);
    }

    @Test
    void decode_corruptArtifact_isArtifactInvalid() {
        assertEquals(ErrorCode.ARTIFACT_INVALID, assertThrows(TandemException.class,
                () -> TinyModelCodec.decode("{\"format\":\"x\"}".getBytes(StandardCharsets.UTF_8))).code());
        String wrongFormat = new String(TinyModelCodec.encode(TinyModelFixtures.identityModel("a", 2, 2)),
                StandardCharsets.UTF_8).replace(TinyModel.FORMAT, "tandem-tiny-pca/9");
        assertEquals(ErrorCode.ARTIFACT_INVALID, assertThrows(TandemException.class,
                () -> TinyModelCodec.decode(wrongFormat.getBytes(StandardCharsets.UTF_8))).code());
    }

    @Test
    void score_wrongChannelCount_isChannelMismatch() {
        TinyModel m = TinyModelFixtures.identityModel("a", 3, 4);
        assertEquals(ErrorCode.CHANNEL_MISMATCH,
                assertThrows(TandemException.class, () -> m.scorer().score(new double[4][2])).code());
    }

    @Test
    void smoothing_blendsWithPreviousScore() {
        TinyModel base = TinyModelFixtures.identityModel("a", 1, 1);
        TinyModel smooth = TinyModelFixtures.builder(base).version("s").t2Limit(1).qLimit(1).scoreScale(1).smoothing(0.5)
                .build();
        TinyScorer s = smooth.scorer();
        double first = s.score(new double[][]{{2}});
        double second = s.score(new double[][]{{0}});
        assertEquals(first / 2, second, 1e-12);
    }

    @Test
    void policy_splitsScoresIntoThreeDecisions() {
        EscalationPolicy p = new EscalationPolicy(0.5, 1, 2);
        assertEquals(dev.tandem.shared.policy.Decision.NORMAL, p.decide(0.49));
        assertEquals(dev.tandem.shared.policy.Decision.UNCERTAIN, p.decide(0.5));
        assertEquals(dev.tandem.shared.policy.Decision.UNCERTAIN, p.decide(1.99));
        assertEquals(dev.tandem.shared.policy.Decision.ANOMALY, p.decide(2));
        assertTrue(p.edgeSaysAnomaly(1.0));
        assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class, () -> new EscalationPolicy(2, 1, 3)).code());
    }

    @Test
    void drivers_nameTheChannelsThatMoved_strongestFirst() {
        TinyModel m = TinyModelFixtures.identityModel("m", 4, 3);
        TinyScorer scorer = m.scorer();
        assertEquals(0, scorer.drivers().length, "nothing scored yet");
        SlidingWindow w = new SlidingWindow(3, 4);
        for (int i = 0; i < 3; i++) {
            w.add(new Sample(i, i, new double[]{0.1, 6 + i * 0.01, 0, 5}));
        }
        scorer.score(w);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[]{1, 3}, scorer.drivers());
    }
}
