package dev.tandem.edge;

import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.signing.ManifestSigner;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.wire.ArtifactManifest;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.window.Feature;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Real tiny models built by hand for the tests: the feature is each channel's newest value (LAST),
 * the components are the identity, eigenvalues 1 and t2Limit = channels, so the score of a window is
 * exactly mean_c(z_c^2) with z_c = (last_c - center_c) / scale_c, and a test sets a window's score by
 * the value of one sample: {@link #row(TinyModel, double)}.
 *
 * <p>Policy: NORMAL below 1, UNCERTAIN from 1 to 6 (the edge alone says anomaly from 2), ANOMALY from 6.
 */
public final class TestModels {
    public static final EscalationPolicy POLICY = new EscalationPolicy(1.0, 2.0, 6.0);
    /** z of a clearly normal sample (score 0). */
    public static final double NORMAL = 0.0;
    /** z of an uncertain sample the edge alone calls normal (score 1.44). */
    public static final double UNCERTAIN_LOW = 1.2;
    /** z of an uncertain sample the edge alone calls anomalous (score 4). */
    public static final double UNCERTAIN_HIGH = 2.0;
    /** z of an obvious anomaly (score 16). */
    public static final double ANOMALY = 4.0;

    public static final int WINDOW = 4;
    public static final int CONTEXT = 16;

    private TestModels() {
    }

    public static TinyModel model(String version, double[] center, double[] scale) {
        int d = center.length;
        double[][] identity = new double[d][d];
        for (int i = 0; i < d; i++) {
            identity[i][i] = 1;
        }
        double[] ones = new double[d];
        Arrays.fill(ones, 1);
        return new TinyModel(TinyModel.FORMAT, version, d, WINDOW, List.of(Feature.LAST), center, scale, identity, ones,
                d, 1.0, 1.0, 0.0, POLICY);
    }

    /** Two channels centred at 10 and 20 with scales 1 and 2. */
    public static TinyModel standard(String version) {
        return model(version, new double[]{10, 20}, new double[]{1, 2});
    }

    /** The model a hub would fit on commissioning samples: per-channel mean and standard deviation. */
    public static TinyModel fit(String version, List<Sample> samples) {
        int c = samples.get(0).channels();
        double[] mean = new double[c];
        double[] sd = new double[c];
        for (Sample s : samples) {
            for (int i = 0; i < c; i++) {
                mean[i] += s.value(i) / samples.size();
            }
        }
        for (Sample s : samples) {
            for (int i = 0; i < c; i++) {
                double dv = s.value(i) - mean[i];
                sd[i] += dv * dv / samples.size();
            }
        }
        for (int i = 0; i < c; i++) {
            sd[i] = Math.max(1e-6, Math.sqrt(sd[i]));
        }
        return model(version, mean, sd);
    }

    /** A sample row whose window scores z^2 under {@code m} (every channel at z standard deviations). */
    public static double[] row(TinyModel m, double z) {
        double[] c = m.center();
        double[] s = m.scale();
        double[] r = new double[c.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = c[i] + z * s[i];
        }
        return r;
    }

    /** {@code m} assigned by the tests' hub key, with a fresh generation. */
    public static ModelAssignment assignment(String site, String device, TinyModel m) {
        return TestKeys.assignment(site, device, m, CONTEXT);
    }

    /** The hub's signed manifest of {@code m} but the bytes of a model that was altered afterwards: sha256 mismatch. */
    public static ModelAssignment tampered(String site, String device, TinyModel m) {
        ModelAssignment genuine = assignment(site, device, m);
        double[] scale = m.scale();
        scale[0] *= 1000; // an attacker desensitising channel 0
        byte[] altered = TinyModelCodec.encode(model(m.version(), m.center(), scale));
        return new ModelAssignment(ModelAssignment.VERSION, site, device, genuine.manifest(),
                Base64.getEncoder().encodeToString(altered), CONTEXT, System.currentTimeMillis());
    }

    /** Bytes that match their signed manifest but are not a tiny model. */
    public static ModelAssignment undecodable(String site, String device, String version) {
        byte[] junk = "{\"this\":\"is not a model\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ModelManifest m = ModelManifest.of(site, device, Commissioning.DEFAULT_CLASS, System.currentTimeMillis(),
                ArtifactManifest.of(version, TinyModel.FORMAT, junk), null);
        return ModelAssignment.of(site, device, new ManifestSigner(TestKeys.HUB).sign(m), junk, CONTEXT);
    }
}
