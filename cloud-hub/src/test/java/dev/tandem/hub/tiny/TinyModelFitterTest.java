package dev.tandem.hub.tiny;

import dev.tandem.hub.stats.SymmetricEigen;
import dev.tandem.shared.policy.Decision;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.window.Feature;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyModelFitterTest {
    private static final double[][] COMMISSIONING = SyntheticLine.rows(1, 0, 400, 5);
    private static final double[][] LATER = SyntheticLine.rows(1, 400, 1200, 5);

    /** An independent, straightforward computation of the documented tiny-model score. */
    static double referenceScore(TinyModel m, double[][] window) {
        int n = window.length, channels = m.channels();
        List<Feature> features = m.features();
        double[] x = new double[features.size() * channels];
        for (int f = 0; f < features.size(); f++) {
            for (int c = 0; c < channels; c++) {
                double mean = 0;
                for (double[] row : window) {
                    mean += row[c];
                }
                mean /= n;
                double var = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE, num = 0, den = 0;
                for (int i = 0; i < n; i++) {
                    double v = window[i][c];
                    var += (v - mean) * (v - mean);
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    double ti = i - (n - 1) / 2.0;
                    num += ti * (v - mean);
                    den += ti * ti;
                }
                x[f * channels + c] = switch (features.get(f)) {
                    case MEAN -> mean;
                    case STD -> Math.sqrt(var / n);
                    case MIN -> min;
                    case MAX -> max;
                    case LAST -> window[n - 1][c];
                    case SLOPE -> num / den;
                };
            }
        }
        double[] center = m.center(), scale = m.scale(), eig = m.eigenvalues();
        double[][] w = m.components();
        double[] z = new double[x.length];
        double norm2 = 0;
        for (int i = 0; i < x.length; i++) {
            z[i] = (x[i] - center[i]) / scale[i];
            norm2 += z[i] * z[i];
        }
        double t2 = 0, proj = 0;
        for (int j = 0; j < w.length; j++) {
            double t = 0;
            for (int i = 0; i < z.length; i++) {
                t += w[j][i] * z[i];
            }
            t2 += t * t / eig[j];
            proj += t * t;
        }
        double q = Math.max(0, norm2 - proj);
        return (t2 / m.t2Limit() + q / m.qLimit()) / m.scoreScale();
    }

    private static double[] scores(TinyModel m, double[][] rows) {
        TinyScorer s = m.scorer();
        int w = m.windowSize();
        double[] out = new double[rows.length - w + 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.score(SyntheticLine.slice(rows, i, w));
        }
        return out;
    }

    /** The channel's standard deviation over the rows (load cycle included). */
    static double std(double[][] rows, int c) {
        double mean = 0, ss = 0;
        for (double[] row : rows) {
            mean += row[c];
        }
        mean /= rows.length;
        for (double[] row : rows) {
            ss += (row[c] - mean) * (row[c] - mean);
        }
        return Math.sqrt(ss / rows.length);
    }

    private static double fractionAtLeast(double[] scores, double threshold) {
        int k = 0;
        for (double s : scores) {
            if (s >= threshold) {
                k++;
            }
        }
        return k / (double) scores.length;
    }

    @Test
    void fit_edgeRuntimeScore_equalsReferenceComputation() {
        for (List<Feature> features : List.of(TinyFitConfig.DEFAULT_FEATURES, List.of(Feature.values()))) {
            TinyModel m = TinyModelFitter.fit(COMMISSIONING, TinyFitConfig.builder().features(features).build(), "v1");
            Random r = new Random(3);
            for (int i = 0; i < 300; i++) {
                double[][] window = SyntheticLine.slice(LATER, r.nextInt(LATER.length - 10), 10);
                if (i % 3 == 0) {
                    window = SyntheticLine.levelShift(window, r.nextInt(5), r.nextInt(10), 10, r.nextGaussian() * 3);
                }
                double expected = referenceScore(m, window);
                // a fresh scorer: its first score is not smoothed (smoothing is checked in TinyScorerTest)
                assertEquals(expected, m.scorer().score(window), 1e-6 * Math.max(1, Math.abs(expected)), "window " + i);
            }
        }
    }

    @Test
    void fit_modelSurvivesCodec_andScoresIdentically() {
        TinyModel m = TinyModelFitter.fit(COMMISSIONING, TinyFitConfig.defaults(), "dev-7.1");
        byte[] bytes = TinyModelCodec.encode(m);
        TinyModel back = TinyModelCodec.verifyAndDecode(TinyModelCodec.manifest(m, bytes), bytes);
        assertEquals(m, back);
        double[] a = scores(m, LATER), b = scores(back, LATER);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 0.0);
        }
    }

    @Test
    void fit_onNormalData_flagsAboutTheTargetFractionOfWindows() {
        TinyModel m = TinyModelFitter.fit(COMMISSIONING, TinyFitConfig.defaults(), "v1");
        double commissioning = fractionAtLeast(scores(m, COMMISSIONING), 1.0);
        double later = fractionAtLeast(scores(m, LATER), 1.0);
        assertTrue(commissioning < 0.02, "commissioning windows >= 1.0: " + commissioning);
        assertTrue(later < 0.05, "later normal windows >= 1.0: " + later);
        assertTrue(m.parameterCount() < 1000, m.toString());
    }

    @Test
    void fit_shiftedChannel_scoresFarAboveThreshold() {
        TinyModel m = TinyModelFitter.fit(COMMISSIONING, TinyFitConfig.defaults(), "v1");
        for (int c = 0; c < 5; c++) {
            // channel 2 lags the load (a temperature): its window mean alone already wanders over its whole
            // range, so only a larger shift stands out from it; the others move with the load together
            double sigmas = c == 2 ? 8 : 3;
            double[][] shifted = SyntheticLine.levelShift(LATER, c, 500, 520, sigmas * std(COMMISSIONING, c));
            double s = m.scorer().score(SyntheticLine.slice(shifted, 505, 10));
            assertTrue(s > 3, "channel " + c + " shifted by " + sigmas + " standard deviations scores " + s);
            assertEquals(Decision.ANOMALY, m.policy().decide(s));
        }
    }

    @Test
    void fit_zeroVarianceChannel_givesFiniteScalesAndStillDetects() {
        double[][] rows = SyntheticLine.copy(COMMISSIONING);
        double[][] later = SyntheticLine.copy(LATER);
        for (double[] row : rows) {
            row[2] = 23.7;
        }
        for (double[] row : later) {
            row[2] = 23.7;
        }
        TinyModel m = TinyModelFitter.fit(rows, TinyFitConfig.defaults(), "v1");
        for (double s : m.scale()) {
            assertTrue(s > 0 && Double.isFinite(s), "scale " + s);
        }
        double[] normal = scores(m, later);
        for (double s : normal) {
            assertTrue(Double.isFinite(s));
        }
        assertTrue(fractionAtLeast(scores(m, rows), 1.0) < 0.02);
        assertTrue(fractionAtLeast(normal, 1.0) < 0.05);
        double[][] shifted = SyntheticLine.levelShift(later, 1, 500, 520, 3 * std(rows, 1));
        assertTrue(m.scorer().score(SyntheticLine.slice(shifted, 505, 10)) > 3);
    }

    @Test
    void fit_bandComesFromConfig_aroundTheThreshold() {
        TinyModel m = TinyModelFitter.fit(COMMISSIONING, TinyFitConfig.builder().band(0.5, 3.0).build(), "v2");
        assertEquals(0.5, m.policy().lower());
        assertEquals(1.0, m.policy().threshold());
        assertEquals(3.0, m.policy().upper());
        TinyModel d = TinyModelFitter.fit(COMMISSIONING, TinyFitConfig.defaults(), "v2");
        assertTrue(d.policy().lower() < 1.0 && d.policy().upper() > 1.0);
        assertEquals("v2", d.version());
    }

    /** The first skeleton's settings: no shrinkage, no drift treatment, in-sample calibration, a fixed band, no level-shift stage. */
    private static TinyFitConfig.Builder firstSkeleton() {
        return TinyFitConfig.builder().limitQuantile(0.99).thresholdQuantile(0.995).smoothing(0).band(0.6, 2.0)
                .shrinkage(0).driftWindow(0).driftTolerance(1.0).driftPower(0).calibrationFolds(0).escalationBudget(0)
                .crossFitted(false).coupledDrift(false).levelShift(null);
    }

    @Test
    void fit_isDeterministic_andKeepsAtMostDMinusOneComponents() {
        // varianceFraction < 1 keeps at most d - 1 (1 keeps all d: a pure T2, as the defaults do)
        TinyFitConfig partial = firstSkeleton().varianceFraction(0.99).build();
        TinyModel a = TinyModelFitter.fit(COMMISSIONING, partial, "v1");
        TinyModel b = TinyModelFitter.fit(SyntheticLine.copy(COMMISSIONING), partial, "v1");
        assertEquals(a, b);
        assertTrue(a.components().length >= 1 && a.components().length <= a.dimension() - 1);
        TinyModel all = TinyModelFitter.fit(COMMISSIONING, firstSkeleton().varianceFraction(1.0).build(), "v1");
        assertTrue(all.components().length > a.components().length);
        assertEquals(all.dimension(), all.components().length);
        assertEquals(TinyModelFitter.fit(COMMISSIONING, TinyFitConfig.defaults(), "v1"),
                TinyModelFitter.fit(SyntheticLine.copy(COMMISSIONING), TinyFitConfig.defaults(), "v1"));
    }

    @Test
    void fit_componentsAreOrthonormalEigenvectorsOfTheFeatureCovariance() {
        double[][] cov = {{4, 1, 0.5}, {1, 3, 0.2}, {0.5, 0.2, 1}};
        SymmetricEigen e = SymmetricEigen.of(cov);
        for (int j = 0; j < 3; j++) {
            double[] v = e.vector(j);
            for (int i = 0; i < 3; i++) {
                double av = 0;
                for (int k = 0; k < 3; k++) {
                    av += cov[i][k] * v[k];
                }
                assertEquals(e.values()[j] * v[i], av, 1e-12);
            }
        }
        assertTrue(e.values()[0] >= e.values()[1] && e.values()[1] >= e.values()[2]);
    }

    @Test
    void fit_badInput_isRefusedWithACode() {
        assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class,
                () -> TinyModelFitter.fit(SyntheticLine.slice(COMMISSIONING, 0, 15), TinyFitConfig.defaults(), "v1")).code());
        double[][] nan = SyntheticLine.copy(COMMISSIONING);
        nan[7][1] = Double.NaN;
        assertEquals(ErrorCode.NON_FINITE_VALUE, assertThrows(TandemException.class,
                () -> TinyModelFitter.fit(nan, TinyFitConfig.defaults(), "v1")).code());
        double[][] ragged = SyntheticLine.copy(COMMISSIONING);
        ragged[3] = new double[4];
        assertEquals(ErrorCode.CHANNEL_MISMATCH, assertThrows(TandemException.class,
                () -> TinyModelFitter.fit(ragged, TinyFitConfig.defaults(), "v1")).code());
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class,
                () -> TinyFitConfig.builder().band(1.2, 2.0).build()).code());
    }
}
