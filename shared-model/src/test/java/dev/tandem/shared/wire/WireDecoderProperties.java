package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.tiny.TinyModelFixtures;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Any byte string given to a wire decoder (bounded in size) gives a valid message or a
 * {@link TandemException} with its stable code: never another exception.
 */
class WireDecoderProperties {
    private static final List<Class<?>> TYPES = List.of(ReadingBatch.class, Commissioning.class, Escalation.class,
            Verdict.class, Alarm.class, ModelAssignment.class, ModelState.class, DeviceStatus.class, TrustChain.class);

    /** What a mutation writes: JSON's own characters (they reach the parser's deeper paths), a NUL and a letter. */
    private static final String JSON_BYTES = "{}[]\",:0123456789-eE.ntrufalse\\ \u0000x";

    @Provide
    Arbitrary<Class<?>> types() {
        return Arbitraries.of(TYPES);
    }

    @Provide
    Arbitrary<Object> seeds() {
        return Arbitraries.of(WireRoundTripTest.messages().toList());
    }

    private static void decodesOrRefuses(byte[] payload, Class<?> type) {
        try {
            assertNotNull(Wire.decode(payload, type));
        } catch (TandemException expected) {
            assertNotNull(expected.code());
        }
    }

    @Property(tries = 500)
    void anyBytes_giveAMessageOrAStableCode(@ForAll @Size(max = 2048) byte[] payload, @ForAll("types") Class<?> type) {
        decodesOrRefuses(payload, type);
    }

    @Property(tries = 500)
    void anyText_givesAMessageOrAStableCode(@ForAll @Size(max = 512) String text, @ForAll("types") Class<?> type) {
        decodesOrRefuses(text.getBytes(StandardCharsets.UTF_8), type);
        decodesOrRefuses(("{\"v\":2," + text + "}").getBytes(StandardCharsets.UTF_8), type);
    }

    /** A valid message with a few bytes changed, cut short or both: what a noisy link or an attacker sends. */
    @Property(tries = 1000)
    void aMutatedValidMessage_givesAMessageOrAStableCode(@ForAll("seeds") Object seed, @ForAll long random,
                                                         @ForAll @IntRange(min = 1, max = 8) int changes) {
        byte[] bytes = Wire.encode(seed);
        Random r = new Random(random);
        for (int i = 0; i < changes; i++) {
            bytes[r.nextInt(bytes.length)] = (byte) JSON_BYTES.charAt(r.nextInt(JSON_BYTES.length()));
        }
        if (r.nextBoolean()) {
            bytes = java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length + 1));
        }
        decodesOrRefuses(bytes, seed.getClass());
    }

    @Property(tries = 500)
    void aModelArtifact_anyOrMutated_givesAModelOrAStableCode(@ForAll @Size(max = 4096) byte[] any, @ForAll long random) {
        try {
            TinyModelCodec.decode(any);
        } catch (TandemException expected) {
            assertNotNull(expected.code());
        }
        byte[] valid = TinyModelCodec.encode(TinyModelFixtures.identityModel("m-1", 3, 4));
        Random r = new Random(random);
        valid[r.nextInt(valid.length)] ^= (byte) (1 + r.nextInt(255));
        try {
            TinyModelCodec.decode(r.nextBoolean() ? valid : java.util.Arrays.copyOf(valid, r.nextInt(valid.length)));
        } catch (TandemException expected) {
            assertNotNull(expected.code());
        }
    }
}
