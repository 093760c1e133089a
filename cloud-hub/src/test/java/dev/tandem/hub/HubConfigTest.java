package dev.tandem.hub;

import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.config.BrokerAddress;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HubConfigTest {
    private final HubConfig defaults = HubConfig.defaults(new BrokerAddress("127.0.0.1", 1883));

    @Test
    void defaults_batchOf64Within2ms_sharedSubscription_aStoreThatKeepsNothing() {
        assertEquals(64, defaults.batchMax());
        assertEquals(Duration.ofMillis(2), defaults.batchLinger());
        assertTrue(defaults.sharedSubscription());
        assertFalse(defaults.store().persistent());
        assertEquals(java.time.Duration.ofDays(30), defaults.store().retention());
        assertTrue(defaults.toBuilder().dataDir(java.nio.file.Path.of("/tmp/x")).build().store().persistent());
        assertTrue(defaults.fitThreads() >= 1 && defaults.fitThreads() <= 2);
        assertEquals(8, defaults.instanceId().length());
    }

    @Test
    void config_withInvalidValues_isRefusedAsInvalidConfig() {
        invalid(() -> defaults.toBuilder().batching(0, Duration.ofMillis(2)).build());
        invalid(() -> defaults.toBuilder().batching(10_000, Duration.ofMillis(2)).build());
        invalid(() -> defaults.toBuilder().batching(64, Duration.ofMillis(-1)).build());
        invalid(() -> defaults.toBuilder().batching(64, Duration.ofSeconds(5)).build());
        invalid(() -> defaults.toBuilder().instanceId("has space").build());
        invalid(() -> defaults.toBuilder().instanceId("").build());
        invalid(() -> defaults.toBuilder().fitThreads(0).build());
        invalid(() -> defaults.toBuilder().connectTimeout(Duration.ZERO).build());
        invalid(() -> defaults.toBuilder().tinyFit(null).build());
        invalid(() -> defaults.toBuilder().large(null).build());
        invalid(() -> new HubConfig(null, "a", 1, Duration.ZERO, defaults.tinyFit(), defaults.large(), null, true, 1,
                Duration.ofSeconds(1), BrokerLogin.none(), defaults.signingKey(), null, List.of(), null, null, null, null, null));
        invalid(() -> new HubConfig(defaults.broker(), "a", 1, Duration.ZERO, defaults.tinyFit(), defaults.large(), null,
                true, 1, Duration.ofSeconds(1), BrokerLogin.none(), null, null, List.of(), null, null, null, null, null));
        invalid(() -> defaults.toBuilder().site("..").build());
        invalid(() -> defaults.toBuilder().sessionExpiry(Duration.ofSeconds(-1)).build());
        invalid(() -> defaults.toBuilder().sessionExpiry(Duration.ofDays(2)).build());
        dev.tandem.shared.signing.HubKey next = dev.tandem.shared.signing.HubKey.generate();
        java.util.List<dev.tandem.shared.signing.Signed> history = List.of(
                new dev.tandem.shared.signing.ManifestSigner(defaults.signingKey()).rotateTo(next.publicKey()));
        invalid(() -> defaults.toBuilder().keyHistory(history).build()); // the history ends at another key
        HubConfig rotated = defaults.toBuilder().signingKey(next).keyHistory(history).build();
        org.junit.jupiter.api.Assertions.assertEquals(history, rotated.keyHistory());
        invalid(() -> HubConfig.builder(BrokerAddress.parse("mqtts://127.0.0.1")).build()); // TLS without a CA
    }

    private static void invalid(Supplier<HubConfig> config) {
        TandemException e = assertThrows(TandemException.class, config::get);
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
    }
}
