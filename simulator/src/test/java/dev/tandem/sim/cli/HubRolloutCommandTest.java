package dev.tandem.sim.cli;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.api.ApiConfig;
import dev.tandem.hub.api.HubApi;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.sim.provision.SiteLayout;
import dev.tandem.sim.provision.SiteOperators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./tandem hub rollout ...} and {@code ./tandem hub models} against a real hub's API. */
class HubRolloutCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void rolloutCommands_planShowAndAbort_andEachRefusalHasItsCodeAndExitCode(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("site");
        assertEquals(0, TandemCli.execute("provision", "--site", "plant", "--agents", "1", "--out", out.toString(),
                "--operator", "viewer=read-only"));
        SiteLayout layout = new SiteLayout(out);
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub hub = CloudHub.start(Hubs.config(broker.address()).toBuilder().site("plant").build());
             SiteOperators operators = SiteOperators.follow(layout.registry(), null);
             HubApi api = HubApi.start(hub, ApiConfig.loopback(0, operators));
             TestClient device = TestClient.connect(broker.url())) {
            Hubs.commission(device, "plant", "m1");
            Hubs.commission(device, "plant", "m2");
            assertTrue(TestWait.until(WAIT, () -> hub.metrics().snapshot().modelsPublished() >= 2));
            String hubUrl = api.url();
            String admin = layout.operatorToken("admin").toString();
            String viewer = layout.operatorToken("viewer").toString();

            TandemCliProbe.Result started = TandemCliProbe.run("hub", "rollout", "start", "--recipe",
                    "default:threshold-quantile=0.995", "--name", "cli", "--waves", "1,100%", "--paused",
                    "--hub", hubUrl, "--token-file", admin);
            assertEquals(0, started.exit(), started.out());
            String line = started.out().lines().filter(l -> l.startsWith("rollout r-")).findFirst().orElse("");
            assertTrue(line.contains("READY") && line.contains("2 devices"), started.out());
            String id = line.substring("rollout ".length(), line.indexOf(' ', "rollout ".length()));

            TandemCliProbe.Result list = TandemCliProbe.run("hub", "rollout", "status", "--hub", hubUrl, "--token-file",
                    viewer);
            assertEquals(0, list.exit(), list.out());
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(id) && l.contains("READY")), list.out());
            TandemCliProbe.Result one = TandemCliProbe.run("hub", "rollout", "status", id, "--hub", hubUrl,
                    "--token-file", viewer);
            assertEquals(0, one.exit(), one.out());
            assertTrue(one.out().contains("plant:m1") && one.out().contains("SCHEDULED")
                    && one.out().contains("devices 1..2 of 2"), one.out());

            TandemCliProbe.Result notAllowed = TandemCliProbe.run("hub", "rollout", "abort", id, "--hub", hubUrl,
                    "--token-file", viewer);
            assertEquals(4, notAllowed.exit(), notAllowed.out());
            assertTrue(notAllowed.out().contains("FORBIDDEN"), notAllowed.out());
            TandemCliProbe.Result pause = TandemCliProbe.run("hub", "rollout", "pause", id, "--hub", hubUrl,
                    "--token-file", admin);
            assertEquals(1, pause.exit(), pause.out());
            assertTrue(pause.out().contains("INVALID_STATE_TRANSITION"), pause.out());
            TandemCliProbe.Result abort = TandemCliProbe.run("hub", "rollout", "abort", id, "--hub", hubUrl,
                    "--token-file", admin);
            assertEquals(0, abort.exit(), abort.out());
            assertTrue(abort.out().contains("ABORTED") && abort.out().contains("CANCELED 2"), abort.out());

            TandemCliProbe.Result unknown = TandemCliProbe.run("hub", "rollout", "start", "--recipe", "pca-v9",
                    "--hub", hubUrl, "--token-file", admin);
            assertEquals(1, unknown.exit(), unknown.out());
            assertTrue(unknown.out().contains("INVALID_FIELD") && unknown.out().contains("unknown recipe"),
                    unknown.out());
            TandemCliProbe.Result waves = TandemCliProbe.run("hub", "rollout", "start", "--recipe", "default",
                    "--waves", "50%,25%", "--hub", hubUrl, "--token-file", admin);
            assertEquals(1, waves.exit(), waves.out());
            assertTrue(waves.out().contains("INVALID_FIELD") && waves.out().contains("(field waves)"), waves.out());
            TandemCliProbe.Result none = TandemCliProbe.run("hub", "rollout", "status", "r-none", "--hub", hubUrl,
                    "--token-file", viewer);
            assertEquals(1, none.exit(), none.out());
            assertTrue(none.out().contains("NOT_FOUND"), none.out());

            TandemCliProbe.Result models = TandemCliProbe.run("hub", "models", "--hub", hubUrl, "--token-file", viewer);
            assertEquals(0, models.exit(), models.out());
            assertTrue(models.out().contains("plant:m1") && models.out().contains("2 devices; recipes: [\"default\"]"),
                    models.out());
            String version = hub.lineage().current(new dev.tandem.hub.fleet.DeviceId("plant", "m1")).orElseThrow().version();
            TandemCliProbe.Result show = TandemCliProbe.run("hub", "models", "show", version, "--hub", hubUrl,
                    "--token-file", viewer);
            assertEquals(0, show.exit(), show.out());
            assertTrue(show.out().contains("plant:m1") && show.out().contains("full") && show.out().contains("teacher")
                    && show.out().contains("readings"), show.out());
            TandemCliProbe.Result missing = TandemCliProbe.run("hub", "models", "show", "tiny-none", "--hub", hubUrl,
                    "--token-file", viewer);
            assertEquals(1, missing.exit(), missing.out());
            assertTrue(missing.out().contains("NOT_FOUND"), missing.out());
            assertEquals(2, TandemCliProbe.run("hub", "models", "list", "x", "--token-file", viewer).exit());
            TandemCliProbe.Result retrain = TandemCliProbe.run("hub", "retrain", "--device", "m1", "--reason", "cli",
                    "--hub", hubUrl, "--token-file", admin);
            assertEquals(1, retrain.exit(), retrain.out());
            assertTrue(retrain.out().contains("REFUSED TOO_FEW_READINGS") && retrain.out().contains("(cli)"), retrain.out());
            TandemCliProbe.Result viewerRetrain = TandemCliProbe.run("hub", "retrain", "--device", "m1", "--hub", hubUrl,
                    "--token-file", viewer);
            assertEquals(4, viewerRetrain.exit(), viewerRetrain.out());
            assertEquals(2, TandemCliProbe.run("hub", "retrain", "--device", "m1", "--reason", "", "--token-file", admin)
                    .exit());

            assertEquals(2, TandemCliProbe.run("hub", "rollout").exit(), "no subcommand");
            assertEquals(2, TandemCliProbe.run("hub", "rollout", "start", "--token-file", admin).exit(),
                    "neither --recipe nor --artifact");
            assertEquals(2, TandemCliProbe.run("hub", "rollout", "status", "--limit", "0", "--token-file", admin).exit());
            assertEquals(0, TandemCliProbe.run("hub", "rollout", "pause", "--help").exit());
        }
    }
}
