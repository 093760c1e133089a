package dev.tandem.hub.store;

import dev.tandem.hub.fit.DeviceFitter;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.fit.FittedDevice;
import dev.tandem.hub.large.LargeModelConfig;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.tiny.TinyFitConfig;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store's contract, run against every database it speaks ({@link H2StoreTest},
 * {@link PostgresStoreTest}): each test gets a new, empty, migrated store.
 */
abstract class StoreContract {
    static final String SITE = "plant";
    private static FittedDevice fitted;
    private static Commissioning set;

    HubStore store;

    /** Settings of a new, empty database. */
    abstract StoreSettings newSettings();

    @BeforeEach
    void open() {
        store = HubStore.open(newSettings());
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** One fit shared by the tests (short training: the contract is about keeping it, not its quality). */
    static synchronized FittedDevice fitted() {
        if (fitted == null) {
            set = Signals.commissioning(SITE, "m1", 400);
            fitted = DeviceFitter.fit(set, new FitSettings(TinyFitConfig.defaults(),
                    LargeModelConfig.builder().steps(100).build()));
        }
        return fitted;
    }

    static synchronized Commissioning set() {
        fitted();
        return set;
    }

    private static Models.FitRecord record(String device, String setSha) {
        return new Models.FitRecord(SITE, device, "pi-4", setSha, null, "hub-a", 1234, 1_000,
                "{\"variant\":\"full\",\"artifactBytes\":1}");
    }

    @Test
    void open_migratesToTheCurrentSchema_andAnotherOpenOfTheSameDatabaseChangesNothing() {
        assertEquals("3", store.schemaVersion());
        try (HubStore again = HubStore.open(store.settings())) {
            assertEquals("3", again.schemaVersion());
        }
        assertEquals(0, store.escalations().count());
    }

    private static dev.tandem.hub.rollout.Rollout plannedRollout(String id, int devices) {
        java.util.Map<dev.tandem.hub.fleet.DeviceId, String> known = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= devices; i++) {
            known.put(new dev.tandem.hub.fleet.DeviceId(SITE, String.format("m%02d", i)), "pi-4");
        }
        return dev.tandem.hub.rollout.Rollout.plan(id, "retrained", dev.tandem.hub.rollout.RolloutChange.recipe(
                        "default:threshold-scale=0.02"), dev.tandem.hub.rollout.RolloutTarget.site(SITE),
                dev.tandem.hub.rollout.WavePlan.defaults(), known, "admin", java.time.Instant.ofEpochMilli(1_000));
    }

