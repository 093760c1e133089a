package dev.tandem.hub.rollout;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceActionTest {
    private static final DeviceId D = new DeviceId("plant", "m1");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void states_areTheEightOfTheIssue_inOrder() {
        assertEquals(List.of("SCHEDULED", "DOWNLOADING", "VERIFYING", "SHADOW", "ACTIVE", "FAILED", "ROLLED_BACK",
                "CANCELED"), java.util.Arrays.stream(ActionState.values()).map(Enum::name).toList());
    }

    @Test
    void theHappyPath_andTheWatchdogsRollback_areTransitions() {
        DeviceAction a = DeviceAction.scheduled("r1", D, 0, T0);
        for (ActionState s : List.of(ActionState.DOWNLOADING, ActionState.VERIFYING, ActionState.SHADOW,
                ActionState.ACTIVE)) {
            a = a.moveTo(s, T0.plusSeconds(s.ordinal()));
            assertEquals(s, a.state());
        }
        assertFalse(a.state().isTerminal(), "an active model can still be rolled back");
        DeviceAction back = a.moveTo(ActionState.ROLLED_BACK, T0.plusSeconds(60), null, "alarm rate out of band");
        assertTrue(back.state().isTerminal() && back.state().isError());
        assertEquals("alarm rate out of band", back.reason());
        assertEquals(ActionState.ACTIVE, DeviceAction.scheduled("r1", D, 0, T0).moveTo(ActionState.DOWNLOADING, T0)
                .moveTo(ActionState.VERIFYING, T0).moveTo(ActionState.ACTIVE, T0).state(), "no shadow time: straight to ACTIVE");
    }

    @Test
    void everyOtherTransition_isRefusedWithItsCode_andTheActionUnchanged() {
        Set<List<ActionState>> allowed = Set.of(
                List.of(ActionState.SCHEDULED, ActionState.DOWNLOADING), List.of(ActionState.SCHEDULED, ActionState.CANCELED),
                List.of(ActionState.DOWNLOADING, ActionState.VERIFYING), List.of(ActionState.DOWNLOADING, ActionState.FAILED),
                List.of(ActionState.DOWNLOADING, ActionState.CANCELED),
                List.of(ActionState.VERIFYING, ActionState.SHADOW), List.of(ActionState.VERIFYING, ActionState.ACTIVE),
                List.of(ActionState.VERIFYING, ActionState.FAILED), List.of(ActionState.VERIFYING, ActionState.CANCELED),
                List.of(ActionState.SHADOW, ActionState.ACTIVE), List.of(ActionState.SHADOW, ActionState.FAILED),
                List.of(ActionState.SHADOW, ActionState.ROLLED_BACK), List.of(ActionState.SHADOW, ActionState.CANCELED),
                List.of(ActionState.ACTIVE, ActionState.ROLLED_BACK));
        int refused = 0;
        for (ActionState from : ActionState.values()) {
            for (ActionState to : ActionState.values()) {
                assertEquals(allowed.contains(List.of(from, to)), from.canMoveTo(to), from + " -> " + to);
                if (!from.canMoveTo(to)) {
                    DeviceAction a = in(from);
                    TandemException e = assertThrows(TandemException.class, () -> a.moveTo(to, T0, failureCode(to), "x"));
                    assertEquals(ErrorCode.INVALID_STATE_TRANSITION, e.code());
                    assertTrue(e.getMessage().contains(from + " to " + to), e.getMessage());
                    assertEquals(from, a.state());
                    refused++;
                }
            }
        }
        assertEquals(64 - allowed.size(), refused);
        for (ActionState s : EnumSet.of(ActionState.FAILED, ActionState.ROLLED_BACK, ActionState.CANCELED)) {
            assertTrue(s.isTerminal() && s.next().isEmpty(), s + " is final");
        }
    }

    @Test
    void failures_carryTheirCode_andOnlyFailuresDo() {
        DeviceAction verifying = in(ActionState.VERIFYING);
        DeviceAction failed = verifying.moveTo(ActionState.FAILED, T0, ErrorCode.ARTIFACT_HASH_MISMATCH, "chunk 3");
        assertEquals(ErrorCode.ARTIFACT_HASH_MISMATCH, failed.code());
        assertThrows(TandemException.class, () -> verifying.moveTo(ActionState.FAILED, T0), "FAILED without a code");
        assertThrows(TandemException.class, () -> verifying.moveTo(ActionState.SHADOW, T0, ErrorCode.INVALID_FIELD, "x"));
        assertThrows(TandemException.class, () -> in(ActionState.ACTIVE).moveTo(ActionState.ROLLED_BACK, T0),
                "ROLLED_BACK says why");
        assertThrows(TandemException.class, () -> in(ActionState.SHADOW).moveTo(ActionState.ROLLED_BACK, T0, null,
                "x".repeat(DeviceAction.MAX_REASON_CHARS + 1)));
    }

    /** An action that has reached {@code state} the legal way. */
    static DeviceAction in(ActionState state) {
        DeviceAction a = DeviceAction.scheduled("r1", D, 0, T0);
        List<ActionState> path = switch (state) {
            case SCHEDULED -> List.of();
            case DOWNLOADING -> List.of(ActionState.DOWNLOADING);
            case VERIFYING -> List.of(ActionState.DOWNLOADING, ActionState.VERIFYING);
            case SHADOW -> List.of(ActionState.DOWNLOADING, ActionState.VERIFYING, ActionState.SHADOW);
            case ACTIVE -> List.of(ActionState.DOWNLOADING, ActionState.VERIFYING, ActionState.ACTIVE);
            case FAILED -> List.of(ActionState.DOWNLOADING, ActionState.FAILED);
            case ROLLED_BACK -> List.of(ActionState.DOWNLOADING, ActionState.VERIFYING, ActionState.ACTIVE,
                    ActionState.ROLLED_BACK);
            case CANCELED -> List.of(ActionState.CANCELED);
        };
        for (ActionState s : path) {
            a = a.moveTo(s, T0, failureCode(s), s == ActionState.ROLLED_BACK ? "watchdog" : null);
        }
        return a;
    }

    static ErrorCode failureCode(ActionState s) {
        return s == ActionState.FAILED ? ErrorCode.SIGNATURE_INVALID : null;
    }
}
