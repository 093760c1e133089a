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
    void classes_areChecked_andAnUnknownClassRunsFullPrecision() {
        ClassVariants v = new ClassVariants(Set.of("pi-zero", "esp32"));
        assertEquals(ClassVariants.Variant.INT8, v.variantOf("esp32"));
        assertEquals(ClassVariants.Variant.FULL, v.variantOf("x86"));
        assertEquals(ClassVariants.Variant.FULL, v.variantOf(null));
        assertEquals(ErrorCode.INVALID_CONFIG,
                assertThrows(TandemException.class, () -> new ClassVariants(Set.of("bad class!"))).code());
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, () -> new ClassVariants(null)).code());
    }
}
