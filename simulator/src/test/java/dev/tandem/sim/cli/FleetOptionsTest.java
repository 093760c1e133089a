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

class FleetOptionsTest {
    private static <T> T parse(T command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void demo_withoutFlags_takesTheDemoDefaults() {
        FleetOptions f = parse(new DemoCommand()).fleet;
        assertEquals(DemoConfig.DEFAULT_SITE, f.site());
        assertEquals(SimConfig.DEFAULT_DEVICES, f.devices());
        assertEquals(SimConfig.DEFAULT_SEED, f.seed());
        assertEquals(DemoConfig.DEFAULT_RATE_PER_DEVICE, f.rate());
        assertEquals(DemoConfig.DEFAULT_COMMISSIONING_SAMPLES, f.commissioning());
    }

    @Test
    void sim_withoutFlags_takesTheSimulatorDefaults_andFlagsOverrideThem() {
        FleetOptions f = parse(new SimCommand()).fleet;
        assertEquals(FleetOptions.PLANT_SITE, f.site());
        assertEquals(PublisherConfig.DEFAULT_RATE_PER_DEVICE, f.rate());
        assertEquals(SimConfig.DEFAULT_COMMISSIONING_SAMPLES, f.commissioning());

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
