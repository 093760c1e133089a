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
 * on SKAB, see the README's "Model variants"); the classes in {@code prunedClasses} get a pruned one
 * (fitted again through the one fit path keeping only the principal components that explain
 * {@link #PRUNED_VARIANCE} of the variance, the rest watched by the residual statistic, and calibrated
 * anew); a class in both gets the pruned model in int8; every other class the full-precision model.
 * A device names its class at commissioning; the hub fits once and ships the variant of the device's
 * class (the large model, the teacher, always learns from the full-precision model).
 */
public record ClassVariants(Set<String> int8Classes, Set<String> prunedClasses) {
    /** The smallest boards of the fleet: a Pi Zero has 512 MB for everything. */
    public static final Set<String> DEFAULT_INT8_CLASSES = Set.of("pi-zero");
    /** The share of the (standardized) feature variance a pruned variant's components explain. */
    public static final double PRUNED_VARIANCE = 0.9;
    /** Suffix of the version of a pruned variant (before the int8 suffix, when both). */
    public static final String PRUNED_SUFFIX = "-p";

    /** The variants a device class can get. */
    public enum Variant {
        FULL, INT8, PRUNED, PRUNED_INT8;

        public boolean int8() {
            return this == INT8 || this == PRUNED_INT8;
        }

        public boolean pruned() {
            return this == PRUNED || this == PRUNED_INT8;
        }

        /** The variant of a model, from its version's suffixes. */
        public static Variant ofVersion(String version) {
            boolean q8 = version.endsWith(TinyModel.Q8_SUFFIX);
            String base = q8 ? version.substring(0, version.length() - TinyModel.Q8_SUFFIX.length()) : version;
            boolean pruned = base.endsWith(PRUNED_SUFFIX);
            return pruned ? (q8 ? PRUNED_INT8 : PRUNED) : (q8 ? INT8 : FULL);
        }
    }

    public ClassVariants {
        int8Classes = classes("int8", int8Classes);
        prunedClasses = classes("pruned", prunedClasses);
    }

    /** int8 for {@code int8Classes}, no class pruned. */
    public ClassVariants(Set<String> int8Classes) {
        this(int8Classes, Set.of());
    }

    private static Set<String> classes(String what, Set<String> classes) {
        if (classes == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, what + " classes must not be null");
        }
        for (String c : classes) {
            try {
                Checks.id("device class", c);
            } catch (TandemException e) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, what + " classes: " + e.getMessage());
            }
        }
        return Set.copyOf(new TreeSet<>(classes));
    }

    public static ClassVariants defaults() {
        return new ClassVariants(DEFAULT_INT8_CLASSES);
    }

    /** Every class the full-precision model. */
    public static ClassVariants none() {
        return new ClassVariants(Set.of());
    }

    public Variant variantOf(String deviceClass) {
        boolean q8 = deviceClass != null && int8Classes.contains(deviceClass);
        boolean pruned = deviceClass != null && prunedClasses.contains(deviceClass);
        return pruned ? (q8 ? Variant.PRUNED_INT8 : Variant.PRUNED) : (q8 ? Variant.INT8 : Variant.FULL);
    }

    @Override
    public String toString() {
        return "int8=" + new TreeSet<>(int8Classes) + " pruned=" + new TreeSet<>(prunedClasses);
    }
}
