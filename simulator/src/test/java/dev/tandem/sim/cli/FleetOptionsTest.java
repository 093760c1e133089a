package dev.tandem.sim.cli;

import dev.tandem.edge.EdgeConfig;
import dev.tandem.sim.demo.DemoConfig;
import dev.tandem.sim.eval.SimScenario;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.publish.PublisherConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FleetOptionsTest {
    private static <T> T parse(T command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void demo_withoutFlags_takesTheSharedDefaults_withItsOwnSite() {
        FleetOptions f = parse(new DemoCommand()).fleet;
        assertEquals(DemoConfig.DEFAULT_SITE, f.site());
        assertEquals(SimConfig.DEFAULT_DEVICES, f.devices());
        assertEquals(SimConfig.DEFAULT_SEED, f.seed());
        assertEquals(FleetOptions.DEFAULT_RATE_HZ, f.rate());
        assertEquals(FleetOptions.DEFAULT_COMMISSIONING, f.commissioning());
    }

    @Test
    void sharedOptions_haveOneDefault_inEveryCommandAndEveryConfig() {
        assertEquals(FleetOptions.DEFAULT_RATE_HZ, parse(new SimCommand()).fleet.rate());
        assertEquals(FleetOptions.DEFAULT_RATE_HZ, parse(new DemoCommand()).fleet.rate());
        assertEquals(FleetOptions.DEFAULT_COMMISSIONING, parse(new SimCommand()).fleet.commissioning());
        assertEquals(FleetOptions.DEFAULT_COMMISSIONING, parse(new DemoCommand()).fleet.commissioning());
        assertEquals(FleetOptions.DEFAULT_COMMISSIONING,
                parse(new EdgeCommand(), "--device", "d1", "--hub-key", "hub.pub").commissioningOption.value);
        // the configs behind them agree: what the edge sends the hub is what the simulator keeps anomaly-free
        assertEquals(EdgeConfig.DEFAULT_COMMISSIONING_SAMPLES, SimConfig.DEFAULT_COMMISSIONING_SAMPLES);
        assertEquals(EdgeConfig.DEFAULT_COMMISSIONING_SAMPLES, DemoConfig.DEFAULT_COMMISSIONING_SAMPLES);
        assertEquals(PublisherConfig.DEFAULT_RATE_PER_DEVICE, DemoConfig.DEFAULT_RATE_PER_DEVICE);
        // and their help names the unit
        CommandLine sim = new CommandLine(new SimCommand());
        assertTrue(String.join(" ", sim.getCommandSpec().findOption("--rate").description()).contains("Hz"));
        assertTrue(String.join(" ", sim.getCommandSpec().findOption("--commissioning").description())
                .contains("readings"));
    }

    @Test
    void sim_withoutFlags_takesTheSharedDefaults_andFlagsOverrideThem() {
        FleetOptions f = parse(new SimCommand()).fleet;
        assertEquals(FleetOptions.PLANT_SITE, f.site());

        FleetOptions set = parse(new SimCommand(), "--site", "s1", "--devices", "3", "--seed", "7", "--rate", "2.5",
                "--commissioning", "100").fleet;
        assertEquals("s1", set.site());
        assertEquals(3, set.devices());
        assertEquals(7, set.seed());
        assertEquals(2.5, set.rate());
        assertEquals(100, set.commissioning());
    }

    @Test
    void edge_takesOnlySiteAndCommissioning_withTheEdgeDefaults() {
        EdgeCommand edge = parse(new EdgeCommand(), "--device", "d1", "--hub-key", "hub.pub");
        assertEquals(FleetOptions.PLANT_SITE, edge.siteOption.value);
        assertEquals(EdgeConfig.DEFAULT_COMMISSIONING_SAMPLES, edge.commissioningOption.value);
        assertEquals(EdgeConfig.DEFAULT_VERDICT_TIMEOUT.toMillis(), edge.verdictTimeoutMs);
        assertThrows(CommandLine.UnmatchedArgumentException.class,
                () -> parse(new EdgeCommand(), "--device", "d1", "--hub-key", "hub.pub", "--rate", "5"));
    }

    @Test
    void eval_takesSeedAndDevices_withTheScenarioDefaults() {
        EvalCommand eval = parse(new EvalCommand(), "--dataset", "sim");
        assertEquals(SimConfig.DEFAULT_SEED, eval.seedOption.value);
        assertEquals(SimScenario.DEFAULT_DEVICES, eval.devicesOption.value);
        assertThrows(CommandLine.UnmatchedArgumentException.class,
                () -> parse(new EvalCommand(), "--dataset", "sim", "--site", "x"));
    }
}
