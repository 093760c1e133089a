package dev.tandem.sim.cli;

import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.shared.signing.ManifestVerifier;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.shared.signing.TrustedKey;
import dev.tandem.sim.provision.KeyHistory;
import dev.tandem.sim.provision.SiteLayout;
import dev.tandem.sim.provision.SiteRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's security options: nothing anonymous unless asked for, provisioning and its bad input. */
class SecurityOptionsTest {
    @Test
    void parts_refuseToStartAnonymously_orWithoutTheirKeys() {
        assertEquals(2, TandemCli.execute("hub", "--broker", "tcp://127.0.0.1:1", "--duration", "1"));
        assertEquals(2, TandemCli.execute("hub", "--broker", "tcp://127.0.0.1:1", "--insecure", "--credentials",
                "c.json"));
        assertEquals(2, TandemCli.execute("sim", "--broker", "tcp://127.0.0.1:1", "--duration", "1"));
        assertEquals(2, TandemCli.execute("edge", "--broker", "tcp://127.0.0.1:1", "--device", "d1", "--insecure"),
                "no --hub-key");
        assertEquals(2, TandemCli.execute("edge", "--broker", "mqtts://127.0.0.1:1", "--device", "d1", "--insecure",
                "--hub-key", "missing.pub"));
        assertEquals(2, TandemCli.execute("demo", "--broker", "tcp://127.0.0.1:1", "--duration", "1"),
                "an external broker needs --site-dir or --insecure");
    }

    @Test
    void provision_createsASite_addsAndRevokesIdentities_andRefusesBadInput(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("site");
        assertEquals(0, TandemCli.execute("provision", "--site", "plant", "--agents", "2", "--out", out.toString()));
        SiteLayout layout = new SiteLayout(out);
        assertEquals("plant/agent-01", Credentials.load(layout.credentials("agent-01")).username());
        assertTrue(Files.exists(layout.hubKey()) && Files.exists(layout.hubPublicKey()) && Files.exists(layout.dynsec()));
        String agent02 = Credentials.load(layout.credentials("agent-02")).password();

        assertEquals(0, TandemCli.execute("provision", "--out", out.toString(), "--add", "--agent", "box-9=m9,m10"));
        assertEquals(agent02, Credentials.load(layout.credentials("agent-02")).password(), "the others untouched");
        assertTrue(SiteRegistry.load(layout.registry()).account("plant/box-9").isPresent());
        assertTrue(Files.readString(layout.dynsec()).contains("plant/box-9~m10"), "the will connection of m10");

        assertEquals(0, TandemCli.execute("provision", "--out", out.toString(), "--revoke", "box-9"));
        assertFalse(SiteRegistry.load(layout.registry()).account("plant/box-9").isPresent());
        assertFalse(Files.readString(layout.dynsec()).contains("plant/box-9"));

        assertEquals(2, TandemCli.execute("provision", "--site", "plant", "--agents", "1", "--out", out.toString()),
                "a provisioned site is not overwritten");

        TrustedKey before = TrustedKey.load(layout.hubPublicKey());
        assertEquals(0, TandemCli.execute("provision", "--out", out.toString(), "--rotate-key"));
        assertEquals(0, TandemCli.execute("provision", "--out", out.toString(), "--rotate-key"));
        TrustedKey after = TrustedKey.load(layout.hubPublicKey());
        assertFalse(before.equals(after));
        assertEquals(after, HubKey.load(layout.hubKey()).publicKey());
        var history = KeyHistory.load(layout.keyHistory(), "plant").rotations();
        assertEquals(2, history.size());
        assertEquals(after, TrustChain.of("plant", "d", history).follow(new ManifestVerifier(before)).trusted(),
                "an agent pinned to the first key follows both rotations");
        assertEquals(2, TandemCli.execute("provision", "--out", out.toString(), "--revoke", "nobody"));
        assertEquals(2, TandemCli.execute("provision", "--out", out.toString(), "--add", "--agent", "x"));
        assertEquals(2, TandemCli.execute("provision", "--out", out.toString(), "--add", "--agent", "..=m1"));
        assertEquals(2, TandemCli.execute("provision", "--out", out.toString(), "--add", "--agent", "dup=machine-01"),
                "a device served by two agents");
        assertEquals(2, TandemCli.execute("provision", "--site", "plant", "--agents", "-1", "--out",
                dir.resolve("other").toString()));
        assertEquals(2, TandemCli.execute("provision", "--out", dir.resolve("absent").toString(), "--add", "--hubs", "1"));
    }
}