    @Test
    void rollouts_keptWithTheirActions_andEveryTransition_readBackAsTheyStood() {
        dev.tandem.hub.rollout.Rollout r = plannedRollout("r1", 10);
        dev.tandem.hub.rollout.RolloutSettings settings = new dev.tandem.hub.rollout.RolloutSettings(3, 0.8,
                Duration.ofSeconds(30), 20, dev.tandem.shared.signing.RolloutRules.Band.upTo(0.5),
                new dev.tandem.shared.signing.RolloutRules.Band(0.01, 0.4));
        List<dev.tandem.hub.rollout.ActionRecord> actions = r.scheduledActions().stream()
                .map(dev.tandem.hub.rollout.ActionRecord::of).toList();
        RolloutStore rs = store.rollouts();
        rs.create(r, settings, actions, java.time.Instant.ofEpochMilli(1_000));

        RolloutStore.StoredRollout kept = rs.find("r1").orElseThrow();
        assertEquals(r, kept.rollout());
        assertEquals(settings, kept.settings());
        assertNull(kept.waveStartedAt());
        assertEquals(List.of(1, 2, 3, 10), kept.rollout().waves().stream().map(w -> w.reach()).toList());
        assertEquals(10, rs.actions("r1", 0, 100).size());
        assertEquals(List.of("m03", "m04"), rs.actions("r1", 2, 2).stream().map(a -> a.action().device().device()).toList());

        // the rollout starts, its first device is sent the candidate and goes through its states
        java.time.Instant t = java.time.Instant.ofEpochMilli(2_000);
        dev.tandem.hub.rollout.Rollout running = r.moveTo(dev.tandem.hub.rollout.RolloutState.RUNNING);
        rs.update(running, t, new RolloutStore.Transition("r1", null, "READY", "RUNNING", t, null, "started"));
        dev.tandem.hub.rollout.ActionRecord first = actions.get(0).sent(77, "tiny-b", "b".repeat(64), "tiny-a",
                "a".repeat(64));
        dev.tandem.hub.rollout.ActionRecord downloading = first.with(first.action().moveTo(
                dev.tandem.hub.rollout.ActionState.DOWNLOADING, t));
        dev.tandem.hub.rollout.ActionRecord failed = downloading.with(downloading.action().moveTo(
                dev.tandem.hub.rollout.ActionState.FAILED, t.plusMillis(5), ErrorCode.ARTIFACT_HASH_MISMATCH, "bad chunk"))
                .sentBack(78);
        dev.tandem.hub.fleet.DeviceId m01 = first.action().device();
        rs.updateActions(List.of(downloading), List.of(new RolloutStore.Transition("r1", m01, "SCHEDULED",
                "DOWNLOADING", t, null, null)));
        rs.updateActions(List.of(failed), List.of(new RolloutStore.Transition("r1", m01, "DOWNLOADING", "FAILED",
                t.plusMillis(5), ErrorCode.ARTIFACT_HASH_MISMATCH, "bad chunk")));

        kept = rs.find("r1").orElseThrow();
        assertEquals(running, kept.rollout());
        assertEquals(t, kept.waveStartedAt());
        assertEquals(failed, rs.actions("r1", 0, 1).get(0));
        assertEquals(1, rs.counts("r1").get(dev.tandem.hub.rollout.ActionState.FAILED));
        assertEquals(9, rs.counts("r1").get(dev.tandem.hub.rollout.ActionState.SCHEDULED));
        List<RolloutStore.Transition> ts = rs.transitions("r1", m01);
        assertEquals(List.of("DOWNLOADING", "FAILED"), ts.stream().map(RolloutStore.Transition::to).toList());
        assertEquals(ErrorCode.ARTIFACT_HASH_MISMATCH, ts.get(1).code());
        assertEquals("bad chunk", ts.get(1).reason());
        assertEquals(List.of("READY", "RUNNING"), rs.transitions("r1", null).stream()
                .map(RolloutStore.Transition::to).toList());
        assertEquals(java.util.Map.of(m01, failed), rs.standing());
        assertEquals(List.of("r1"), rs.unfinished().stream().map(x -> x.rollout().id()).toList());

        // a finished rollout is no longer resumed; the list has every rollout, newest first
        dev.tandem.hub.rollout.Rollout r2 = plannedRollout("r2", 2);
        rs.create(r2.moveTo(dev.tandem.hub.rollout.RolloutState.ABORTED), settings, r2.scheduledActions().stream()
                .map(dev.tandem.hub.rollout.ActionRecord::of).toList(), java.time.Instant.ofEpochMilli(3_000));
        assertEquals(List.of("r1"), rs.unfinished().stream().map(x -> x.rollout().id()).toList());
        assertEquals(List.of("r2", "r1"), rs.list().stream().map(x -> x.rollout().id()).toList());
        assertTrue(rs.find("nope").isEmpty());
    }

