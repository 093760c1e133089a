package dev.tandem.hub.rollout;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.store.RolloutStore;
import dev.tandem.hub.store.StoreSettings;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.hub.testing.TestWait;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.wire.ModelState;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub's rollouts on a real broker with the real hub (commissioning, fitting, signing, store);
 * the devices are a script ({@link ScriptedDevices}) that answers each rollout manifest with the
 * reports a device would send.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolloutEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final WaveGate QUICK = new WaveGate(1.0, 0.0, Duration.ZERO, Duration.ofMinutes(2));
    /** No watch time: a device counts as done once ACTIVE. */
    static final RolloutSettings NO_WATCH = new RolloutSettings(5, 0.9, Duration.ZERO, 50,
            RolloutSettings.DEFAULT_ALARM_RATE, RolloutSettings.DEFAULT_ESCALATION_RATE);

    private MosquittoBroker broker;

    @BeforeAll
    void startBroker() {
        broker = MosquittoBroker.start();
    }

    @AfterAll
    void stopBroker() {
        broker.close();
    }

    /** A hub with {@code n} commissioned devices d1..dn, each with its model published. */
    private CloudHub hubWith(HubConfig config, String site, int n) {
        CloudHub hub = CloudHub.start(config);
        try (TestClient device = TestClient.connect(broker.url())) {
            for (int i = 1; i <= n; i++) {
                Hubs.commission(device, site, "d" + i);
            }
            device.flush();
        }
        assertTrue(TestWait.until(WAIT, () -> hub.metrics().snapshot().modelsPublished() >= n), "models published");
        return hub;
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RolloutEngine.View view(CloudHub hub, String id) {
        return await(hub.rollouts().view(id, 0, 1000));
    }

    private static boolean reaches(CloudHub hub, String id, RolloutState state) {
        return TestWait.until(WAIT, () -> view(hub, id).rollout().state() == state);
    }

    private static RolloutEngine.Request request(String site, String recipe, WavePlan plan) {
        return new RolloutEngine.Request("test", RolloutChange.recipe(recipe), RolloutTarget.site(site), plan, NO_WATCH,
                true);
    }

    @Test
    void aGoodCandidate_goesThroughEveryWave_eachDeviceOnItsOwnSignedManifestWithTheWavesRules() throws Exception {
        String site = Signals.site();
        HubConfig config = Hubs.config(broker.address());
        try (CloudHub hub = hubWith(config, site, 4);
             ScriptedDevices devices = new ScriptedDevices(broker.url(), site, hub.publicKey(),
                     (d, m) -> ScriptedDevices.goesActive(site, d, m))) {
            WavePlan plan = new WavePlan(List.of(new WaveSpec(WaveSize.devices(1), QUICK),
                    new WaveSpec(WaveSize.share(0.5), QUICK), new WaveSpec(WaveSize.share(1.0), QUICK)));
            Rollout r = await(hub.rollouts().create(request(site, "default:threshold-quantile=0.995", plan), "admin"));
            assertEquals(List.of(1, 2, 4), r.waves().stream().map(Wave::reach).toList());
            assertTrue(reaches(hub, r.id(), RolloutState.FINISHED), () -> "finished: " + view(hub, r.id()));

            RolloutEngine.View v = view(hub, r.id());
            assertEquals(4, v.counts().get(ActionState.ACTIVE));
            for (ActionRecord a : v.actions()) {
                ModelManifest m = devices.last(a.action().device().device());
                assertNotNull(m);
                assertEquals(a.generation(), m.generation());
                assertEquals(a.candidateVersion(), m.version());
                assertNotEquals(a.previousVersion(), a.candidateVersion(), "the recipe makes another model");
                assertEquals(a.previousVersion(), m.parentVersion());
                assertEquals(r.id(), m.rules().rollout());
                assertEquals(0, m.rules().shadowMs());
                assertEquals(RolloutSettings.DEFAULT_ALARM_RATE, m.rules().alarmRate());
                assertTrue(m.generation() > devices.manifests(a.action().device().device()).get(0).generation(),
                        "above the commissioning's generation");
            }
            // every transition is kept, and the waves went in order
            RolloutStore rs = hub.store().rollouts();
            assertTrue(TestWait.until(WAIT, () -> rs.find(r.id()).orElseThrow().rollout().state() == RolloutState.FINISHED));
            List<String> rolloutStates = rs.transitions(r.id(), null).stream().map(t -> t.to()).toList();
            assertEquals(List.of("READY", "RUNNING", "RUNNING", "RUNNING", "FINISHED"), rolloutStates);
            assertEquals(List.of("DOWNLOADING", "VERIFYING", "SHADOW", "ACTIVE"), rs.transitions(r.id(),
                    new DeviceId(site, "d1")).stream().map(t -> t.to()).toList(), "the skipped DOWNLOADING is recorded");
            assertEquals(0, hub.rollouts().refusedReports());
        }
    }

    @Test
    void aPolicyRollout_givesEachDeviceItsOwnModelWithTheNewBand_andNothingElseChanged() throws Exception {
        String site = Signals.site();
        try (CloudHub hub = hubWith(Hubs.config(broker.address()), site, 2);
             ScriptedDevices devices = new ScriptedDevices(broker.url(), site, hub.publicKey(),
                     (d, m) -> ScriptedDevices.goesActive(site, d, m))) {
            java.util.Map<String, dev.tandem.shared.tiny.TinyModel> commissioned = new java.util.HashMap<>();
            for (String d : List.of("d1", "d2")) {
                commissioned.put(d, hub.fleet().models(new DeviceId(site, d)).orElseThrow().tiny());
            }
            Rollout r = await(hub.rollouts().create(new RolloutEngine.Request("band", RolloutChange.policy(
                    "band:lower=0.3:upper=3"), RolloutTarget.site(site), WavePlan.uniform(QUICK, WaveSize.devices(1),
                    WaveSize.share(1.0)), NO_WATCH, true), "admin"));
            assertTrue(reaches(hub, r.id(), RolloutState.FINISHED), () -> "finished: " + view(hub, r.id()));
            RolloutEngine.View v = view(hub, r.id());
            assertEquals(2, v.counts().get(ActionState.ACTIVE));
            for (ActionRecord a : v.actions()) {
                assertEquals(a.candidateVersion(), devices.last(a.action().device().device()).version());
                assertTrue(a.candidateVersion().matches(java.util.regex.Pattern.quote(a.previousVersion()) + "-p[0-9a-f]{8}"),
                        a.candidateVersion() + " from " + a.previousVersion());
                dev.tandem.shared.tiny.TinyModel before = commissioned.get(a.action().device().device());
                assertEquals(before.version(), a.previousVersion());
                dev.tandem.shared.tiny.TinyModel after = dev.tandem.shared.tiny.TinyModelCodec.decode(hub.store()
                        .models().artifact(a.candidateSha256()).orElseThrow());
                double t = before.policy().threshold();
                assertEquals(new dev.tandem.shared.policy.EscalationPolicy(0.3 * t, t, 3 * t), after.policy());
                assertEquals(before, after.withPolicy(before.version(), before.policy()), "only the band changed");
            }
            // the same policy again: every device already has that band, nothing is sent
            Rollout again = await(hub.rollouts().create(new RolloutEngine.Request("band again", RolloutChange.policy(
                    "band:lower=0.3:upper=3"), RolloutTarget.site(site), WavePlan.uniform(QUICK, WaveSize.share(1.0)),
                    NO_WATCH, true), "admin"));
            assertTrue(reaches(hub, again.id(), RolloutState.FINISHED), () -> "finished: " + view(hub, again.id()));
            assertEquals(2, devices.manifests("d1").size(), "commissioning and the first policy rollout only");
            // an unknown policy or a band out of range is refused before anything is planned
            for (String bad : List.of("strict", "band:lower=2", "widen:factor=50", "edge-only:x=1", "band:lower")) {
                TandemException e = assertThrows(TandemException.class, () -> await(hub.rollouts().create(
                        new RolloutEngine.Request("bad", RolloutChange.policy(bad), RolloutTarget.site(site),
                                WavePlan.defaults(), NO_WATCH, true), "admin")), bad);
                assertEquals(ErrorCode.INVALID_FIELD, e.code(), bad);
            }
        }
    }

    @Test
    void aBadModel_rolledBackByTheFirstDevicesWatchdog_stopsTheRollout_andNoDeviceIsLeftOnIt() throws Exception {
        String site = Signals.site();
        try (CloudHub hub = hubWith(Hubs.config(broker.address()), site, 4);
             ScriptedDevices devices = new ScriptedDevices(broker.url(), site, hub.publicKey(), (d, m) -> List.of(
                     ModelState.verifying(site, d, m.version()), ModelState.active(site, d, m.version()),
                     ModelState.rolledBack(site, d, m.version(), ErrorCode.WATCHDOG_TRIPPED,
                             "alarm rate 0.97 above the band [0, 0.2]")))) {
            Rollout r = await(hub.rollouts().create(new RolloutEngine.Request("bad", RolloutChange.recipe(
                    "default:threshold-scale=0.02"), RolloutTarget.site(site), WavePlan.defaults(), null, true), "admin"));
            assertTrue(reaches(hub, r.id(), RolloutState.ROLLED_BACK), () -> "rolled back: " + view(hub, r.id()));
            RolloutEngine.View v = view(hub, r.id());
            assertEquals(1, v.counts().get(ActionState.ROLLED_BACK));
            assertEquals(3, v.counts().get(ActionState.CANCELED), "the later waves never started");
            ActionRecord first = v.actions().get(0);
            assertEquals(ErrorCode.WATCHDOG_TRIPPED, first.action().code());
            assertNotNull(first.rollbackGeneration());
            for (int i = 1; i <= 4; i++) {
                String d = "d" + i;
                assertTrue(TestWait.until(WAIT, () -> devices.last(d) != null), d);
            }
            // the first device's retained assignment names its previous model again, under a higher generation
            assertTrue(TestWait.until(WAIT, () -> devices.manifests("d1").size() == 3));
            ModelManifest back = devices.last("d1");
            assertNull(back.rules());
            assertEquals(first.previousVersion(), back.version());
            assertEquals(first.rollbackGeneration(), back.generation());
            assertTrue(back.generation() > first.generation());
            // the others never saw the candidate
            for (int i = 2; i <= 4; i++) {
                assertEquals(1, devices.manifests("d" + i).size(), "d" + i + " got only its commissioned model");
            }
            List<RolloutStore.Transition> ts = hub.store().rollouts().transitions(r.id(), null);
            assertEquals("STOPPED", ts.get(ts.size() - 2).to());
            assertTrue(ts.get(ts.size() - 2).reason().contains("wave 1"), ts.get(ts.size() - 2).reason());
        }
    }

    @Test
    void aDeviceAlreadyOnTheCandidate_isActiveAtOnce_andIsSentNothing() throws Exception {
        String site = Signals.site();
        try (CloudHub hub = hubWith(Hubs.config(broker.address()), site, 1);
             ScriptedDevices devices = new ScriptedDevices(broker.url(), site, hub.publicKey(), (d, m) -> List.of())) {
            assertTrue(TestWait.until(WAIT, () -> devices.last("d1") != null));
            // the hub's own settings fit the very model the device was commissioned with
            Rollout r = await(hub.rollouts().create(request(site, "default", WavePlan.uniform(QUICK, WaveSize.share(1.0))),
                    "admin"));
            assertTrue(reaches(hub, r.id(), RolloutState.FINISHED));
            ActionRecord a = view(hub, r.id()).actions().get(0);
            assertEquals(ActionState.ACTIVE, a.action().state());
            assertNull(a.generation(), "nothing sent");
            assertEquals(a.previousVersion(), a.candidateVersion());
            assertEquals(1, devices.manifests("d1").size());
        }
    }

    @Test
    void aDeviceWhoseWatchdogTripsAfterTheRolloutFinished_isSentItsPreviousModel_underAHigherGeneration() throws Exception {
        String site = Signals.site();
        try (CloudHub hub = hubWith(Hubs.config(broker.address()), site, 1);
             ScriptedDevices devices = new ScriptedDevices(broker.url(), site, hub.publicKey(), (d, m) -> List.of(
                     ModelState.verifying(site, d, m.version()), ModelState.active(site, d, m.version())))) {
            Rollout r = await(hub.rollouts().create(request(site, "default:threshold-quantile=0.995",
                    WavePlan.uniform(QUICK, WaveSize.share(1.0))), "admin"));
            assertTrue(reaches(hub, r.id(), RolloutState.FINISHED));
            ModelManifest candidate = devices.last("d1");
            assertEquals(r.id(), candidate.rules().rollout());
            // later, the device's watchdog sends it back by itself
            devices.report(ModelState.rolledBack(site, "d1", candidate.version(), ErrorCode.WATCHDOG_TRIPPED,
                    "escalation rate 0.41 above the band [0, 0.3]").about(candidate.generation(), r.id()));
            assertTrue(TestWait.until(WAIT, () -> devices.manifests("d1").size() == 3), "sent back");
            ModelManifest back = devices.last("d1");
            assertNull(back.rules());
            assertEquals(candidate.parentVersion(), back.version());
            assertTrue(back.generation() > candidate.generation());
            // the manifest goes out before the engine has recorded its generation with the action
            assertTrue(TestWait.until(WAIT, () -> Long.valueOf(back.generation()).equals(view(hub, r.id()).actions().get(0)
                    .rollbackGeneration())), () -> "recorded: " + view(hub, r.id()).actions().get(0));
            ActionRecord a = view(hub, r.id()).actions().get(0);
            assertEquals(ActionState.ROLLED_BACK, a.action().state());
            assertEquals(ErrorCode.WATCHDOG_TRIPPED, a.action().code());
            assertEquals(back.generation(), a.rollbackGeneration());
            assertEquals(back.version(), hub.lineage().current(new DeviceId(site, "d1")).orElseThrow().version());
        }
    }

    @Test
    void staleReports_areIgnoredAndCounted_impossibleOnesRefused_theActionUnchanged() throws Exception {
        String site = Signals.site();
        try (CloudHub hub = hubWith(Hubs.config(broker.address()), site, 1);
             ScriptedDevices devices = new ScriptedDevices(broker.url(), site, hub.publicKey(), (d, m) -> List.of())) {
            Rollout r = await(hub.rollouts().create(request(site, "default:threshold-quantile=0.995",
                    WavePlan.uniform(QUICK, WaveSize.share(1.0))), "admin"));
            assertTrue(TestWait.until(WAIT, () -> devices.last("d1") != null && devices.last("d1").rules() != null));
            ModelManifest m = devices.last("d1");
            long before = hub.metrics().errorCount(ErrorCode.INVALID_STATE_TRANSITION);
            devices.report(ModelState.verifying(site, "d1", m.version()).about(m.generation() - 1, r.id()));
            devices.report(ModelState.verifying(site, "d1", m.version()).about(m.generation(), "r-other"));
            devices.report(ModelState.active(site, "d1", m.version()).about(m.generation(), r.id()));
            assertTrue(TestWait.until(WAIT, () -> hub.rollouts().staleReports() == 2
                    && hub.rollouts().refusedReports() == 1));
            assertEquals(before + 1, hub.metrics().errorCount(ErrorCode.INVALID_STATE_TRANSITION));
            assertEquals(ActionState.SCHEDULED, view(hub, r.id()).actions().get(0).action().state());
            // the right reports still move it
            devices.report(ModelState.verifying(site, "d1", m.version()).about(m.generation(), r.id()));
            devices.report(ModelState.active(site, "d1", m.version()).about(m.generation(), r.id()));
            assertTrue(reaches(hub, r.id(), RolloutState.FINISHED));
        }
    }

    @Test
    void aWaveThatTimesOut_stopsWithItsCode_andTheDevicesSentTheCandidateGoBack() throws Exception {
        String site = Signals.site();
        WaveGate shortGate = new WaveGate(1.0, 0.0, Duration.ZERO, Duration.ofSeconds(2));
        try (CloudHub hub = hubWith(Hubs.config(broker.address()), site, 2);
             ScriptedDevices devices = new ScriptedDevices(broker.url(), site, hub.publicKey(),
                     (d, m) -> List.of(ModelState.verifying(site, d, m.version())))) {
            Rollout r = await(hub.rollouts().create(request(site, "default:threshold-quantile=0.995",
                    WavePlan.uniform(shortGate, WaveSize.share(1.0))), "admin"));
            assertTrue(reaches(hub, r.id(), RolloutState.ROLLED_BACK));
            assertEquals(2, view(hub, r.id()).counts().get(ActionState.CANCELED));
            List<RolloutStore.Transition> ts = hub.store().rollouts().transitions(r.id(), null);
            assertTrue(ts.stream().anyMatch(t -> t.to().equals("STOPPED") && t.code() == ErrorCode.ROLLOUT_TIMEOUT));
            assertTrue(hub.metrics().errorCount(ErrorCode.ROLLOUT_TIMEOUT) >= 1);
            for (String d : List.of("d1", "d2")) {
                assertTrue(TestWait.until(WAIT, () -> devices.manifests(d).size() == 3), d);
                assertNull(devices.last(d).rules(), d + " sent back to its previous model");
            }
        }
    }

    @Test
    void pauseResumeAndAbort_byCommand_activeDevicesKeepTheCandidate_theOthersAreCanceledAndSentBack() throws Exception {
        String site = Signals.site();
        try (CloudHub hub = hubWith(Hubs.config(broker.address()), site, 3);
             ScriptedDevices devices = new ScriptedDevices(broker.url(), site, hub.publicKey(),
                     (d, m) -> ScriptedDevices.goesActive(site, d, m))) {
            Rollout r = await(hub.rollouts().create(new RolloutEngine.Request("pausing", RolloutChange.recipe(
                    "default:threshold-quantile=0.995"), RolloutTarget.site(site), WavePlan.uniform(QUICK,
                    WaveSize.devices(1), WaveSize.share(1.0)), NO_WATCH, false), "admin"));
            assertEquals(RolloutState.READY, r.state());
            // a second rollout over the same devices is refused while this one is under way
            TandemException busy = assertThrows(TandemException.class, () -> await(hub.rollouts().create(
                    request(site, "default", WavePlan.defaults()), "admin")));
            assertEquals(ErrorCode.INVALID_FIELD, busy.code());

            await(hub.rollouts().start(r.id()));
            assertEquals(RolloutState.PAUSED, await(hub.rollouts().pause(r.id())).state());
            assertTrue(TestWait.until(WAIT, () -> view(hub, r.id()).counts().get(ActionState.ACTIVE) == 1));
            // paused: the first wave is done but the second does not start
            devices.hold();
            assertEquals(RolloutState.RUNNING, await(hub.rollouts().resume(r.id())).state());
            assertTrue(TestWait.until(WAIT, () -> devices.manifests("d3").size() == 2), "wave 2 sent on resume");
            assertEquals(RolloutState.ABORTED, await(hub.rollouts().abort(r.id())).state());
            RolloutEngine.View v = view(hub, r.id());
            assertEquals(1, v.counts().get(ActionState.ACTIVE));
            assertEquals(2, v.counts().get(ActionState.CANCELED));
            assertTrue(TestWait.until(WAIT, () -> devices.manifests("d2").size() == 3 && devices.manifests("d3").size() == 3));
            assertNull(devices.last("d3").rules(), "sent back");
            assertEquals(2, devices.manifests("d1").size(), "the active device keeps the new model");
            TandemException ended = assertThrows(TandemException.class, () -> await(hub.rollouts().resume(r.id())));
            assertEquals(ErrorCode.INVALID_STATE_TRANSITION, ended.code());
            assertEquals(ErrorCode.NOT_FOUND, assertThrows(TandemException.class,
                    () -> await(hub.rollouts().pause("r-none"))).code());
            devices.release();
        }
    }

    @Test
    void aHubRestartedMidRollout_resumesWhereItStood_withoutRepublishingTheOldModel(@TempDir Path dir) throws Exception {
        String site = Signals.site();
        HubKey key = HubKey.generate();
        HubConfig config = Hubs.config(broker.address()).toBuilder().signingKey(key).store(StoreSettings.h2File(dir))
                .build();
        String id;
        ScriptedDevices devices;
        try (CloudHub hub = hubWith(config, site, 2)) {
            devices = new ScriptedDevices(broker.url(), site, hub.publicKey(), (d, m) -> ScriptedDevices.goesActive(site, d, m));
            // d2 takes its candidate but reports only once the hub is back (held from the start: with no watch
            // time its wave starts the moment d1 is ACTIVE, before a test thread could react)
            devices.hold("d2");
            Rollout r = await(hub.rollouts().create(request(site, "default:threshold-quantile=0.995",
                    WavePlan.uniform(QUICK, WaveSize.devices(1), WaveSize.share(1.0))), "admin"));
            id = r.id();
            assertTrue(TestWait.until(WAIT, () -> view(hub, id).counts().get(ActionState.ACTIVE) == 1));
            assertTrue(TestWait.until(WAIT, () -> devices.manifests("d2").size() == 2));
            assertTrue(TestWait.until(WAIT, () -> hub.store().rollouts().find(id).orElseThrow().rollout().currentWave() == 1
                    && hub.store().rollouts().actions(id, 0, 10).get(1).sent()));
        }
        try (ScriptedDevices d = devices; CloudHub again = CloudHub.start(config)) {
            again.restored().get(60, TimeUnit.SECONDS);
            RolloutEngine.View v = view(again, id);
            assertEquals(RolloutState.RUNNING, v.rollout().state());
            assertEquals(1, v.rollout().currentWave());
            d.release();
            assertTrue(reaches(again, id, RolloutState.FINISHED), () -> "finished: " + view(again, id));
            assertEquals(2, view(again, id).counts().get(ActionState.ACTIVE));
            // the restarted hub did not send the devices in the rollout their commissioned model again
            assertEquals(2, d.manifests("d1").size());
            assertEquals(2, d.manifests("d2").size());
        }
    }
}
