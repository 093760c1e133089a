package dev.tandem.edge;

import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BadInputTest extends AgentTestSupport {
    private static final int MAX_READING_BYTES = 4096;

    /** One kind of bad message: where it goes, what it is, the code it must be counted under. */
    record BadInput(String name, Kind kind, ErrorCode code, BiFunction<String, String, byte[]> payload) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<BadInput> badInputs() {
        return Stream.of(
                new BadInput("reading that is not JSON", Kind.READINGS, ErrorCode.MALFORMED_PAYLOAD,
                        (site, dev) -> utf8("{\"v\":2,\"epoch\":0,\"site\":")),
                new BadInput("reading of the wrong shape", Kind.READINGS, ErrorCode.INVALID_FIELD,
                        (site, dev) -> utf8("{\"v\":2,\"epoch\":0,\"site\":\"" + site + "\",\"device\":\"" + dev + "\",\"samples\":\"x\"}")),
                new BadInput("oversized reading", Kind.READINGS, ErrorCode.OVERSIZED_PAYLOAD, (site, dev) -> {
                    List<Sample> many = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        many.add(new Sample(1000 + i, 0, new double[]{10.123456789, 20.123456789}));
                    }
                    return Wire.encode(ReadingBatch.of(site, dev, many));
                }),
                new BadInput("reading of an unknown schema version", Kind.READINGS, ErrorCode.UNKNOWN_SCHEMA_VERSION,
                        (site, dev) -> utf8("{\"v\":99,\"epoch\":0,\"site\":\"" + site + "\",\"device\":\"" + dev
                                + "\",\"samples\":[{\"seq\":1000,\"ts\":0,\"values\":[10,20]}]}")),
                new BadInput("reading with NaN", Kind.READINGS, ErrorCode.NON_FINITE_VALUE,
                        (site, dev) -> utf8("{\"v\":2,\"epoch\":0,\"site\":\"" + site + "\",\"device\":\"" + dev
                                + "\",\"samples\":[{\"seq\":1000,\"ts\":0,\"values\":[NaN,20]}]}")),
                new BadInput("reading with Infinity", Kind.READINGS, ErrorCode.NON_FINITE_VALUE,
                        (site, dev) -> utf8("{\"v\":2,\"epoch\":0,\"site\":\"" + site + "\",\"device\":\"" + dev
                                + "\",\"samples\":[{\"seq\":1000,\"ts\":0,\"values\":[10,Infinity]}]}")),
                new BadInput("reading naming another device than its topic", Kind.READINGS, ErrorCode.DEVICE_MISMATCH,
                        (site, dev) -> Wire.encode(ReadingBatch.of(site, "pump-9",
                                List.of(new Sample(1000, 0, new double[]{10, 20}))))),
                new BadInput("reading naming another site", Kind.READINGS, ErrorCode.DEVICE_MISMATCH,
                        (site, dev) -> Wire.encode(ReadingBatch.of("elsewhere", dev,
                                List.of(new Sample(1000, 0, new double[]{10, 20}))))),
                new BadInput("reading with a channel too many", Kind.READINGS, ErrorCode.CHANNEL_MISMATCH,
                        (site, dev) -> Wire.encode(ReadingBatch.of(site, dev,
                                List.of(new Sample(1000, 0, new double[]{10, 20, 30}))))),
                new BadInput("verdict that is not JSON", Kind.VERDICTS, ErrorCode.MALFORMED_PAYLOAD,
                        (site, dev) -> utf8("verdict!")),
                new BadInput("verdict for another device", Kind.VERDICTS, ErrorCode.DEVICE_MISMATCH,
                        (site, dev) -> Wire.encode(new Verdict(Verdict.VERSION, "x", site, "pump-9", 1, true, 1, "h", -1, 0))),
                new BadInput("model assignment of an unknown schema version", Kind.MODEL, ErrorCode.UNKNOWN_SCHEMA_VERSION,
                        (site, dev) -> utf8(new String(Wire.encode(TestModels.assignment(site, dev,
                                TestModels.standard("v2"))), StandardCharsets.UTF_8).replaceFirst("\"v\":[0-9]+", "\"v\":99"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInput_isCountedAndDropped_andTheNextGoodReadingIsProcessed(BadInput bad, Vertx vertx) {
        TinyModel model = TestModels.standard("v1");
        hub(vertx);
        hub.publish(topic(Kind.MODEL), TestModels.assignment(site, device, model), true);
        EdgeAgent agent = deploy(vertx, config().maxReadingBytes(MAX_READING_BYTES).build());
        TestHub.await(agent.modelsLoaded());
        hub.readings(site, device, 4, 4, TestModels.row(model, TestModels.NORMAL));
        waitUntil(() -> decided() == 1, "the first window");

        // bad messages on the model topic are not retained: a later subscriber must not trip on them
        hub.publishRaw(topic(bad.kind()), bad.payload().apply(site, device), false);
        hub.readings(site, device, TestModels.row(model, TestModels.NORMAL));

        waitUntil(() -> decided() == 2, "the good reading after the bad one processed");
        EdgeMetrics.Snapshot s = agent.metrics().snapshot();
        assertEquals(1, s.errors(bad.code()), "counted under " + bad.code() + ": " + s.errorsByCode());
        assertEquals(1, s.errors(), "nothing else counted: " + s.errorsByCode());
        assertEquals(5, s.readings());
        assertEquals("v1", agent.modelVersion(device).orElseThrow());
    }

    @Test
    void aFloodOfBadReadings_isCountedExactly_butLoggedOnlyAFewTimes(Vertx vertx) {
        int flood = 2_000;
        hub(vertx);
        EdgeAgent agent = deploy(vertx, config().build());
        for (int i = 0; i < flood; i++) {
            hub.publishRaw(topic(Kind.READINGS), utf8("{\"v\":2,\"site\":"), false);
        }
        waitUntil(() -> agent.metrics().errors(ErrorCode.MALFORMED_PAYLOAD) == flood, "every bad reading counted");
        long suppressed = agent.metrics().badInputLog().suppressed();
        assertTrue(suppressed >= flood - dev.tandem.shared.error.RateLimitedLog.DEFAULT_BURST * 2,
                "at most a few lines per interval were written: " + (flood - suppressed));
    }
}
