package dev.tandem.hub.rollout;

import dev.tandem.shared.error.TandemException;

import java.util.regex.Pattern;

/**
 * What a rollout changes across the fleet. Tiny models are per device, so a rollout names a
 * {@link Kind#RECIPE} (each device gets its own model fitted that way, in the variant for its class),
 * a {@link Kind#POLICY}, or one {@link Kind#ARTIFACT} for devices that share it.
 *
 * @param ref the recipe, policy or artifact version ({@code [A-Za-z0-9][A-Za-z0-9_.:=-]{0,127}}, e.g. {@code default:threshold-scale=0.02})
 */
public record RolloutChange(Kind kind, String ref) {
    private static final Pattern REF = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:=-]{0,127}");

    public enum Kind { RECIPE, POLICY, ARTIFACT }

    public RolloutChange {
        if (kind == null) {
            throw TandemException.invalid("a rollout names what it changes: RECIPE, POLICY or ARTIFACT");
        }
        if (ref == null || !REF.matcher(ref).matches()) {
            throw TandemException.invalid("a rollout's " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " must match " + REF.pattern() + ", got '" + (ref == null ? "" : clip(ref)) + "'");
        }
    }

    public static RolloutChange recipe(String name) {
        return new RolloutChange(Kind.RECIPE, name);
    }

    public static RolloutChange policy(String name) {
        return new RolloutChange(Kind.POLICY, name);
    }

    public static RolloutChange artifact(String version) {
        return new RolloutChange(Kind.ARTIFACT, version);
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
