package dev.tandem.hub.fit;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Checks;

import java.util.Set;
import java.util.TreeSet;

/**
 * Which variant of its tiny model each device class runs: the classes in {@code int8Classes} get the
 * int8 variant ({@link TinyModel#quantized()}: about a fifth of the artifact, within a point of F1
 * on SKAB, see the README's "Model variants"), every other class the full-precision model. A device
 * names its class at commissioning; the hub fits once and ships the variant of the device's class
 * (the large model, the teacher, always learns from the full-precision model).
 */
public record ClassVariants(Set<String> int8Classes) {
    /** The smallest boards of the fleet: a Pi Zero has 512 MB for everything. */
    public static final Set<String> DEFAULT_INT8_CLASSES = Set.of("pi-zero");

    /** The variants a device class can get. */
    public enum Variant {
        FULL, INT8
    }

    public ClassVariants {
        if (int8Classes == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "int8Classes must not be null");
        }
        for (String c : int8Classes) {
            try {
                Checks.id("device class", c);
            } catch (TandemException e) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "int8 classes: " + e.getMessage());
            }
        }
        int8Classes = Set.copyOf(new TreeSet<>(int8Classes));
    }

    public static ClassVariants defaults() {
        return new ClassVariants(DEFAULT_INT8_CLASSES);
    }

    /** Every class the full-precision model. */
    public static ClassVariants none() {
        return new ClassVariants(Set.of());
    }

    public Variant variantOf(String deviceClass) {
        return deviceClass != null && int8Classes.contains(deviceClass) ? Variant.INT8 : Variant.FULL;
    }

    /** The model a device of {@code deviceClass} runs, made from the full-precision {@code model}. */
    public TinyModel apply(TinyModel model, String deviceClass) {
        return variantOf(deviceClass) == Variant.INT8 ? model.quantized() : model;
    }

    @Override
    public String toString() {
        return "int8=" + new TreeSet<>(int8Classes);
    }
}
