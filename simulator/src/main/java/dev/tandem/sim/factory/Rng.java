package dev.tandem.sim.factory;

import java.util.SplittableRandom;

/**
 * A seeded random stream with Gaussian draws computed here (Box-Muller), so that a seed gives the
 * same stream on every JDK.
 */
final class Rng {
    private final SplittableRandom random;
    private double spare;
    private boolean hasSpare;

    Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Seed of an independent stream: SplitMix64 finalizer over the parts. */
    static long derive(long seed, long a, long b) {
        long z = seed;
        z = mix(z + 0x9E3779B97F4A7C15L * (a + 1));
        z = mix(z + 0xBF58476D1CE4E5B9L * (b + 1));
        return z;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    double uniform() {
        return random.nextDouble();
    }

    double uniform(double lo, double hi) {
        return lo + (hi - lo) * random.nextDouble();
    }

    /** Uniform integer in [lo, hi] (both inclusive). */
    int between(int lo, int hi) {
        return lo + random.nextInt(hi - lo + 1);
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    double sign() {
        return random.nextBoolean() ? 1.0 : -1.0;
    }

    /** Exponential with the given mean. */
    double exponential(double mean) {
        return -mean * Math.log(1.0 - random.nextDouble());
    }

    double gaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1 = 1.0 - random.nextDouble(); // (0, 1]
        double u2 = random.nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        double theta = 2.0 * Math.PI * u2;
        spare = r * Math.sin(theta);
        hasSpare = true;
        return r * Math.cos(theta);
    }
}
