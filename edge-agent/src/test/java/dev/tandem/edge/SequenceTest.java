package dev.tandem.edge;

import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sequences that cannot blind a device: a huge seq, a restarted sensor, and a status that tells the truth. */
class SequenceTest extends AgentTestSupport {
    private final TinyModel model = TestModels.standard("v1");

    private EdgeAgent detecting(Vertx vertx) {
        hub(vertx).publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
        EdgeAgent agent = deploy(vertx, config().statusInterval(java.time.Duration.ofMillis(200)).build());
        TestHub.await(agent.modelsLoaded());
        return agent;
    }

    private void batch(long epoch, long firstSeq, int n) {
        List<Sample> samples = new ArrayList<>();
        double[] row = TestModels.row(model, TestModels.NORMAL);
        for (int i = 0; i < n; i++) {
            samples.add(new Sample(firstSeq + i, System.currentTimeMillis(), row));
        }
        hub.publish(topic(Kind.READINGS), ReadingBatch.of(site, device, epoch, samples), false);
    }

    @Test
    void oneReadingWithAHugeSeq_isRefusedAndCounted_andTheDeviceKeepsScoring(Vertx vertx) {
        EdgeAgent agent = detecting(vertx);
        batch(1, 0, 20);
        waitUntil(() -> agent.metrics().snapshot().windows() == 17, "windows of seq 3..19 scored");
        batch(1, Long.MAX_VALUE / 4, 1);
        batch(1, 20, 20);
        waitUntil(() -> agent.metrics().snapshot().windows() == 37, "the readings after the huge seq are scored");
        assertEquals(1, agent.sequence(device).refused());
        assertEquals(DeviceStatus.State.DETECTING, agent.state(device));
    }

    @Test
    void aSensorRestartedFromSeqZero_underANewEpoch_isScoredAgain(Vertx vertx) {
        EdgeAgent agent = detecting(vertx);
        hub.subscribe(topic(Kind.STATUS));
        batch(41, 0, 100);
        waitUntil(() -> agent.metrics().snapshot().windows() == 97, "first epoch scored");
        batch(42, 0, 30); // the simulator restarted: seq 0 again, a new epoch
        waitUntil(() -> agent.metrics().snapshot().windows() == 127, "the new epoch's readings are scored");
        assertEquals(1, agent.sequence(device).epochs());
        assertEquals(0, agent.metrics().snapshot().duplicateReadings());
        DeviceStatus s;
        do {
            s = hub.next(topic(Kind.STATUS), DeviceStatus.class);
        } while (s.sequence() == null || s.sequence().epoch() != 42);
        assertEquals(1, s.sequence().epochs());
        assertEquals(DeviceStatus.State.DETECTING, s.state());
        assertTrue(s.outbox() != null, "the status carries the outbox");
    }

    @Test
    void aDeviceThatTakesNoneOfItsReadings_saysStalled_notDetecting(Vertx vertx) throws Exception {
        EdgeAgent agent = detecting(vertx);
        batch(1, 0, 20);
        waitUntil(() -> agent.metrics().snapshot().windows() == 17, "scored");
        long until = System.currentTimeMillis() + EdgeDevice.STALLED_AFTER_MILLIS + 3_000;
        while (System.currentTimeMillis() < until && agent.state(device) != DeviceStatus.State.STALLED) {
            batch(1, 5, 1); // a duplicate, again and again: nothing taken
            Thread.sleep(200);
        }
        assertEquals(DeviceStatus.State.STALLED, agent.state(device));
        batch(1, 20, 1);
        waitUntil(() -> agent.state(device) == DeviceStatus.State.DETECTING, "detecting again once a reading is taken");
    }
}