    @Test
    void rolloutArtifacts_areContentAddressed_andATinyModelIsFoundByItsVersion() {
        String setSha = store.commissioning().save(set(), 100);
        store.models().save(record("m1", setSha), fitted());
        byte[] bytes = dev.tandem.shared.tiny.TinyModelCodec.encode(fitted().tiny());
        java.util.Map.Entry<String, byte[]> found = store.rollouts().tinyArtifact(fitted().tiny().version()).orElseThrow();
        assertArrayEquals(bytes, found.getValue());
        assertEquals(found.getKey(), store.rollouts().putArtifact(fitted().tiny().format(), bytes, 5));
        assertTrue(store.rollouts().tinyArtifact(fitted().large().version()).isEmpty(), "a large model is no tiny one");
        assertTrue(store.rollouts().tinyArtifact("tiny-none").isEmpty());
    }

    @Test
    void commissioningSets_areKeptOncePerContent_theNewestIsTheDevicesLatest() {
        Commissioning a = set();
        String shaA = store.commissioning().save(a, 100);
        assertEquals(shaA, store.commissioning().save(a, 200), "the same content is the same set");
        Commissioning b = Commissioning.of(SITE, "m1", "pi-4", Signals.range(1000, 1399));
        String shaB = store.commissioning().save(b, 300);
        Commissioning other = Commissioning.of(SITE, "m2", Signals.range(0, 399));
        store.commissioning().save(other, 150);

        CommissioningSets.StoredSet latest = store.commissioning().latest(SITE, "m1").orElseThrow();
        assertEquals(shaB, latest.sha256());
        assertEquals(b, latest.set());
        List<CommissioningSets.StoredSet> all = store.commissioning().latestOfEachDevice((k, e) -> {
            throw e;
        });
        assertEquals(List.of("m1", "m2"), all.stream().map(s -> s.set().device()).toList());
        assertEquals(shaB, all.get(0).sha256());
        assertEquals(100, store.commissioning().latest(SITE, "m2").map(s -> s.receivedAt()).orElseThrow() - 50);

        Devices.DeviceRecord m1 = store.devices().find(SITE, "m1").orElseThrow();
        assertEquals("pi-4", m1.deviceClass());
        assertEquals(Signals.CHANNELS, m1.channels());
        assertEquals(100, m1.firstSeen());
        assertEquals(300, m1.lastSeen());
        assertEquals(2, store.devices().all().size());
        assertTrue(store.commissioning().latest(SITE, "nobody").isEmpty());
    }

    @Test
    void aDamagedSet_isSkippedWithItsCode_theOthersStillLoad() {
        store.commissioning().save(set(), 100);
        store.commissioning().save(Commissioning.of(SITE, "m2", Signals.range(0, 399)), 100);
        store.withConnection("damage", c -> {
            try (PreparedStatement s = c.prepareStatement("update commissioning_sets set payload = ? where device = 'm2'")) {
                s.setBytes(1, "{nope".getBytes());
                return s.executeUpdate();
            }
        });
        List<ErrorCode> skipped = new ArrayList<>();
        List<CommissioningSets.StoredSet> sets = store.commissioning().latestOfEachDevice((k, e) -> skipped.add(e.code()));
        assertEquals(List.of("m1"), sets.stream().map(s -> s.set().device()).toList());
        assertEquals(List.of(ErrorCode.ARTIFACT_HASH_MISMATCH), skipped);
    }

