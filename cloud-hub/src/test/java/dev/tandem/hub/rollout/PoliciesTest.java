package dev.tandem.hub.rollout;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.policy.EscalationPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PoliciesTest {
    private static final EscalationPolicy FITTED = new EscalationPolicy(0.8, 1.0, 1.25);

    @Test
    void eachPolicyGivesItsBand() {
        assertEquals(EscalationPolicy.edgeOnly(1.0), Policies.resolve("edge-only").band(FITTED));
        assertEquals(new EscalationPolicy(0.5, 1.0, 2.0), Policies.resolve("band").band(FITTED));
        assertEquals(new EscalationPolicy(0.25, 1.0, 4.0), Policies.resolve("band:lower=0.25:upper=4").band(FITTED));
        EscalationPolicy wide = Policies.resolve("widen:factor=2").band(FITTED);
        assertEquals(0.4, wide.lower(), 1e-12);
        assertEquals(2.5, wide.upper(), 1e-12);
        // narrowing never crosses the threshold
        EscalationPolicy narrow = Policies.resolve("widen:factor=0.1").band(FITTED);
        assertEquals(new EscalationPolicy(1.0, 1.0, 1.0), narrow);
        // a band scales with the model's own threshold
        assertEquals(new EscalationPolicy(1.0, 2.0, 8.0),
                Policies.resolve("band:lower=0.5:upper=4").band(new EscalationPolicy(1.5, 2.0, 3.0)));
    }

    @Test
    void badPoliciesAreRefusedAsInvalidFields() {
        for (String bad : List.of("strict", "band:lower=0", "band:upper=0.5", "band:upper=101", "band:lower=x",
                "band:lower", "widen", "widen:factor=11", "widen:lower=0.5", "edge-only:factor=2")) {
            TandemException e = assertThrows(TandemException.class, () -> Policies.resolve(bad), bad);
            assertEquals(ErrorCode.INVALID_FIELD, e.code(), bad);
        }
    }
}
