package dev.tandem.sim.cli;

import dev.tandem.edge.EdgeConfig;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.publish.PublisherConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options that describe the simulated fleet, each defined once: {@code --site},
 * {@code --devices}, {@code --seed}, {@code --rate}, {@code --commissioning}. {@code demo} and
 * {@code sim} take them all (this mixin); {@code edge}, {@code bench} and {@code eval} mix in the
 * ones they take ({@link Site}, {@link Devices}, {@link Seed}, {@link Commissioning}).
 *
 * <p>Every command has the same defaults for the options it shares ({@link #DEFAULT_RATE_HZ},
 * {@link #DEFAULT_COMMISSIONING}); the site and the machine count differ where the command's purpose
 * does (the demo's own site, eval's smaller fleet). picocli shows the mixin's initial value as the default.
 */
final class FleetOptions {
    /** {@code --rate} of every command (readings per second per machine). */
    static final double DEFAULT_RATE_HZ = PublisherConfig.DEFAULT_RATE_PER_DEVICE;
    /** {@code --commissioning} of every command (readings per device before its first model). */
    static final int DEFAULT_COMMISSIONING = EdgeConfig.DEFAULT_COMMISSIONING_SAMPLES;

    /** The site {@code sim} and {@code edge} share by default, so that they find each other. */
    static final String PLANT_SITE = "plant";

    /** {@code --site}: the site id in the topics. */
    static final class Site {
        @Option(names = "--site", paramLabel = "<site>", description = "Site id in the topics (default: ${DEFAULT-VALUE}).")
        String value;

        Site(String value) {
            this.value = value;
        }
    }

    /** {@code --devices}: how many machines are simulated. */
    static final class Devices {
        @Option(names = "--devices", paramLabel = "N",
                description = "Simulated machines, machine-01..machine-NN (default: ${DEFAULT-VALUE}).")
        int value;

        Devices(int value) {
            this.value = value;
        }
    }

    /** {@code --seed}: the simulator's seed. */
    static final class Seed {
        @Option(names = "--seed", paramLabel = "N",
                description = "Simulator seed: the same seed gives the same readings and anomalies (default: ${DEFAULT-VALUE}).")
        long value;

        Seed(long value) {
            this.value = value;
        }
    }

    /** {@code --rate}: readings per second per machine. */
    static final class Rate {
        @Option(names = "--rate", paramLabel = "HZ", description = "Readings per second per machine, in Hz (default: ${DEFAULT-VALUE}).")
        double value;

        Rate() {
            this(DEFAULT_RATE_HZ);
        }

        Rate(double value) {
            this.value = value;
        }
    }

    /** {@code --commissioning}: the readings of a device before its first model. */
    static final class Commissioning {
        @Option(names = "--commissioning", paramLabel = "N",
                description = "Readings per device before its first model (a count of readings, 1..5000): sent to "
                        + "the hub to fit it, and kept free of anomalies by the simulator (default: ${DEFAULT-VALUE}).")
        int value;

        Commissioning() {
            this(DEFAULT_COMMISSIONING);
        }

        Commissioning(int value) {
            this.value = value;
        }
    }

    @Mixin
    Site site;
    @Mixin
    Devices devices;
    @Mixin
    Seed seed;
    @Mixin
    Rate rate;
    @Mixin
    Commissioning commissioning;

    /** The whole fleet: the command's site and machine count, the shared defaults of the rest. */
    FleetOptions(String site, int devices) {
        this.site = new Site(site);
        this.devices = new Devices(devices);
        this.seed = new Seed(SimConfig.DEFAULT_SEED);
        this.rate = new Rate();
        this.commissioning = new Commissioning();
    }

    String site() {
        return site.value;
    }

    int devices() {
        return devices.value;
    }

    long seed() {
        return seed.value;
    }

    double rate() {
        return rate.value;
    }

    int commissioning() {
        return commissioning.value;
    }
}
