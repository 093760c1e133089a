package dev.tandem.sim.cli;

import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.publish.PublisherConfig;
import dev.tandem.sim.publish.SensorPublisher;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "sim", mixinStandardHelpOptions = true,
        subcommands = {SimRunCommand.class, SimScenarioCommand.class, SimReplayCommand.class},
        description = {
                "Runs the factory-line simulator against a broker (without a subcommand), a scenario (sim run FILE, sim scenario NAME), or recorded data (sim replay).",
                "Machines with vibration, current, temperature, pressure and flow sensors publish their readings as real sensors would, with injected anomalies (spike, level shift, degradation, stuck sensor, noise burst). Deterministic for a seed.",
                "Exits 3 when its broker connection is lost (each run is a new sensor epoch: the edge takes its readings from seq 0 again)."})
final class SimCommand implements Callable<Integer> {
    /** Exit code when the broker connection is lost (the publisher does not reconnect). */
    static final int BROKER_LOST = 3;

    @Mixin
    RunOptions run;

    @picocli.CommandLine.Mixin
    LoginOptions login;

    @Mixin
    FleetOptions fleet = new FleetOptions(FleetOptions.PLANT_SITE, SimConfig.DEFAULT_DEVICES);

    @Option(names = "--samples", paramLabel = "N", defaultValue = "" + PublisherConfig.UNTIL_STOPPED,
            description = "Readings per machine, then stop; 0 = until stopped (default: ${DEFAULT-VALUE}).")
    long samples;

    @Option(names = "--qos", defaultValue = "" + PublisherConfig.DEFAULT_QOS, description = "MQTT QoS of the readings (default: ${DEFAULT-VALUE}).")
    int qos;

    /** What the readings are stamped with. */
    enum Clock { wall, simulated }

    @Option(names = "--clock", paramLabel = "wall|simulated", defaultValue = "wall",
            description = {"What readings are stamped with (default: ${DEFAULT-VALUE}): wall = the wall clock from the start of publishing, one stamp every 1/--rate s, the same time base as statuses and alarms;",
                    "simulated = the simulated clock, one second per reading from " + SimConfig.DEFAULT_START_TEXT + " whatever --rate (identical stamps from run to run)."})
    Clock clock;

    @Override
    public Integer call() throws Exception {
        FactoryLine line = new FactoryLine(SimConfig.builder(fleet.seed(), fleet.devices())
                .commissioningSamples(fleet.commissioning()).build());
        PublisherConfig pc = PublisherConfig.builder(fleet.site(), run.broker).login(login.login(run.broker))
                .ratePerDevice(fleet.rate()).qos(qos).wallClock(clock == Clock.wall)
                .samplesPerDevice(samples).build();
        Vertx vertx = Vertx.vertx();
        try {
            SensorPublisher publisher = new SensorPublisher(vertx, line, pc);
            publisher.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.out.printf("sim: %d machines on site %s publishing %.0f readings/s each to %s%n", fleet.devices(),
                    fleet.site(), fleet.rate(), run.broker);
            UntilStopped.run(System.out, Duration.ofSeconds(5), run.runFor(),
                    () -> String.format("sim: published %d | failed %d | anomalous %d",
                            publisher.published(), publisher.failed(), line.groundTruth().anomalous()),
                    () -> publisher.completion().isComplete(),
                    () -> publisher.stop().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS));
            if (publisher.completion().failed()) {
                System.err.printf("tandem sim: %s; published %d readings before (exit %d)%n",
                        publisher.completion().cause().getMessage(), publisher.published(), BROKER_LOST);
                return BROKER_LOST;
            }
            System.out.printf("sim: done, published %d readings (%d anomalous)%n", publisher.published(),
                    line.groundTruth().anomalous());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
        return 0;
    }
}
