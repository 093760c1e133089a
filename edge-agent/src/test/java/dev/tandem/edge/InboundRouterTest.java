package dev.tandem.edge;

import dev.tandem.shared.testing.TestKeys;
import dev.tandem.edge.trust.AcceptedModels;
import dev.tandem.edge.detect.ManualTimers;
import dev.tandem.edge.detect.WindowDecision;
import dev.tandem.edge.uplink.Outbox;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Routing and the model-state answers without a broker: the agent's parts on a manual clock. */
class InboundRouterTest {
    private static final String SITE = "s1";
    private static final String DEVICE = "pump-1";

    private final EdgeConfig config = EdgeConfig.builder(BrokerAddress.parse("tcp://127.0.0.1:1883"), SITE,
            List.of(DEVICE)).hubKey(TestKeys.hubPublicKey()).build();
    private final EdgeMetrics metrics = new EdgeMetrics("router-test");
    private final Outbox outbox = new Outbox(100, 8, () -> { });
    private final List<WindowDecision> decisions = new ArrayList<>();
    private Consumer<WindowDecision> onDecision = decisions::add;
    private final EdgeDevice device = new EdgeDevice(config, DEVICE, new ManualTimers(), metrics, outbox,
            d -> onDecision.accept(d));
    private final List<String> activated = new ArrayList<>();
    private final InboundRouter router = new InboundRouter(SITE, Map.of(DEVICE, device), config.maxReadingBytes(),
            new ModelAssignments(config, new AcceptedModels(null), metrics, d -> activated.add(d.id())), metrics);
    private long seq;

    private void readings(TinyModel m, double z, int n) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            samples.add(new Sample(seq++, 0, TestModels.row(m, z)));
        }
        router.route(Topics.of(SITE, DEVICE, Kind.READINGS), Wire.encode(ReadingBatch.of(SITE, DEVICE, samples)));
    }

    private List<ModelState> modelStates() {
        String topic = Topics.of(SITE, DEVICE, Kind.MODEL_STATE);
        return outbox.queued().stream().filter(m -> m.topic().equals(topic))
                .map(m -> Wire.decode(m.payload(), ModelState.class)).toList();
    }

    @Test
    void assignment_isAnsweredReceivedThenActive_andTheDeviceDetects() {
        TinyModel m = TestModels.standard("v1");
        router.route(Topics.of(SITE, DEVICE, Kind.MODEL), Wire.encode(TestModels.assignment(SITE, DEVICE, m)));

        assertEquals(List.of(ModelState.State.VERIFYING, ModelState.State.ACTIVE),
                modelStates().stream().map(ModelState::state).toList());
        assertEquals(List.of(DEVICE), activated);
        assertEquals("v1", device.modelVersion());
        readings(m, TestModels.NORMAL, TestModels.WINDOW);
        assertEquals(1, decisions.size());

        // the same version again: nothing to answer
        router.route(Topics.of(SITE, DEVICE, Kind.MODEL), Wire.encode(TestModels.assignment(SITE, DEVICE, m)));
        assertEquals(2, modelStates().size());
    }

    @Test
    void tamperedAssignment_isAnsweredReceivedThenRejected_withItsCode() {
        router.route(Topics.of(SITE, DEVICE, Kind.MODEL),
                Wire.encode(TestModels.tampered(SITE, DEVICE, TestModels.standard("v2"))));
        List<ModelState> states = modelStates();
        assertEquals(List.of(ModelState.State.VERIFYING, ModelState.State.FAILED),
                states.stream().map(ModelState::state).toList());
        assertEquals(ErrorCode.ARTIFACT_HASH_MISMATCH, states.get(1).code());
        assertEquals(1, metrics.errors(ErrorCode.ARTIFACT_HASH_MISMATCH));
        assertEquals(List.of(), activated);
    }

    @Test
    void unexpectedFailure_whileHandlingAMessage_isCountedAsInternalError_andTheNextMessageIsHandled() {
        TinyModel m = TestModels.standard("v1");
        router.route(Topics.of(SITE, DEVICE, Kind.MODEL), Wire.encode(TestModels.assignment(SITE, DEVICE, m)));
        readings(m, TestModels.NORMAL, TestModels.WINDOW - 1);
        onDecision = d -> {
            throw new IllegalStateException("a bug downstream");
        };
        readings(m, TestModels.NORMAL, 1);
        readings(m, TestModels.NORMAL, 1);
        assertEquals(2, metrics.errors(ErrorCode.INTERNAL_ERROR));
        assertEquals(0, metrics.errors(ErrorCode.INVALID_FIELD));

        onDecision = decisions::add;
        readings(m, TestModels.NORMAL, 1);
        assertEquals(1, decisions.size());
        assertEquals(2, metrics.snapshot().errors());
    }

    @Test
    void message_forADeviceThisAgentDoesNotServe_isUnknownDevice() {
        router.route(Topics.of(SITE, "pump-9", Kind.READINGS), Wire.encode(ReadingBatch.of(SITE, "pump-9",
                List.of(new Sample(0, 0, new double[]{1, 2})))));
        router.route(Topics.of("elsewhere", DEVICE, Kind.VERDICTS), new byte[0]);
        assertEquals(2, metrics.errors(ErrorCode.UNKNOWN_DEVICE));
    }
}
