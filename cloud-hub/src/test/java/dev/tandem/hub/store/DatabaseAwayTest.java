package dev.tandem.hub.store;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Escalation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The database goes away under a running hub (its own PostgreSQL, stopped and started again): the
 * hub keeps answering from its loaded models, counts the outage once, holds the records, and
 * catches up when the database is back; a full queue drops its oldest records and counts them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseAwayTest {
    private LocalPostgres pg;

    @BeforeAll
    void start() {
        assumeTrue(LocalPostgres.binaries().isPresent(),
                "PostgreSQL server binaries not found (apt-get install -y postgresql): database-away tests skipped");
        pg = LocalPostgres.start(false);
    }

    @AfterAll
    void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    /** Starts the server if it is paused (a failed test must not leave it down for the next). */
    private void resumeQuietly() {
        pg.resume();
    }

    @Test
    void hubKeepsAnswering_whileTheDatabaseIsAway_andRecordsEverythingOnceItIsBack() {
        String site = Signals.site();
        StoreSettings db = StoreSettings.of(pg.newDatabase("away"), null);
        try (MosquittoBroker broker = MosquittoBroker.start();
             CloudHub hub = CloudHub.start(Hubs.config(broker.address()).toBuilder().store(db).build());
             TestClient device = TestClient.connect(broker.url()).subscribe(Topics.of(site, "m1", Topics.Kind.VERDICTS))) {
            assertTrue(hub.awaitConnected(Duration.ofSeconds(10)));
            Hubs.commission(device, site, "m1");
            DeviceId id = new DeviceId(site, "m1");
            assertTrue(TestWait.until(Hubs.FIT_TIMEOUT, () -> hub.fleet().models(id).isPresent()));
            int context = hub.fleet().models(id).orElseThrow().large().contextSize();

            pg.pause();
            try {
                answerWhileAway(hub, device, site, context);
            } finally {
                resumeQuietly();
            }
            assertTrue(hub.escalationLog().flush(Duration.ofSeconds(60)), "caught up once the database is back");
            assertEquals(20, hub.store().escalations().count());
            assertEquals(0, hub.escalationLog().dropped());
        }
    }

    private static void answerWhileAway(CloudHub hub, TestClient device, String site, int context) {
        for (int i = 0; i < 20; i++) {
            Escalation e = Signals.normalEscalation(site, "m1", 2_000 + i * 100L, context);
            Hubs.send(device, e);
            assertNotNull(Hubs.awaitVerdict(device, e.id(), Duration.ofSeconds(10)), "answered with the database away");
        }
        assertTrue(TestWait.until(Duration.ofSeconds(30),
                () -> hub.metrics().errorCount(ErrorCode.STORE_UNAVAILABLE) >= 1), "the outage is counted");
        assertTrue(hub.escalationLog().pending() > 0, "records held while the database is away");
        assertEquals(1, hub.metrics().errorCount(ErrorCode.STORE_UNAVAILABLE), "counted once, not per retry");
    }

    @Test
    void aFullQueue_dropsItsOldestRecords_andCountsThem() {
        StoreSettings db = StoreSettings.of(pg.newDatabase("full"), null);
        HubMetrics metrics = new HubMetrics();
        try (HubStore store = HubStore.open(db)) {
            pg.pause();
            try (EscalationLog log = new EscalationLog(store, metrics, 5, "test")) {
                log.record(StoreContract.escalation("first", 999, true));
                // the writer holds "first" in its batch and retries it: the queue alone takes what follows
                assertTrue(TestWait.until(Duration.ofSeconds(30),
                        () -> metrics.errorCount(ErrorCode.STORE_UNAVAILABLE) == 1), "the outage is counted");
                for (int i = 0; i < 8; i++) {
                    log.record(StoreContract.escalation("e" + i, 1_000 + i, true));
                }
                assertEquals(3, log.dropped(), "room for 5: the 3 oldest dropped");
                assertEquals(6, log.pending());
                pg.resume();
                assertTrue(log.flush(Duration.ofSeconds(60)));
                List<String> kept = store.escalations().list(StoreContract.SITE, "m1", 0, Long.MAX_VALUE, 100).stream()
                        .map(Escalations.EscalationRecord::id).toList();
                assertEquals(List.of("first", "e3", "e4", "e5", "e6", "e7"), kept, "the newest are kept");
                assertEquals(6, log.written());
            }
        } finally {
            resumeQuietly();
        }
    }
}
