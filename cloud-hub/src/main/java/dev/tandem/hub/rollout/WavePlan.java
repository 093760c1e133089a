package dev.tandem.hub.rollout;

import dev.tandem.shared.error.TandemException;

import java.util.ArrayList;
import java.util.List;

/**
 * A rollout's waves as cumulative sizes (default: 1 device, 5 %, 25 %, 100 %), each with its gate.
 * Sizes grow from wave to wave and the last one is 100 % of the target ({@link #of} refuses anything
 * else with {@code INVALID_FIELD}).
 *
 * <p><b>Rounding rule</b> ({@link #counts}): for a target of {@code n} devices, wave {@code i} reaches
 * {@code c(i) = min(n, max(ceil(share(i) * n), c(i-1) + 1))} devices (a size in devices reaches that
 * many), so every wave adds at least one device; waves after the one that reaches {@code n} are
 * dropped. For 1,000 devices the default reaches 1, 50, 250, 1000; for 10 devices 1, 2, 3, 10; for 2
 * devices 1, 2.
 */
public record WavePlan(List<WaveSpec> waves) {
    /** Most waves a rollout has. */
    public static final int MAX_WAVES = 20;

    public WavePlan {
        if (waves == null || waves.isEmpty()) {
            throw TandemException.invalid("a rollout has at least one wave");
        }
        waves = List.copyOf(waves);
        if (waves.size() > MAX_WAVES) {
            throw TandemException.invalid("a rollout has at most " + MAX_WAVES + " waves, got " + waves.size());
        }
        WaveSize last = waves.get(waves.size() - 1).size();
        if (!last.isShare() || last.share() != 1.0) {
            throw TandemException.invalid("the last wave must reach 100% of the target, got " + last);
        }
        for (int i = 1; i < waves.size(); i++) {
            WaveSize before = waves.get(i - 1).size();
            WaveSize now = waves.get(i).size();
            boolean grows = before.isShare() ? now.isShare() && now.share() > before.share()
                    : now.isShare() || now.devices() > before.devices();
            if (!grows) {
                throw TandemException.invalid("waves are cumulative and must grow: wave " + (i + 1) + " (" + now
                        + ") does not reach beyond wave " + i + " (" + before + ")");
            }
        }
    }

    /** The default: 1 device, 5 %, 25 %, 100 %, each with {@link WaveGate#defaults()}. */
    public static WavePlan defaults() {
        return uniform(WaveGate.defaults(), WaveSize.devices(1), WaveSize.share(0.05), WaveSize.share(0.25),
                WaveSize.share(1.0));
    }

    /** The given sizes, each with the same gate. */
    public static WavePlan uniform(WaveGate gate, WaveSize... sizes) {
        List<WaveSpec> specs = new ArrayList<>(sizes.length);
        for (WaveSize s : sizes) {
            specs.add(new WaveSpec(s, gate));
        }
        return new WavePlan(specs);
    }

    /**
     * The cumulative number of devices each wave reaches for a target of {@code total} devices (see the
     * rounding rule above); as many entries as waves remain, the last one {@code total}.
     */
    public List<Integer> counts(int total) {
        if (total < 1) {
            throw TandemException.invalid("a rollout's target must hold at least one device");
        }
        List<Integer> out = new ArrayList<>();
        int reached = 0;
        for (WaveSpec w : waves) {
            if (reached == total) {
                break;
            }
            reached = Math.min(total, Math.max(w.size().reach(total), reached + 1));
            out.add(reached);
        }
        return List.copyOf(out);
    }
}
