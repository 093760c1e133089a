package dev.tandem.sim.cli;

import dev.tandem.hub.fit.ClassVariants;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.large.LargeModelConfig;
import dev.tandem.hub.tiny.TinyFitConfig;
import picocli.CommandLine.Option;

/**
 * How the hub fits a device's models, for the commands that fit them ({@code hub}, {@code eval}): a
 * picocli mixin over {@link TinyFitConfig#defaults()} and {@link LargeModelConfig#defaults()}. A value
 * out of range is refused by those configs with INVALID_CONFIG.
 */
final class FitOptions {
    @Option(names = "--escalation-budget", paramLabel = "SHARE", defaultValue = "" + TinyFitConfig.DEFAULT_ESCALATION_BUDGET,
            description = "Share of normal windows the tiny model's uncertain band should escalate, in [0, 0.5); "
                    + "0: a fixed band (default: ${DEFAULT-VALUE}).")
    double escalationBudget;

    @Option(names = "--context", paramLabel = "N", defaultValue = "" + LargeModelConfig.DEFAULT_CONTEXT,
            description = "Samples of history the hub's large model judges, at most what an escalation carries "
                    + "(default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--no-level-shift", description = "Fit tiny models without their level-shift stage.")
    boolean noLevelShift;

    @Option(names = "--int8-classes", paramLabel = "CLASS[,CLASS...]|none", split = ",",
            description = "Device classes that run the int8 variant of their tiny model (about a fifth of the "
                    + "artifact); none: every class runs full precision (default: pi-zero).")
    java.util.List<String> int8Classes;

    @Option(names = "--pruned-classes", paramLabel = "CLASS[,CLASS...]|none", split = ",",
            description = "Device classes that run a pruned variant of their tiny model (refitted keeping the "
                    + "principal components that explain 90%% of the variance; with --int8-classes too, pruned and "
                    + "int8); none: no class (default: none).")
    java.util.List<String> prunedClasses;

    /** The tiny and large model settings these options select. */
    FitSettings settings() {
        TinyFitConfig.Builder tiny = TinyFitConfig.builder().escalationBudget(escalationBudget);
        if (noLevelShift) {
            tiny.levelShift(null);
        }
        return new FitSettings(tiny.build(), LargeModelConfig.builder().contextSize(context).build(), variants());
    }

    private ClassVariants variants() {
        return new ClassVariants(classes(int8Classes, ClassVariants.DEFAULT_INT8_CLASSES),
                classes(prunedClasses, java.util.Set.of()));
    }

    private static java.util.Set<String> classes(java.util.List<String> given, java.util.Set<String> defaults) {
        if (given == null) {
            return defaults;
        }
        if (given.size() == 1 && given.get(0).equalsIgnoreCase("none")) {
            return java.util.Set.of();
        }
        return java.util.Set.copyOf(given);
    }
}
