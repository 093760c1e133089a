package dev.tandem.sim.scenario;

import dev.tandem.sim.cli.TandemCliProbe;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.score.JsonLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sim run FILE --site-dir DIR}: a scenario published as a provisioned site's sensor identities. */
class SiteScenarioRunTest {
    private static final String SCENARIO = """
            name: site-run
            duration: 60s
            sites:
              - id: plant
            fleet:
              - {type: pump, site: plant, count: 3, prefix: machine}
            timeline:
              - at: 30s
                fault: {kind: level_shift, devices: [machine-02], channels: [temperature], severity: high, duration: 10s}
            """;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void simRun_withSiteDir_publishesAsTheSitesSensors_onTheSecuredEmbeddedBroker(@TempDir Path dir) throws Exception {
        Path site = dir.resolve("site");
        var provisioned = TandemCliProbe.run("provision", "--site", "plant", "--agents", "3", "--recorder",
                "--out", site.toString());
        assertEquals(0, provisioned.exit(), provisioned.out());
        assertTrue(provisioned.out().contains("plant/alarm-recorder"), provisioned.out());
        Path file = Files.writeString(dir.resolve("site-run.yaml"), SCENARIO);
        Path truth = dir.resolve("t.jsonl");
        Path alarms = dir.resolve("a.jsonl");
        var r = TandemCliProbe.run("sim", "run", file.toString(), "--site-dir", site.toString(), "--speed", "max",
                "--truth", truth.toString(), "--record-alarms", alarms.toString());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("3 on 1 connections"), "one connection per sensor identity: " + r.out());
        assertTrue(r.out().contains("180 published of 180 due"), r.out());
        assertTrue(Files.exists(alarms), "the recorder logged in as the site's alarm recorder");
        assertEquals(1, JsonLines.read(truth, TruthEvent.class).values().stream()
                .filter(t -> t.kind().equals("level_shift")).count());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void simRun_withASiteThatMayNotPublishADevice_failsNamingTheDevice(@TempDir Path dir) throws Exception {
        Path site = dir.resolve("site");
        assertEquals(0, TandemCliProbe.run("provision", "--site", "plant", "--agents", "2", "--out", site.toString()).exit());
        Path file = Files.writeString(dir.resolve("site-run.yaml"), SCENARIO);
        var r = TandemCliProbe.run("sim", "run", file.toString(), "--site-dir", site.toString(), "--speed", "max",
                "--truth", dir.resolve("t.jsonl").toString());
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("machine-03"), r.out());
        var noRecorder = TandemCliProbe.run("sim", "run", file.toString(), "--site-dir", dir.resolve("nothing").toString());
        assertNotEquals(0, noRecorder.exit());
        assertTrue(noRecorder.out().contains("holds no provisioned site"), noRecorder.out());
    }
}