    @Test
    void models_keptAndLoaded_scoreAsFitted_withoutTraining() {
        FittedDevice f = fitted();
        String setSha = store.commissioning().save(set(), 100);
        assertFalse(store.models().has(SITE, "m1", f.fingerprint()));
        assertTrue(store.models().load(SITE, "m1", f.fingerprint()).isEmpty());
        store.models().save(record("m1", setSha), f);
        store.models().save(record("m1", setSha), f); // a second instance keeping the same fit changes nothing
        assertTrue(store.models().has(SITE, "m1", f.fingerprint()));

        List<double[][]> contexts = new ArrayList<>();
        for (int end = 20; end < 60; end++) {
            contexts.add(DeviceFitter.rows(Signals.range(end - 11, end)));
        }
        contexts.add(DeviceFitter.rows(List.of(Signals.anomalous(70), Signals.anomalous(71), Signals.anomalous(72))));
        FittedDevice loaded = store.models().load(SITE, "m1", f.fingerprint()).orElseThrow();
        try {
            assertEquals(f.tiny(), loaded.tiny());
            assertEquals(f.large().version(), loaded.large().version());
            double[] expected = f.large().score(contexts);
            double[] actual = loaded.large().score(contexts);
            for (int i = 0; i < expected.length; i++) {
                // the same float weights; TensorFlow's kernels may round the last float bit differently
                assertEquals(expected[i], actual[i], 1e-6 * Math.max(1, Math.abs(expected[i])), "context " + i);
            }
        } finally {
            loaded.large().close();
        }

        List<Models.ModelRecord> models = store.models().list(SITE, "m1");
        assertEquals(List.of(Models.TINY, Models.LARGE), models.stream().map(Models.ModelRecord::kind).sorted(
                java.util.Comparator.reverseOrder()).toList());
        for (Models.ModelRecord m : models) {
            assertEquals(f.fingerprint(), m.fingerprint());
            assertEquals("pi-4", m.deviceClass());
            assertEquals(setSha, m.setSha256());
            assertEquals("hub-a", m.fittedBy());
            byte[] artifact = store.models().artifact(m.artifactSha256()).orElseThrow();
            assertEquals(m.sizeBytes(), artifact.length);
            assertEquals(m.artifactSha256(), dev.tandem.shared.wire.Hashing.sha256Hex(artifact));
            assertEquals(Models.TINY.equals(m.kind()) ? "{\"variant\":\"full\",\"artifactBytes\":1}" : null, m.figures(),
                    "the tiny model's variant figures are kept with it");
        }
        assertEquals(models, store.models().list(null, null));
    }

    @Test
    void aTamperedArtifact_isRefusedOnLoad() {
        FittedDevice f = fitted();
        store.models().save(record("m1", store.commissioning().save(set(), 1)), f);
        store.withConnection("tamper", c -> {
            try (PreparedStatement s = c.prepareStatement("update artifacts set content = ? where format = ?")) {
                s.setBytes(1, "{}".getBytes());
                s.setString(2, f.tiny().format());
                return s.executeUpdate();
            }
        });
        TandemException e = assertThrows(TandemException.class, () -> store.models().load(SITE, "m1", f.fingerprint()));
        assertEquals(ErrorCode.ARTIFACT_HASH_MISMATCH, e.code());
    }

    @Test
    void manifests_keepEveryGeneration_theLastIsTheHighest() {
        assertTrue(store.models().lastGeneration(SITE, "m1").isEmpty());
        store.models().recordManifest(new Models.ManifestRecord(SITE, "m1", 5, "tiny-a", "k1", new byte[]{1}, 10, "hub-a"));
        store.models().recordManifest(new Models.ManifestRecord(SITE, "m1", 9, "tiny-a", "k1", new byte[]{2}, 11, "hub-b"));
        store.models().recordManifest(new Models.ManifestRecord(SITE, "m1", 9, "tiny-a", "k1", new byte[]{3}, 12, "hub-a"));
        assertEquals(9, store.models().lastGeneration(SITE, "m1").orElseThrow());
        List<Models.ManifestRecord> all = store.models().manifests(SITE, "m1");
        assertEquals(List.of(9L, 5L), all.stream().map(Models.ManifestRecord::generation).toList());
        assertArrayEquals(new byte[]{2}, all.get(0).signed(), "the first record of a generation stays");
    }

