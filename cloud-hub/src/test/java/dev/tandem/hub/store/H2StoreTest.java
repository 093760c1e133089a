package dev.tandem.hub.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's contract on the embedded H2 (a file database, as the hub keeps it under its data directory). */
class H2StoreTest extends StoreContract {
    @TempDir
    Path dir;

    private int databases;

    @Override
    StoreSettings newSettings() {
        return StoreSettings.h2File(dir.resolve("db-" + ++databases));
    }

    @Test
    void theFileLivesUnderTheDataDirectory_andKeepsWhatWasStoredAcrossOpens() {
        store.commissioning().save(set(), 7);
        store.close();
        assertTrue(Files.isRegularFile(dir.resolve("db-1").resolve(StoreSettings.H2_FILE + ".mv.db")));
        store = HubStore.open(StoreSettings.h2File(dir.resolve("db-1")));
        assertEquals(7, store.commissioning().latest(SITE, "m1").orElseThrow().receivedAt());
    }

    @Test
    void anInMemoryStore_keepsNothingOnceClosed() {
        StoreSettings mem = StoreSettings.inMemory();
        try (HubStore s = HubStore.open(mem)) {
            s.commissioning().save(set(), 7);
            assertEquals(1, s.devices().all().size());
        }
        try (HubStore s = HubStore.open(mem)) {
            assertEquals(0, s.devices().all().size());
        }
    }
}
