package dev.tandem.sim.scenario;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.edge.EdgeConfig;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.attack.Attack;
import dev.tandem.sim.attack.Attacker;
import dev.tandem.sim.provision.SecuredMosquitto;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.provision.SiteLayout;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in attack scenario against a running secured fleet on mosquitto (its dynamic-security
 * plugin, the site's identities): a hub and one edge agent per pump; every attack refused, and the
 * victim alarms on its second fault as on its first, from the same genuine model.
 */
class AttackScenarioTest {
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void attackScenario_againstASecuredFleet_everyAttackRefused_andTheVictimAlarmsAsBefore(@TempDir Path dir)
            throws Exception {
        Scenario s = ScenarioLoader.builtIn("attack");
        List<String> devices = s.devices().stream().map(Scenario.Device::id).toList();
        SiteAccess site = SiteAccess.provisionFor(new SiteLayout(dir.resolve("site")), "plant", devices);
        Vertx vertx = Vertx.vertx();
        try (SecuredMosquitto broker = SecuredMosquitto.start(site.layout());
             CloudHub hub = CloudHub.start(HubConfig.builder(broker.broker().address()).login(site.hub())
                     .signingKey(site.signingKey()).sharedSubscription(false).build())) {
            List<EdgeAgent> agents = new ArrayList<>();
            for (String d : devices) {
                EdgeAgent a = new EdgeAgent(EdgeConfig.builder(broker.broker().address(), "plant", List.of(d))
                        .login(site.agentFor(d)).hubKey(site.hubPublicKey()).commissioningSamples(300).build());
                vertx.deployVerticle(a).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                a.ready().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                agents.add(a);
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            ScenarioRun.Options o = new ScenarioRun.Options(broker.broker().address(), 10, dir.resolve("attack.truth.jsonl"),
                    null, dir.resolve("attack.json"), Duration.ofSeconds(180), 1, Duration.ofSeconds(5), site);
            ScenarioReport r = new ScenarioRun(s, o, new PrintStream(buf, true, StandardCharsets.UTF_8)).run();
            String printed = buf.toString(StandardCharsets.UTF_8) + "\nthe victim's agent: "
                    + agents.get(0).metrics().snapshot();
            System.out.println(printed);

            assertTrue(r.completed(), printed);
            assertEquals(1, r.attacks().size());
            AttackReport a = r.attacks().get(0);
            assertEquals("machine-01", a.victim());
            assertEquals(Attack.values().length, a.attempted());
            for (Attacker.Result x : a.results()) {
                assertTrue(x.refused(), x.description() + ": " + x.answer());
            }
            assertTrue(a.alarmsBefore() > 0, "the victim alarmed on its first fault: " + printed);
            assertTrue(a.alarmsAfter() > 0, "the victim alarmed on its second fault, after the attacks: " + printed);
            assertEquals(a.modelsBefore(), a.modelsAfter(), "the same genuine model before and after");
            assertEquals(agents.get(0).modelVersion("machine-01").orElseThrow(), a.modelsAfter().get(0));
            assertTrue(r.succeeded());
            int n = Attack.values().length;
            assertTrue(printed.contains(n + " of " + n + " refused"), printed);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void anAttackScenario_withoutTheSite_isRefusedBeforeItRuns() {
        Scenario s = ScenarioLoader.builtIn("attack");
        ScenarioRun.Options o = new ScenarioRun.Options(null, 1, Path.of("x.jsonl"), null, null, Duration.ofSeconds(5), 1,
                Duration.ofSeconds(5));
        TandemException e = assertThrows(TandemException.class, () -> new ScenarioRun(s, o, System.out));
        assertTrue(e.getMessage().contains("--site-dir"), e.getMessage());
    }
}
