package dev.tandem.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.api.ApiConfig;
import dev.tandem.hub.api.HubApi;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.identity.OperatorRole;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.provision.SiteLayout;
import dev.tandem.sim.provision.SiteOperators;
import dev.tandem.sim.provision.SiteRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Operator tokens from {@code ./tandem provision}, and {@code ./tandem fleet} against a real hub's API. */
class FleetCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void provision_issuesAnAdminToken_storedHashed_andAddsAndRevokesOperators(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("site");
        assertEquals(0, TandemCli.execute("provision", "--site", "plant", "--agents", "1", "--out", out.toString()));
        SiteLayout layout = new SiteLayout(out);
        Path tokenFile = layout.operatorToken("admin");
        String token = Files.readString(tokenFile).trim();
        assertTrue(token.startsWith(OperatorToken.PREFIX));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile.getParent())));
        SiteRegistry registry = SiteRegistry.load(layout.registry());
        OperatorToken admin = registry.operator("admin").orElseThrow();
        assertEquals(OperatorRole.ADMIN, admin.role());
        assertTrue(admin.matches(token));
        assertFalse(Files.readString(layout.registry()).contains(token), "the registry holds the hash only");

        assertEquals(0, TandemCli.execute("provision", "--out", out.toString(), "--add", "--operator", "viewer=read-only"));
        assertEquals(OperatorRole.READ_ONLY, SiteRegistry.load(layout.registry()).operator("viewer").orElseThrow().role());
        assertEquals(token, Files.readString(tokenFile).trim(), "the other tokens untouched");
        assertEquals(2, TandemCli.execute("provision", "--out", out.toString(), "--add", "--operator", "viewer=admin"),
                "a taken name");
        assertEquals(2, TandemCli.execute("provision", "--out", out.toString(), "--add", "--operator", "x=root"));
        assertEquals(2, TandemCli.execute("provision", "--out", out.toString(), "--add", "--operator", "../x=admin"));
        assertEquals(2, TandemCli.execute("provision", "--out", out.toString(), "--add", "--operator", "agent-01=admin"),
                "an identity's name");

        assertEquals(0, TandemCli.execute("provision", "--out", out.toString(), "--revoke", "viewer"));
        assertTrue(SiteRegistry.load(layout.registry()).operator("viewer").isEmpty());
        assertFalse(Files.exists(layout.operatorToken("viewer")));
        assertTrue(SiteRegistry.load(layout.registry()).account("plant/agent-01").isPresent());
    }

    @Test
    void siteRegistry_ofVersion1_isReadAsOneWithoutOperators(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("site.json");
        Files.writeString(file, "{\"v\":1,\"site\":\"old\",\"accounts\":[]}");
        SiteRegistry r = SiteRegistry.load(file);
        assertEquals("old", r.site());
        assertTrue(r.operators().isEmpty());
    }

    @Test
    void fleetListAndShow_printTheHubsFleet_andEachFailureHasItsMessageAndExitCode(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("site");
        assertEquals(0, TandemCli.execute("provision", "--site", "plant", "--agents", "1", "--out", out.toString(),
                "--operator", "viewer=read-only"));
        SiteLayout layout = new SiteLayout(out);
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub hub = CloudHub.start(HubConfig.defaults(broker.address()));
             SiteOperators operators = SiteOperators.follow(layout.registry(), null);
             HubApi api = HubApi.start(hub, ApiConfig.loopback(0, operators));
             TestClient device = TestClient.connect(broker.url())) {
            assertTrue(hub.awaitConnected(WAIT));
            device.publish(Topics.of("plant", "machine-01", Topics.Kind.STATUS), Wire.encode(new DeviceStatus(
                    DeviceStatus.VERSION, "plant", "machine-01", DeviceStatus.State.DETECTING, "tiny-xyz", 2000, 4, 4, 0, null,
                    30, System.currentTimeMillis())));
            assertTrue(TestWait.until(WAIT, () -> !hub.fleet().views().isEmpty()));
            String hubUrl = api.url();
            String admin = layout.operatorToken("admin").toString();
            String viewer = layout.operatorToken("viewer").toString();

            TandemCliProbe.Result list = TandemCliProbe.run("fleet", "list", "--hub", hubUrl, "--token-file", viewer);
            assertEquals(0, list.exit(), list.out());
            String header = list.out().lines().findFirst().orElse("");
            assertTrue(header.startsWith("SITE") && header.contains("STATE") && header.contains("ESCALATED"), header);
            String row = list.out().lines().filter(l -> l.contains("machine-01")).findFirst().orElse("");
            assertTrue(row.startsWith("plant") && row.contains("DETECTING") && row.contains("tiny-xyz")
                    && row.contains("1.5%") && row.contains("4.0%"), row);
            assertTrue(list.out().contains("1 devices"));

            TandemCliProbe.Result json = TandemCliProbe.run("fleet", "list", "--json", "--hub", hubUrl, "--token-file",
                    admin);
            assertEquals(0, json.exit(), json.out());
            JsonNode fleet = Wire.mapper().readTree(json.out());
            assertEquals("machine-01", fleet.get("sites").get(0).get("devices").get(0).get("device").asText());

            TandemCliProbe.Result show = TandemCliProbe.run("fleet", "show", "machine-01", "--hub", hubUrl,
                    "--token-file", viewer);
            assertEquals(0, show.exit(), show.out());
            assertTrue(show.out().contains("plant:machine-01") && show.out().contains("models (newest first):")
                    && show.out().contains("recent alarms:"), show.out());

            TandemCliProbe.Result unknown = TandemCliProbe.run("fleet", "show", "nope", "--hub", hubUrl,
                    "--token-file", viewer);
            assertEquals(1, unknown.exit(), unknown.out());
            assertTrue(unknown.out().contains("UNKNOWN_DEVICE"), unknown.out());

            device.publish(Topics.of("plant", "machine-01", Topics.Kind.ALARMS), Wire.encode(new Alarm(Alarm.VERSION,
                    "plant", "machine-01", "ep-77", Alarm.Phase.ONSET, 77, 1_700_000_000_000L, 1_700_000_000_000L, 0, 1,
                    2.5, 2.5, java.util.List.of(1), Alarm.Source.HUB, "tiny-xyz")));
            assertTrue(TestWait.until(WAIT, () -> !hub.alarms().recent(1, null).isEmpty()));
            long alarmId = hub.alarms().recent(1, null).get(0).id();
            TandemCliProbe.Result alarms = TandemCliProbe.run("fleet", "alarms", "--device", "machine-01", "--hub", hubUrl,
                    "--token-file", viewer);
            assertEquals(0, alarms.exit(), alarms.out());
            assertTrue(alarms.out().lines().anyMatch(l -> l.startsWith(alarmId + " ") && l.contains("plant:machine-01")
                    && l.contains("HUB") && l.contains("2.500")), alarms.out());
            TandemCliProbe.Result notAllowed = TandemCliProbe.run("fleet", "ack", "" + alarmId, "--hub", hubUrl,
                    "--token-file", viewer);
            assertEquals(4, notAllowed.exit(), notAllowed.out());
            assertTrue(notAllowed.out().contains("FORBIDDEN"), notAllowed.out());
            TandemCliProbe.Result acked = TandemCliProbe.run("fleet", "ack", "" + alarmId, "--note", "bearing replaced",
                    "--hub", hubUrl, "--token-file", admin);
            assertEquals(0, acked.exit(), acked.out());
            assertTrue(acked.out().contains("acknowledged by admin"), acked.out());
            assertEquals("bearing replaced", hub.alarms().recent(1, null).get(0).note());
            assertEquals(1, TandemCliProbe.run("fleet", "ack", "999999", "--hub", hubUrl, "--token-file", admin).exit(),
                    "an unknown alarm");

            Path forged = dir.resolve("forged.token");
            Files.writeString(forged, OperatorToken.issue("admin", OperatorRole.ADMIN).token());
            TandemCliProbe.Result refused = TandemCliProbe.run("fleet", "list", "--hub", hubUrl, "--token-file",
                    forged.toString());
            assertEquals(4, refused.exit(), refused.out());
            assertTrue(refused.out().contains("refused the token") && refused.out().contains("UNAUTHENTICATED"),
                    refused.out());

            // a revoked operator is refused within a second or two (the hub follows the registry)
            Path kept = dir.resolve("viewer-kept.token");
            Files.copy(Path.of(viewer), kept);
            assertEquals(0, TandemCliProbe.run("fleet", "list", "--hub", hubUrl, "--token-file", kept.toString()).exit());
            assertEquals(0, TandemCli.execute("provision", "--out", out.toString(), "--revoke", "viewer"));
            assertTrue(TestWait.until(WAIT, () -> TandemCliProbe.run("fleet", "list", "--hub", hubUrl, "--token-file",
                    kept.toString()).exit() == 4), "the revoked token is refused");
            assertEquals(0, TandemCliProbe.run("fleet", "list", "--hub", hubUrl, "--token-file", admin).exit());
        }
    }

    @Test
    void fleet_withoutAHub_exits3_andBadOptionsAreUsageErrors(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("t.token");
        Files.writeString(token, OperatorToken.issue("x", OperatorRole.ADMIN).token());
        int port = MosquittoBroker.freePort();
        TandemCliProbe.Result gone = TandemCliProbe.run("fleet", "list", "--hub", "http://127.0.0.1:" + port,
                "--token-file", token.toString());
        assertEquals(3, gone.exit(), gone.out());
        assertTrue(gone.out().contains("hub unreachable at http://127.0.0.1:" + port), gone.out());

        assertEquals(2, TandemCliProbe.run("fleet", "list").exit(), "no --token-file");
        assertEquals(2, TandemCliProbe.run("fleet").exit(), "no subcommand");
        assertEquals(2, TandemCliProbe.run("fleet", "list", "--hub", "ftp://x", "--token-file", token.toString()).exit());
        assertEquals(2, TandemCliProbe.run("fleet", "list", "--token-file", dir.resolve("absent").toString()).exit());
        Files.writeString(dir.resolve("empty.token"), "\n");
        assertEquals(2, TandemCliProbe.run("fleet", "list", "--token-file", dir.resolve("empty.token").toString()).exit());
        assertEquals(2, TandemCliProbe.run("fleet", "show", "d", "--alarms", "0", "--token-file", token.toString()).exit());
        assertEquals(2, TandemCliProbe.run("fleet", "show", "--token-file", token.toString()).exit(), "no DEVICE");
        assertEquals(2, TandemCliProbe.run("fleet", "alarms", "--limit", "0", "--token-file", token.toString()).exit());
        assertEquals(2, TandemCliProbe.run("fleet", "ack", "0", "--token-file", token.toString()).exit());
        assertEquals(2, TandemCliProbe.run("fleet", "ack", "x", "--token-file", token.toString()).exit());
        assertEquals(2, TandemCliProbe.run("fleet", "ack", "5", "--note", "n".repeat(501), "--token-file",
                token.toString()).exit());

        assertEquals(2, TandemCli.execute("hub", "--insecure", "--broker", "tcp://127.0.0.1:1", "--http", "70000"));
        assertEquals(2, TandemCli.execute("edge", "--insecure", "--broker", "tcp://127.0.0.1:1", "--device", "d1",
                "--hub-key", "x.pub", "--metrics", "-1"));
        assertEquals(2, TandemCli.execute("hub", "--insecure", "--broker", "tcp://127.0.0.1:1", "--http", "0"),
                "--http without the site's operators");
        Files.writeString(dir.resolve("site.json"), "{\"v\":2,\"site\":\"p\",\"accounts\":[],\"operators\":[]}");
        assertEquals(2, TandemCli.execute("hub", "--insecure", "--broker", "tcp://127.0.0.1:1", "--http", "0",
                "--operators", dir.resolve("site.json").toString()), "a registry without operators");
    }
}
