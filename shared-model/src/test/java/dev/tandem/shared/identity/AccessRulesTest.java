package dev.tandem.shared.identity;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessRulesTest {
    @Test
    void agent_publishesOnlyForItsDevices_andSubscribesOnlyToTheirReadingsModelAndVerdicts() {
        List<Permission> p = AccessRules.of(Identity.agent("plant", "box-1", List.of("m1", "m2")));

        assertEquals(22, p.size()); // 2 devices x (6 published + 5 subscribed)
        assertTrue(p.contains(Permission.publish("tandem/v1/plant/m1/model/fetch")), "its artifact requests");
        assertTrue(p.contains(Permission.subscribe("tandem/v1/plant/m1/model/chunk")), "the hub's answers");
        assertFalse(p.contains(Permission.publish("tandem/v1/plant/m1/model/chunk")), "only the hub sends chunks");
        assertTrue(p.contains(Permission.publish("tandem/v1/plant/m1/escalations")));
        assertTrue(p.contains(Permission.publish("tandem/v1/plant/m2/model/state")));
        assertTrue(p.contains(Permission.subscribe("tandem/v1/plant/m2/verdicts")));
        assertTrue(p.contains(Permission.subscribe("tandem/v1/plant/m1/trust")), "the hub's key history");
        assertFalse(p.contains(Permission.publish("tandem/v1/plant/m1/trust")), "only the hub announces keys");
        assertFalse(p.contains(Permission.publish("tandem/v1/plant/m1/verdicts")), "only the hub issues verdicts");
        assertFalse(p.contains(Permission.publish("tandem/v1/plant/m1/model")), "only the hub assigns models");
        assertTrue(p.stream().noneMatch(Permission::shared));
        assertTrue(p.stream().allMatch(x -> x.topic().startsWith("tandem/v1/plant/m1/")
                || x.topic().startsWith("tandem/v1/plant/m2/")));
    }

    @Test
    void sensor_publishesReadingsOfItsDevicesOnly() {
        assertEquals(List.of(Permission.publish("tandem/v1/plant/m1/readings")),
                AccessRules.of(Identity.sensor("plant", "line-1", List.of("m1"))));
    }

    @Test
    void hub_readsItsSitesEscalationsSharedOrPlain_andIssuesVerdictsAndModelsThere() {
        List<Permission> p = AccessRules.of(Identity.hub("plant", "hub-1"));

        assertTrue(p.contains(Permission.subscribeShared("tandem/v1/plant/+/escalations")));
        assertEquals("$share/hub/tandem/v1/plant/+/escalations",
                Permission.subscribeShared("tandem/v1/plant/+/escalations").subscribeFilter());
        assertTrue(p.contains(Permission.publish("tandem/v1/plant/+/verdicts")));
        assertTrue(p.contains(Permission.publish("tandem/v1/plant/+/model")));
        assertTrue(p.contains(Permission.publish("tandem/v1/plant/+/model/chunk")), "artifact chunks");
        assertTrue(p.contains(Permission.subscribeShared("tandem/v1/plant/+/model/fetch")), "fetches, split by the group");
        assertFalse(p.contains(Permission.publish("tandem/v1/plant/+/model/fetch")));
        assertTrue(p.contains(Permission.publish("tandem/v1/plant/notifications")), "alarm notifications");
        assertTrue(p.stream().allMatch(x -> x.topic().startsWith("tandem/v1/plant/+/")
                || x.topic().equals("tandem/v1/plant/notifications")), "never another site");
    }

    @Test
    void identities_areValidated_andUsernamesCarryTheSite() {
        assertEquals("plant/box-1", Identity.agent("plant", "box-1", List.of("m1")).username());
        assertEquals(List.of("plant", "box-1"), List.of(Identity.splitUsername("plant/box-1")));
        for (String bad : new String[]{"plant", "a/b/c", "../x", "plant/+", "plant/#", "/x"}) {
            assertEquals(ErrorCode.INVALID_FIELD,
                    assertThrows(TandemException.class, () -> Identity.splitUsername(bad)).code(), bad);
        }
        assertThrows(TandemException.class, () -> Identity.agent("plant", "box", List.of()));
        assertThrows(TandemException.class, () -> Identity.agent("..", "box", List.of("m1")));
        assertThrows(TandemException.class, () -> Identity.agent("plant", "box", List.of("m1", "m1")));
        assertThrows(TandemException.class, () -> new Identity(Role.HUB, "plant", "hub", List.of("m1")));
    }

    @Test
    void passwordHash_matchesOnlyItsPassword_asMosquittoComputesIt() {
        String pw = PasswordHash.randomPassword();
        PasswordHash h = PasswordHash.of(pw);

        assertEquals(24, pw.length());
        assertTrue(h.matches(pw.getBytes(StandardCharsets.UTF_8)));
        assertFalse(h.matches("wrong".getBytes(StandardCharsets.UTF_8)));
        assertFalse(h.matches(null));
        // a hash written by mosquitto_ctrl (dynsec init, password 'secretpw', 101 iterations)
        PasswordHash mosquitto = new PasswordHash(
                "qjw/OypVhJ3Wq3os0WfyFD8FvIUOw6JEx9wjY9l9JCIK2BESFzU4pK/3QHzmaJIXltcidafQMGovvGGAB+Hpxg==",
                "5Trho2Ir2VTImaPz", 101);
        assertTrue(mosquitto.matches("secretpw".getBytes(StandardCharsets.UTF_8)));
        assertEquals(64, Base64.getDecoder().decode(h.hash()).length);
    }
}
