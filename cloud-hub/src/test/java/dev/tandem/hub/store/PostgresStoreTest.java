package dev.tandem.hub.store;

import dev.tandem.hub.testing.PostgresServer;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.testing.MosquittoBroker;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's contract on a real PostgreSQL (a throwaway cluster the test starts; a database per test). */
class PostgresStoreTest extends StoreContract {
    @Override
    StoreSettings newSettings() {
        return PostgresServer.shared().newStore("store_contract");
    }

    @Test
    void aDatabaseThatIsNotThere_isRefusedWithItsCode_fast() {
        long t0 = System.nanoTime();
        TandemException e = assertThrows(TandemException.class, () -> HubStore.open(StoreSettings.of(
                "jdbc:postgresql://127.0.0.1:" + MosquittoBroker.freePort() + "/none?user=tandem", DbCredentials.none())));
        assertEquals(ErrorCode.STORE_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 60_000_000_000L, "bounded by the pool's timeouts");
    }

    @Test
    void aPasswordInTheUrl_isRefused() {
        TandemException e = assertThrows(TandemException.class, () -> StoreSettings.of(
                "jdbc:postgresql://127.0.0.1:5432/db?user=u&password=secret", DbCredentials.none()));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
    }

    @Test
    void aBackupOfTheEmbeddedStore_restoresIntoPostgreSQL(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (HubStore h2 = HubStore.open(StoreSettings.h2File(dir))) {
            fill(h2);
            java.nio.file.Path file = dir.resolve("h2.backup");
            StoreBackup.backup(h2, file);
            StoreBackup.restore(store, file);
            assertSameContent(h2, store);
        }
    }
}
