package dev.tandem.sim.cli;

import dev.tandem.hub.store.HubStore;
import dev.tandem.hub.store.Labels;
import dev.tandem.hub.store.StoreSettings;
import dev.tandem.hub.testing.PostgresServer;
import dev.tandem.hub.testing.Signals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./tandem hub backup|restore} round-trip the store, between the embedded database and PostgreSQL too. */
class HubStoreCliTest {
    private static void fill(StoreSettings settings) {
        try (HubStore s = HubStore.open(settings)) {
            s.commissioning().save(Signals.commissioning("plant", "m1", 400), 100);
            s.commissioning().save(Signals.commissioning("plant", "m2", 400), 200);
            s.labels().add(Labels.LabelRecord.of("plant", "m1", 1_000, 2_000, true, "valve", 5, "operator"));
        }
    }

    private static void assertFilled(StoreSettings settings) {
        try (HubStore s = HubStore.open(settings)) {
            assertEquals(List.of("m1", "m2"), s.devices().all().stream().map(d -> d.device()).toList());
            assertEquals(200, s.commissioning().latest("plant", "m2").orElseThrow().receivedAt());
            assertEquals("valve", s.labels().list("plant", "m1").get(0).note());
        }
    }

    @Test
    void backup_thenRestore_intoAnotherDataDir_roundTripsTheStore(@TempDir Path dir) {
        Path from = dir.resolve("from");
        Path to = dir.resolve("to");
        fill(StoreSettings.h2File(from));
        Path file = dir.resolve("hub.backup");

        TandemCliProbe.Result backup = TandemCliProbe.run("hub", "backup", "--data-dir", from.toString(), "--out",
                file.toString());
        assertEquals(0, backup.exit(), backup.out());
        assertTrue(backup.out().contains("rows"), backup.out());
        assertTrue(Files.isRegularFile(file));

        TandemCliProbe.Result restore = TandemCliProbe.run("hub", "restore", "--data-dir", to.toString(), "--in",
                file.toString());
        assertEquals(0, restore.exit(), restore.out());
        assertFilled(StoreSettings.h2File(to));
    }

    @Test
    void aBackupOfTheEmbeddedStore_restoresIntoPostgreSQL_andBack(@TempDir Path dir) {
        String db = PostgresServer.shared().newDatabase("hub_cli");
        Path from = dir.resolve("from");
        fill(StoreSettings.h2File(from));
        Path file = dir.resolve("hub.backup");
        assertEquals(0, TandemCliProbe.run("hub", "backup", "--data-dir", from.toString(), "--out", file.toString()).exit());
        TandemCliProbe.Result restore = TandemCliProbe.run("hub", "restore", "--db", db, "--in", file.toString());
        assertEquals(0, restore.exit(), restore.out());
        assertFilled(StoreSettings.of(db, null));

        Path again = dir.resolve("from-pg.backup");
        assertEquals(0, TandemCliProbe.run("hub", "backup", "--db", db, "--out", again.toString()).exit());
        Path back = dir.resolve("back");
        assertEquals(0, TandemCliProbe.run("hub", "restore", "--data-dir", back.toString(), "--in", again.toString()).exit());
        assertFilled(StoreSettings.h2File(back));
    }

    @Test
    void badStoreOptions_areUsageErrors_withTheirCode(@TempDir Path dir) throws Exception {
        TandemCliProbe.Result missing = TandemCliProbe.run("hub", "restore", "--data-dir", dir.toString(), "--in",
                dir.resolve("none.backup").toString());
        assertEquals(2, missing.exit(), missing.out());
        assertTrue(missing.out().contains("INVALID_CONFIG"), missing.out());
        Path junk = dir.resolve("junk.backup");
        Files.writeString(junk, "not a backup");
        TandemCliProbe.Result bad = TandemCliProbe.run("hub", "restore", "--data-dir", dir.toString(), "--in", junk.toString());
        assertEquals(2, bad.exit(), bad.out());
        assertTrue(bad.out().contains("MALFORMED_PAYLOAD"), bad.out());
        assertEquals(2, TandemCliProbe.run("hub", "backup", "--data-dir", dir.toString()).exit(), "--out is required");
        assertEquals(2, TandemCliProbe.run("hub", "backup", "--data-dir", dir.toString(), "--retention-days", "0",
                "--out", dir.resolve("x").toString()).exit());
        assertEquals(2, TandemCliProbe.run("hub", "backup", "--db", "jdbc:mysql://127.0.0.1/x", "--out",
                dir.resolve("x").toString()).exit());
        assertEquals(2, TandemCliProbe.run("hub", "backup", "--db", "jdbc:postgresql://127.0.0.1/x?password=p", "--out",
                dir.resolve("x").toString()).exit(), "no password in the URL");
        assertEquals(2, TandemCliProbe.run("hub", "backup", "--db-credentials", "c.json", "--data-dir", dir.toString(),
                "--out", dir.resolve("x").toString()).exit(), "--db-credentials needs --db");
        TandemCliProbe.Result down = TandemCliProbe.run("hub", "backup", "--db",
                "jdbc:postgresql://127.0.0.1:" + dev.tandem.shared.testing.MosquittoBroker.freePort() + "/x?user=u",
                "--out", dir.resolve("x").toString());
        assertEquals(2, down.exit(), down.out());
        assertTrue(down.out().contains("STORE_UNAVAILABLE"), down.out());
        assertEquals(0, TandemCliProbe.run("hub", "backup", "--help").exit());
        assertEquals(0, TandemCliProbe.run("hub", "restore", "--help").exit());
    }

    @Test
    void benchStore_measuresH2AndPostgreSQL_sideBySide(@TempDir Path dir) throws Exception {
        PostgresServer.shared(); // skips without the server binaries, as the bench would leave PostgreSQL out
        Path report = dir.resolve("store.json");
        TandemCliProbe.Result r = TandemCliProbe.run("bench", "store", "--preload", "100", "--singles", "20",
                "--batches", "3", "--batch-size", "10", "--report", report.toString());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("| H2 "), r.out());
        assertTrue(r.out().contains("| PostgreSQL "), r.out());
        var results = dev.tandem.shared.wire.Wire.mapper().readTree(report.toFile());
        assertEquals(2, results.size());
        for (var result : results) {
            assertEquals(100, result.get("rowsBefore").asLong());
            assertEquals(100 + 500 + 20 + 30, result.get("rowsAfter").asLong(), "preload, warm-up, singles, batches");
            assertTrue(result.get("singleP99Ms").asDouble() >= result.get("singleP50Ms").asDouble());
        }
        assertEquals(2, TandemCliProbe.run("bench", "store", "--singles", "1").exit());
    }
}
