package dev.tandem.hub.fit;

import dev.tandem.hub.large.LargeModelConfig;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.tiny.TinyFitConfig;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Commissioning;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassVariantsTest {
    private static final FitSettings SETTINGS = new FitSettings(TinyFitConfig.defaults(),
            LargeModelConfig.builder().steps(20).build());

    private static Commissioning set(String deviceClass) {
        Commissioning c = Signals.commissioning("s1", "m1", 400);
        return Commissioning.of(c.site(), c.device(), deviceClass, c.samples());
    }

    @Test
    void aSmallClass_getsTheInt8Variant_ofTheSameFit_andTheTeacherIsTheSame() {
        FittedDevice full = DeviceFitter.fit(set("pi-4"), SETTINGS);
        FittedDevice small = DeviceFitter.fit(set("pi-zero"), SETTINGS);
        try (var a = full.large(); var b = small.large()) {
            assertFalse(full.tiny().int8());
            assertTrue(small.tiny().int8());
            assertEquals(full.tiny().quantized(), small.tiny(), "the variant of the one fit, nothing else");
            assertEquals(full.tiny().version() + TinyModel.Q8_SUFFIX, small.tiny().version());
            assertEquals(a.version(), b.version(), "the large model learns from the full-precision model either way");
            assertEquals(full.fingerprint(), small.fingerprint());
        }
        assertEquals(DeviceFitter.fit(set("pi-zero"), SETTINGS.withVariants(ClassVariants.none())).tiny(), full.tiny(),
                "with no int8 class every class runs full precision");
        assertTrue(DeviceFitter.fitTiny(set("pi-zero"), SETTINGS).int8(), "a rollout's recipe ships the class's variant too");
    }

    @Test
    void aPrunedClass_getsFewerComponents_refittedAndCalibrated_andInt8OnTop() {
        ClassVariants v = new ClassVariants(Set.of("pi-zero"), Set.of("pi-zero", "pi-3"));
        FitSettings settings = SETTINGS.withVariants(v);
        TinyModel full = DeviceFitter.fitTiny(set("pi-4"), settings);
        TinyModel pruned = DeviceFitter.fitTiny(set("pi-3"), settings);
        TinyModel both = DeviceFitter.fitTiny(set("pi-zero"), settings);
        assertTrue(pruned.components().length < full.components().length,
                pruned.components().length + " of " + full.components().length + " components");
        assertTrue(pruned.parameterCount() < full.parameterCount());
        assertEquals(full.version() + ClassVariants.PRUNED_SUFFIX, pruned.version());
        assertEquals(pruned.quantized(), both, "pruned, then int8");
        assertEquals(ClassVariants.Variant.PRUNED_INT8, ClassVariants.Variant.ofVersion(both.version()));
        assertEquals(ClassVariants.Variant.PRUNED, ClassVariants.Variant.ofVersion(pruned.version()));
        assertEquals(ClassVariants.Variant.FULL, ClassVariants.Variant.ofVersion(full.version()));
        // calibrated anew: on its own commissioning windows the pruned model alarms about as rarely as the full one
        double[] rates = new double[2];
        TinyModel[] models = {full, pruned};
        var samples = set("x").samples();
        for (int m = 0; m < 2; m++) {
            var scorer = models[m].scorer();
            var window = new dev.tandem.shared.window.SlidingWindow(models[m].windowSize(), models[m].channels());
            int alarms = 0, n = 0;
            for (int i = 0; i < samples.size(); i++) {
                window.add(samples.get(i));
                if (i >= models[m].windowSize() - 1) {
                    alarms += models[m].policy().edgeSaysAnomaly(scorer.score(window)) ? 1 : 0;
                    n++;
                }
            }
            rates[m] = alarms / (double) n;
        }
        assertTrue(rates[1] < 0.1, "the pruned model's threshold is its own: " + rates[1] + " (full " + rates[0] + ")");
    }

    @Test
    void classes_areChecked_andAnUnknownClassRunsFullPrecision() {
        ClassVariants v = new ClassVariants(Set.of("pi-zero", "esp32"));
        assertEquals(ClassVariants.Variant.INT8, v.variantOf("esp32"));
        assertEquals(ClassVariants.Variant.FULL, v.variantOf("x86"));
        assertEquals(ClassVariants.Variant.FULL, v.variantOf(null));
        assertEquals(ErrorCode.INVALID_CONFIG,
                assertThrows(TandemException.class, () -> new ClassVariants(Set.of("bad class!"))).code());
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, () -> new ClassVariants(null)).code());
        assertEquals(ErrorCode.INVALID_CONFIG,
                assertThrows(TandemException.class, () -> new ClassVariants(Set.of(), Set.of("no way"))).code());
        assertEquals(ClassVariants.Variant.PRUNED, new ClassVariants(Set.of(), Set.of("pi-3")).variantOf("pi-3"));
    }
}