    @Test
    void fitLease_oneHolderAtATime_expiredLeasesAreTakenOver() {
        FitLeases l = store.leases();
        Duration ttl = Duration.ofSeconds(30);
        assertTrue(l.tryAcquire(SITE, "m1", "f1", "a", ttl, 1_000));
        assertFalse(l.tryAcquire(SITE, "m1", "f1", "b", ttl, 2_000));
        assertTrue(l.tryAcquire(SITE, "m1", "f2", "b", ttl, 2_000), "another fingerprint is another lease");
        assertTrue(l.tryAcquire(SITE, "m1", "f1", "a", ttl, 3_000), "the holder may take it again");
        assertFalse(l.renew(SITE, "m1", "f1", "b", ttl, 4_000));
        assertTrue(l.renew(SITE, "m1", "f1", "a", ttl, 20_000));
        assertFalse(l.tryAcquire(SITE, "m1", "f1", "b", ttl, 49_000), "renewed until 50 s");
        assertTrue(l.tryAcquire(SITE, "m1", "f1", "b", ttl, 50_001), "expired: taken over");
        assertFalse(l.renew(SITE, "m1", "f1", "a", ttl, 50_002), "the old holder lost it");
        l.release(SITE, "m1", "f1", "a");
        assertFalse(l.tryAcquire(SITE, "m1", "f1", "c", ttl, 50_003), "releasing someone else's lease does nothing");
        l.release(SITE, "m1", "f1", "b");
        assertTrue(l.tryAcquire(SITE, "m1", "f1", "c", ttl, 50_004));
        assertEquals(0, l.purgeExpired(32_000), "f2 (b) runs until 32 s, f1 (c) until 80 s");
        assertEquals(2, l.purgeExpired(10_000_000), "f1 (c) and f2 (b) expired by then");
    }

