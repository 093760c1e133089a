package dev.tandem.hub.rollout;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The escalation policies a {@link RolloutChange.Kind#POLICY} rollout may name. A policy changes
 * where a device's tiny model escalates, not what it scores: each device keeps its own running model
 * (weights, threshold) with the new band, under a new version.
 * <ul>
 *   <li>{@code edge-only}: no band, every window decided at the edge (nothing escalated);</li>
 *   <li>{@code band:lower=L:upper=U}: a fixed band, scores in [L, U) times the model's threshold are
 *       escalated (0.01 <= L <= 1 <= U <= 100; either may be left out: 0.5 and 2);</li>
 *   <li>{@code widen:factor=F}: the model's own band widened (F > 1) or narrowed (F < 1) around its
 *       threshold on a log scale: lower / F, upper * F (0.1 <= F <= 10; the band never crosses the threshold).</li>
 * </ul>
 * The candidate's version is the running model's with a policy tag {@code -p<8 hex digits of the band>}
 * (a tag from an earlier policy rollout replaced, so policies do not pile up); a device whose model
 * already has that band is ACTIVE at once and sent nothing.
 */
public final class Policies {
    public static final List<String> NAMES = List.of("edge-only", "band", "widen");
    private static final Pattern TAG = Pattern.compile("-p[0-9a-f]{8}$");

    private Policies() {
    }

    /** A policy resolved: the band it gives a model. */
    public interface Policy {
        EscalationPolicy band(EscalationPolicy current);

        /** {@code model} with this policy's band under its tagged version. */
        default TinyModel apply(TinyModel model) {
            EscalationPolicy b = band(model.policy());
            if (b.equals(model.policy())) {
                return model;
            }
            String base = TAG.matcher(model.version()).replaceFirst("");
            String tag = Hashing.sha256Hex((b.lower() + "|" + b.threshold() + "|" + b.upper())
                    .getBytes(StandardCharsets.UTF_8)).substring(0, 8);
            return model.withPolicy(base + "-p" + tag, b);
        }
    }

    /** The policy a rollout names: {@link ErrorCode#INVALID_FIELD} for an unknown name, parameter or value. */
    public static Policy resolve(String ref) {
        String[] parts = ref.split(":", -1);
        String name = parts[0].toLowerCase(Locale.ROOT);
        double lower = 0.5, upper = 2, factor = Double.NaN;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 1) {
                throw invalid(ref, "a policy parameter is NAME=VALUE, got '" + parts[i] + "'");
            }
            String key = parts[i].substring(0, eq).toLowerCase(Locale.ROOT);
            double v;
            try {
                v = Double.parseDouble(parts[i].substring(eq + 1));
            } catch (NumberFormatException e) {
                throw invalid(ref, "policy parameter " + key + " is a number, got '" + parts[i].substring(eq + 1) + "'");
            }
            switch (name + "." + key) {
                case "band.lower" -> lower = v;
                case "band.upper" -> upper = v;
                case "widen.factor" -> factor = v;
                default -> throw invalid(ref, "policy " + name + " takes " + switch (name) {
                    case "band" -> "lower and upper";
                    case "widen" -> "factor";
                    default -> "no parameters";
                } + ", got '" + key + "'");
            }
        }
        switch (name) {
            case "edge-only" -> {
                return current -> EscalationPolicy.edgeOnly(current.threshold());
            }
            case "band" -> {
                if (!(lower >= 0.01 && lower <= 1) || !(upper >= 1 && upper <= 100)) {
                    throw invalid(ref, "band needs 0.01 <= lower <= 1 <= upper <= 100, got lower " + lower + ", upper " + upper);
                }
                double l = lower, u = upper;
                return current -> new EscalationPolicy(l * current.threshold(), current.threshold(), u * current.threshold());
            }
            case "widen" -> {
                if (!(factor >= 0.1 && factor <= 10)) {
                    throw invalid(ref, "widen needs factor=F with 0.1 <= F <= 10, got " + (Double.isNaN(factor) ? "none" : factor));
                }
                double f = factor;
                return current -> new EscalationPolicy(Math.min(current.threshold(), current.lower() / f),
                        current.threshold(), Math.max(current.threshold(), current.upper() * f));
            }
            default -> throw invalid(ref, "unknown policy '" + parts[0] + "' (known: " + NAMES + ")");
        }
    }

    private static TandemException invalid(String ref, String why) {
        return new TandemException(ErrorCode.INVALID_FIELD, "policy '" + ref + "': " + why);
    }
}
