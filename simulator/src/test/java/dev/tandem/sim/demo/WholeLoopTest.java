package dev.tandem.sim.demo;

import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.SimConfig;
import dev.tandem.sim.provision.SecuredMosquitto;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.provision.SiteLayout;
import java.util.List;

import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broker + hub + edge agents + simulator in one JVM, through the demo: commissioning delivers every
 * device its model, escalations are answered, and the final decisions beat the edge's own.
 */
class WholeLoopTest {
    private static final int DEVICES = 4;

    private static DemoConfig.Builder config(dev.tandem.shared.config.BrokerAddress broker, String site, Path report) {
        return DemoConfig.builder().devices(DEVICES).duration(Duration.ofSeconds(40)).broker(broker).seed(42)
                .report(report).ratePerDevice(100).commissioningSamples(300).statusInterval(Duration.ofSeconds(5))
                .site(site).verdictTimeout(Duration.ofSeconds(3));
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void wholeLoop_onMosquittoWithASitesIdentities_deliversModels_answersEscalations_andBeatsEdgeOnly(@TempDir Path dir)
            throws Exception {
        String site = "it-mosq-" + System.nanoTime() % 100000;
        SiteLayout layout = new SiteLayout(dir.resolve("site"));
        List<String> devices = new FactoryLine(SimConfig.defaults(42, DEVICES)).deviceIds();
        SiteAccess.provisionFor(layout, site, devices);
        try (SecuredMosquitto mosquitto = SecuredMosquitto.start(layout)) {
            assertLoopWorks(config(mosquitto.broker().address(), site, dir.resolve("r.json")).siteDir(layout.root())
                    .build());
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void wholeLoop_onEmbeddedBroker_deliversModels_answersEscalations_andBeatsEdgeOnly(@TempDir Path dir) throws Exception {
        assertLoopWorks(config(null, "it-embedded", dir.resolve("r.json")).build());
    }

    private static void assertLoopWorks(DemoConfig config) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DemoReport r = new Demo(config, new PrintStream(buffer, true, StandardCharsets.UTF_8)).run();
        String out = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(out);

        assertEquals(DEVICES, r.modelsDelivered(), "every device got its tiny model through commissioning\n" + out);
        assertTrue(r.windows() > 1000, "windows were scored: " + r.windows());
        assertTrue(r.escalations() > 0, "uncertain windows were escalated");
        assertTrue(r.verdicts() >= 0.9 * (r.escalations() - r.reviews()), "escalations answered: " + r.verdicts() + " of "
                + r.escalations() + " (" + r.reviews() + " reviews)");
        assertTrue(r.reviewVerdicts() <= r.reviews(), "reviews answered: " + r.reviewVerdicts() + " of " + r.reviews());
        assertTrue(r.escalationRate() < 0.5, "the edge decides most windows itself: " + r.escalationRate());
        // where the two halves can disagree (the escalated windows), the hub's verdicts are right
        // more often than the edge's own calls would have been; so the final decisions beat the edge's
        DemoReport.Escalated x = r.escalated();
        assertTrue(x.answered() >= 20, "enough escalations answered to compare: " + x.answered());
        assertTrue(x.hubRight() > x.edgeRight(), "on escalated windows the hub is right " + x.hubRight()
                + " times, the edge alone " + x.edgeRight() + " (of " + x.answered() + ")\n" + out);
        assertTrue(r.f1() > r.edgeOnly().f1(),
                "collaborative F1 " + r.f1() + " beats edge-only F1 " + r.edgeOnly().f1() + "\n" + out);
        assertTrue(r.onsets() >= 1, "alarm episodes were raised\n" + out);
        assertTrue(r.clears() + r.rebaselines() <= r.onsets(), "an episode ends at most once\n" + out);
        assertTrue(out.contains("alarm episodes    " + r.onsets() + " onsets"), out);
        assertTrue(out.contains("=== Tandem demo summary ==="), out);
        // the demo's rollout: a re-fitted model through its three waves, shadowed and watched by the agents
        assertNotNull(r.rollout(), "the demo rolled a model out\n" + out);
        assertEquals("FINISHED", r.rollout().state(), "the demo's rollout\n" + out);
        assertEquals(3, r.rollout().waves().size());
        assertEquals(DEVICES, r.rollout().actions().get("ACTIVE"), "every device runs the re-fitted model\n" + out);
        assertTrue(out.contains("rollout demo-refit: RUNNING wave 1/3"), "followed wave by wave in the status lines\n" + out);
        assertTrue(out.contains("rollout           demo-refit (default:threshold-quantile=0.995): FINISHED"), out);

        // a report for people and tools, not a wire message: fields left out when null (a rollout's rollbackMs) read as null
        DemoReport fromFile = Wire.mapper().copy()
                .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .readValue(config.report().toFile(), DemoReport.class);
        assertEquals(r.rollout().state(), fromFile.rollout().state());
        assertEquals(r.readings(), fromFile.readings());
        String json = java.nio.file.Files.readString(config.report());
        for (String key : new String[]{"readings", "windows", "onsets", "clears", "rebaselines", "escalations", "verdicts", "verdictTimeouts", "precision", "recall"}) {
            assertTrue(json.contains("\"" + key + "\""), "report has " + key);
        }
    }
}