    @Test
    void fitLease_racedByManyInstances_hasExactlyOneWinner() throws Exception {
        int instances = 8;
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                String holder = "hub-" + i;
                results.add(pool.submit(() -> {
                    go.await();
                    return store.leases().tryAcquire(SITE, "m1", "f", holder, Duration.ofMinutes(1), 1_000);
                }));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> r : results) {
                winners += r.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(1, winners);
        } finally {
            pool.shutdownNow();
        }
    }

    static Escalations.EscalationRecord escalation(String id, long receivedAt, Boolean anomaly) {
        Escalation e = Signals.normalEscalation(SITE, "m1", 500 + receivedAt, 12);
        return new Escalations.EscalationRecord(SITE, "m1", id, e.windowId(), e.windowSize(), e.modelVersion(),
                e.edgeScore(), receivedAt, "hub-a", Wire.encode(e), anomaly, anomaly == null ? null : 0.5,
                anomaly == null ? null : "large-x", anomaly == null ? null : receivedAt + 3);
    }

    @Test
    void escalations_withAndWithoutVerdicts_redeliveriesKeptOnce_oldOnesDeleted() {
        store.escalations().insert(List.of(escalation("e1", 1_000, true), escalation("e2", 2_000, null),
                escalation("e3", 3_000, false)));
        store.escalations().insert(List.of(escalation("e1", 9_000, false), escalation("e4", 4_000, true)));
        assertEquals(4, store.escalations().count());
        List<Escalations.EscalationRecord> got = store.escalations().list(SITE, "m1", 0, 10_000, 100);
        assertEquals(List.of("e1", "e2", "e3", "e4"), got.stream().map(Escalations.EscalationRecord::id).toList());
        assertEquals(Boolean.TRUE, got.get(0).verdictAnomaly(), "the redelivery did not overwrite the first");
        assertNull(got.get(1).verdictAnomaly());
        assertNull(got.get(1).verdictScore());
        assertNull(got.get(1).verdictAt());
        assertEquals(Boolean.FALSE, got.get(2).verdictAnomaly());
        assertEquals(3_003L, got.get(2).verdictAt());
        Escalation decoded = Wire.decode(got.get(3).payload(), Escalation.class);
        assertEquals(got.get(3).windowId(), decoded.windowId());
        assertEquals(2, store.escalations().list(SITE, "m1", 2_000, 4_000, 100).size());
        assertEquals(1, store.escalations().list(SITE, "m1", 0, 10_000, 1).size());

        assertEquals(2, store.escalations().deleteReceivedBefore(3_000));
        assertEquals(List.of("e3", "e4"), store.escalations().list(SITE, "m1", 0, 10_000, 100).stream()
                .map(Escalations.EscalationRecord::id).toList());
    }

    @Test
    void labels_forKnownDevicesOnly_withAProperRange() {
        store.commissioning().save(set(), 1);
        Labels.LabelRecord l = Labels.LabelRecord.of(SITE, "m1", 1_000, 2_000, true, "valve closed", 5, "operator");
        store.labels().add(l);
        store.labels().add(Labels.LabelRecord.of(SITE, "m1", 500, 600, false, null, 6, "operator"));
        List<Labels.LabelRecord> got = store.labels().list(SITE, "m1");
        assertEquals(2, got.size());
        assertEquals(l, got.get(1));
        assertNull(got.get(0).note());

        TandemException unknown = assertThrows(TandemException.class, () -> store.labels().add(
                Labels.LabelRecord.of(SITE, "ghost", 1, 2, true, null, 1, "operator")));
        assertEquals(ErrorCode.UNKNOWN_DEVICE, unknown.code());
        TandemException reversed = assertThrows(TandemException.class, () ->
                Labels.LabelRecord.of(SITE, "m1", 2_000, 1_000, true, null, 1, "operator"));
        assertEquals(ErrorCode.INVALID_FIELD, reversed.code());
        assertEquals(2, store.labels().list(SITE, "m1").size());
    }

    @Test
    void retrainingRuns_keepTheirOutcome_newestFirst_andTheirSetsAreFoundBySha() {
        String sha = store.commissioning().save(set(), 1);
        assertEquals(sha, store.commissioning().find(SITE, "m1", sha).orElseThrow().sha256());
        assertTrue(store.commissioning().find(SITE, "m1", "0".repeat(64)).isEmpty());
        store.retraining().add(new RetrainingRuns.Run("rt-1", SITE, "m1", "operator", "REFUSED", 10, 10, 12, "tiny-a",
                null, "{\"code\":\"TOO_FEW_READINGS\"}"));
        store.retraining().add(new RetrainingRuns.Run("rt-2", SITE, "m1", "drift", "PUBLISHED", 20, 20, 25, "tiny-a",
                "tiny-b", "x".repeat(RetrainingRuns.MAX_DETAIL + 10)));
        List<RetrainingRuns.Run> runs = store.retraining().list(SITE, "m1", 10);
        assertEquals(List.of("rt-2", "rt-1"), runs.stream().map(RetrainingRuns.Run::id).toList());
        assertEquals("tiny-b", runs.get(0).candidateVersion());
        assertNull(runs.get(1).candidateVersion());
        assertEquals(RetrainingRuns.MAX_DETAIL, runs.get(0).detail().length(), "a long detail is cut, not refused");
        assertEquals(1, store.retraining().list(SITE, "m1", 1).size());
        assertTrue(store.retraining().list(SITE, "other", 10).isEmpty());
    }

    /** A store with a row in every table but the leases. */
    static void fill(HubStore s) {
        String setSha = s.commissioning().save(set(), 100);
        s.models().save(record("m1", setSha), fitted());
        s.models().recordManifest(new Models.ManifestRecord(SITE, "m1", 7, fitted().tiny().version(), "k1",
                new byte[]{1, 2, 3}, 10, "hub-a"));
        s.escalations().insert(List.of(escalation("e1", 1_000, true), escalation("e2", 2_000, null)));
        s.labels().add(Labels.LabelRecord.of(SITE, "m1", 1_000, 2_000, true, "note", 5, "operator"));
        s.withConnection("a retraining run", c -> c.createStatement().executeUpdate("insert into retraining_runs (id, "
                + "site, device, reason, status, requested_at) values ('r1', 'plant', 'm1', 'operator', 'requested', 9)"));
        s.leases().tryAcquire(SITE, "m1", "f", "hub-a", Duration.ofMinutes(1), 1);
        dev.tandem.hub.rollout.Rollout r = plannedRollout("r-kept", 3);
        s.rollouts().create(r, dev.tandem.hub.rollout.RolloutSettings.defaults(), r.scheduledActions().stream()
                .map(dev.tandem.hub.rollout.ActionRecord::of).toList(), java.time.Instant.ofEpochMilli(2_000));
    }

    /** Both stores hold the same rows (what a backup carries). */
    static void assertSameContent(HubStore expected, HubStore actual) {
        assertEquals(expected.devices().all(), actual.devices().all());
        assertEquals(expected.commissioning().latest(SITE, "m1"), actual.commissioning().latest(SITE, "m1"));
        assertEquals(expected.models().list(null, null), actual.models().list(null, null));
        List<Models.ManifestRecord> em = expected.models().manifests(SITE, "m1");
        List<Models.ManifestRecord> am = actual.models().manifests(SITE, "m1");
        assertEquals(em.size(), am.size());
        for (int i = 0; i < em.size(); i++) {
            assertEquals(em.get(i).generation(), am.get(i).generation());
            assertArrayEquals(em.get(i).signed(), am.get(i).signed());
        }
        List<Escalations.EscalationRecord> ee = expected.escalations().list(SITE, "m1", 0, Long.MAX_VALUE, 100);
        List<Escalations.EscalationRecord> ae = actual.escalations().list(SITE, "m1", 0, Long.MAX_VALUE, 100);
        assertEquals(ee.size(), ae.size());
        for (int i = 0; i < ee.size(); i++) {
            assertArrayEquals(ee.get(i).payload(), ae.get(i).payload());
            assertEquals(withoutPayload(ee.get(i)), withoutPayload(ae.get(i)));
        }
        assertEquals(expected.labels().list(SITE, "m1"), actual.labels().list(SITE, "m1"));
        assertEquals(expected.rollouts().find("r-kept"), actual.rollouts().find("r-kept"));
        assertEquals(expected.rollouts().transitions("r-kept", null), actual.rollouts().transitions("r-kept", null));
        // a transition recorded after the restore gets a key of its own
        dev.tandem.hub.rollout.Rollout r = actual.rollouts().find("r-kept").orElseThrow().rollout();
        java.time.Instant t = java.time.Instant.ofEpochMilli(3_000);
        actual.rollouts().update(r.moveTo(dev.tandem.hub.rollout.RolloutState.RUNNING), t,
                new RolloutStore.Transition("r-kept", null, "READY", "RUNNING", t, null, "after the restore"));
        assertEquals(2, actual.rollouts().transitions("r-kept", null).size());
        FittedDevice loaded = actual.models().load(SITE, "m1", fitted().fingerprint()).orElseThrow();
        loaded.large().close();
        assertEquals(fitted().tiny(), loaded.tiny());
    }

    private static Escalations.EscalationRecord withoutPayload(Escalations.EscalationRecord r) {
        return new Escalations.EscalationRecord(r.site(), r.device(), r.id(), r.windowId(), r.windowSize(),
                r.edgeModelVersion(), r.edgeScore(), r.receivedAt(), r.instanceId(), null, r.verdictAnomaly(),
                r.verdictScore(), r.hubModelVersion(), r.verdictAt());
    }

    @Test
    void backup_restoredIntoAnotherStore_roundTripsEveryTable_replacingWhatWasThere(@org.junit.jupiter.api.io.TempDir
                                                                                     java.nio.file.Path dir) {
        fill(store);
        java.nio.file.Path file = dir.resolve("hub.backup");
        StoreBackup.Summary written = StoreBackup.backup(store, file);
        assertEquals(1, written.rows().get("retraining_runs"));
        assertEquals(2, written.rows().get("escalations"));
        assertEquals(2, written.rows().get("artifacts"));
        try (HubStore other = HubStore.open(newSettings())) {
            other.commissioning().save(Commissioning.of(SITE, "old", Signals.range(0, 399)), 1);
            StoreBackup.Summary read = StoreBackup.restore(other, file);
            assertEquals(written, read);
            assertSameContent(store, other);
            assertTrue(other.devices().find(SITE, "old").isEmpty(), "a restore replaces what was there");
            assertTrue(other.leases().tryAcquire(SITE, "m1", "f", "hub-b", Duration.ofMinutes(1), 2),
                    "leases are not restored");
        }
    }

    @Test
    void aTruncatedOrForeignBackup_isRefusedWithItsCode_andChangesNothing(@org.junit.jupiter.api.io.TempDir
                                                                          java.nio.file.Path dir) throws Exception {
        fill(store);
        java.nio.file.Path file = dir.resolve("hub.backup");
        StoreBackup.backup(store, file);
        byte[] whole;
        try (var in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(file))) {
            whole = in.readAllBytes();
        }
        String text = new String(whole, java.nio.charset.StandardCharsets.UTF_8);
        java.nio.file.Path truncated = dir.resolve("truncated.backup");
        gzip(truncated, text.substring(0, text.lastIndexOf("{\"end\"")));
        java.nio.file.Path foreign = dir.resolve("foreign.backup");
        String schema = "\"schema\":\"" + store.schemaVersion() + "\"";
        assertTrue(text.contains(schema), "the backup names its schema");
        gzip(foreign, text.replace(schema, "\"schema\":\"99\""));
        java.nio.file.Path notGzip = dir.resolve("plain.backup");
        java.nio.file.Files.writeString(notGzip, "hello");
        try (HubStore other = HubStore.open(newSettings())) {
            other.commissioning().save(Commissioning.of(SITE, "kept", Signals.range(0, 399)), 1);
            assertEquals(ErrorCode.MALFORMED_PAYLOAD, assertThrows(TandemException.class,
                    () -> StoreBackup.restore(other, truncated)).code());
            assertEquals(ErrorCode.UNKNOWN_SCHEMA_VERSION, assertThrows(TandemException.class,
                    () -> StoreBackup.restore(other, foreign)).code());
            assertEquals(ErrorCode.MALFORMED_PAYLOAD, assertThrows(TandemException.class,
                    () -> StoreBackup.restore(other, notGzip)).code());
            assertEquals(List.of("kept"), other.devices().all().stream().map(Devices.DeviceRecord::device).toList(),
                    "nothing changed");
        }
    }

    private static void gzip(java.nio.file.Path file, String text) throws Exception {
        try (var out = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(file))) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void retention_deletesOldEscalationsOnly_keepingModelsSetsAndLabels() {
        fill(store);
        HubStore short30 = store;
        long day = Duration.ofDays(1).toMillis();
        store.escalations().insert(List.of(escalation("recent", 40 * day, true)));
        RetentionJob job = new RetentionJob(short30, java.time.Clock.fixed(java.time.Instant.ofEpochMilli(45 * day),
                java.time.ZoneOffset.UTC));
        RetentionJob.Result r = job.runOnce();
        assertEquals(2, r.escalations(), "the two from day 0 are past 30 days");
        assertEquals(1, r.leases(), "the lease that expired long ago");
        assertEquals(List.of("recent"), store.escalations().list(SITE, "m1", 0, Long.MAX_VALUE, 10).stream()
                .map(Escalations.EscalationRecord::id).toList());
        assertEquals(2, store.models().list(null, null).size());
        assertEquals(1, store.labels().list(SITE, "m1").size());
        assertTrue(store.commissioning().latest(SITE, "m1").isPresent());
        assertEquals(0, job.runOnce().escalations(), "idempotent");
    }
}
