package dev.tandem.sim.fleet;

import dev.tandem.edge.EdgeAgent;
import dev.tandem.edge.delivery.ArtifactDownloads;
import dev.tandem.hub.CloudHub;
import dev.tandem.shared.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole path with real parts: a hub and edge agents on the secured embedded broker (its ACLs from
 * AccessRules), each device's model published as a signed manifest and fetched by its agent in
 * several 512-byte chunks from the hub's artifact server, checked, and run.
 */
class ChunkedDeliveryEndToEndTest {
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyDevicesModel_travelsInSeveralChunks_fromTheHubToItsAgent() {
        try (LocalFleet fleet = LocalFleet.start(LocalFleetOptions.builder().devices(2).chunkBytes(512).build())) {
            CloudHub hub = fleet.hub().orElseThrow();
            long chunks = 0;
            for (EdgeAgent agent : fleet.agents()) {
                String device = agent.edgeConfig().devices().get(0);
                assertTrue(agent.modelVersion(device).isPresent(), device + " runs its model");
                ArtifactDownloads.Stats s = agent.downloads();
                assertTrue(s.chunks() >= 2, device + " fetched its model in several chunks: " + s);
                assertEquals(1, s.completed(), device + ": " + s);
                assertEquals(0, s.refusedHash() + s.refusedByHub(), device + ": " + s);
                assertEquals(0, agent.metrics().errors(ErrorCode.ARTIFACT_HASH_MISMATCH));
                chunks += s.chunks();
            }
            assertTrue(hub.artifacts().chunksSent() >= chunks, "the hub sent " + hub.artifacts().chunksSent());
            assertEquals(0, hub.artifacts().refused(ErrorCode.ARTIFACT_NOT_ASSIGNED));
        }
    }
}
