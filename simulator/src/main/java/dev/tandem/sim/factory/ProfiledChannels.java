package dev.tandem.sim.factory;

import java.util.List;

/**
 * Turns the pump's physical quantities into a device type's channels: each channel reads a quantity
 * in its unit or runs a plain signal model, adds its sensor noise, holds its value between its own
 * updates, stays in its range and is quantised. For the plain pump profile it is the identity.
 * Confined to its machine (called under the machine's lock).
 */
final class ProfiledChannels {
    private final DeviceProfile profile;
    private final int n;
    private final Units.Conversion[] conversion;
    private final double[] sigma;
    private final double[] low;
    private final double[] high;
    private final long[] holdEvery;
    private final double[] last;
    private final double[] walk;
    private final Rng rng;

    ProfiledChannels(DeviceProfile profile, double[] physicalSigma, Rng rng) {
        this.profile = profile;
        this.rng = rng;
        List<ChannelProfile> cs = profile.channels();
        n = cs.size();
        conversion = new Units.Conversion[n];
        sigma = new double[n];
        low = new double[n];
        high = new double[n];
        holdEvery = new long[n];
        last = new double[n];
        walk = new double[n];
        for (int c = 0; c < n; c++) {
            ChannelProfile p = cs.get(c);
            conversion[c] = p.conversion();
            low[c] = p.low();
            high[c] = p.high();
            holdEvery[c] = p.rateHz() > 0 ? Math.round(profile.rateHz() / p.rateHz()) : 1;
            walk[c] = p.base();
            double s;
            if (p.model().isPhysical()) {
                double phys = physicalSigma[p.model().physical().index()] * Math.abs(conversion[c].scale());
                s = Math.sqrt(phys * phys + p.noise() * p.noise());
            } else {
                s = p.noise() > 0 ? p.noise()
                        : p.amplitude() > 0 ? 0.05 * p.amplitude() : Math.max(0.01 * Math.abs(p.base()), 0.01);
            }
            sigma[c] = Math.max(s, p.quantum());
        }
    }

    DeviceProfile profile() {
        return profile;
    }

    /** Each channel's noise in its unit: the unit of fault magnitudes. */
    double[] sigma() {
        return sigma;
    }

    /** The healthy value of every channel at sample {@code s}, from the pump's quantities {@code physical}. */
    double[] map(long s, double[] physical) {
        double[] v = new double[n];
        double t = s / profile.rateHz();
        for (int c = 0; c < n; c++) {
            ChannelProfile p = profile.channels().get(c);
            switch (p.model()) {
                case CONSTANT -> v[c] = p.base();
                case SINE -> v[c] = p.base() + p.amplitude() * Math.sin(2 * Math.PI * t / p.periodSeconds());
                case RANDOM_WALK -> {
                    double tau = Math.max(1, p.periodSeconds() * profile.rateHz());
                    walk[c] += (p.base() - walk[c]) / tau + p.amplitude() * Math.sqrt(2 / tau) * rng.gaussian();
                    v[c] = walk[c];
                }
                default -> v[c] = conversion[c].apply(physical[p.model().physical().index()]);
            }
            if (p.noise() > 0) {
                v[c] += p.noise() * rng.gaussian();
            }
        }
        return v;
    }

    /** Holds channels between their updates, clamps them to their range and quantises them. */
    void finish(long s, double[] v) {
        for (int c = 0; c < n; c++) {
            if (holdEvery[c] > 1 && s % holdEvery[c] != 0) {
                v[c] = last[c];
                continue;
            }
            double x = Math.max(low[c], Math.min(high[c], v[c]));
            double q = profile.channels().get(c).quantum();
            if (q > 0) {
                x = Math.rint(x / q) * q;
            }
            v[c] = x;
            last[c] = x;
        }
    }
}
