package dev.tandem.edge;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Routes each inbound MQTT message: parses its topic once, finds the device, decodes the payload
 * for the topic's kind, checks that it names the topic's device ({@link ErrorCode#DEVICE_MISMATCH}
 * otherwise), and hands device and message on: readings and verdicts to the {@link EdgeDevice},
 * model assignments to {@link ModelAssignments}.
 *
 * <p>Bad input is logged as {@code [CODE] message} (rate-limited per code: a few lines per interval,
 * then a summary with the count of the lines left out), counted in {@code tandem.edge.errors{code}}
 * (exactly) and dropped. A failure no input should cause (a {@link RuntimeException} that is not a
 * {@link TandemException}) is counted as {@link ErrorCode#INTERNAL_ERROR}; its stack trace is
 * logged the first time its exception class occurs, later ones on one line.
 *
 * <p>Used on the agent's event loop.
 */
final class InboundRouter {
    private static final Logger log = LoggerFactory.getLogger(InboundRouter.class);

    private final String site;
    private final Map<String, EdgeDevice> devices;
    private final int maxReadingBytes;
    private final ModelAssignments assignments;
    private final EdgeMetrics metrics;
    private final Set<Class<?>> traced = new HashSet<>();

    /** @param devices the agent's devices by id */
    InboundRouter(String site, Map<String, EdgeDevice> devices, int maxReadingBytes, ModelAssignments assignments,
                  EdgeMetrics metrics) {
        this.site = site;
        this.devices = devices;
        this.maxReadingBytes = maxReadingBytes;
        this.assignments = assignments;
        this.metrics = metrics;
    }

    void route(String topic, byte[] payload) {
        try {
            Topics.DeviceTopic t = Topics.parse(topic);
            EdgeDevice d = devices.get(t.device());
            if (d == null || !t.site().equals(site)) {
                throw new TandemException(ErrorCode.UNKNOWN_DEVICE,
                        "this agent does not serve device '" + t.device() + "' of site '" + t.site() + "'");
            }
            switch (t.kind()) {
                case READINGS -> {
                    ReadingBatch batch = Wire.decode(payload, ReadingBatch.class, maxReadingBytes);
                    checkNames(t, "reading", batch.site(), batch.device());
                    d.onReadings(batch);
                }
                case MODEL -> {
                    if (payload.length == 0) {
                        log.debug("device {}: retained assignment cleared; keeping the current model", d.id());
                        return;
                    }
                    ModelAssignment a = Wire.decode(payload, ModelAssignment.class);
                    checkNames(t, "model assignment", a.site(), a.device());
                    assignments.onAssignment(d, a);
                }
                case MODEL_CHUNK -> assignments.onChunk(d, payload);
                case TRUST -> {
                    if (payload.length == 0) {
                        return;
                    }
                    TrustChain chain = Wire.decode(payload, TrustChain.class);
                    checkNames(t, "trust chain", chain.site(), chain.device());
                    assignments.onTrust(chain);
                }
                case VERDICTS -> {
                    Verdict v = Wire.decode(payload, Verdict.class);
                    checkNames(t, "verdict", v.site(), v.device());
                    d.onVerdict(v);
                }
                default -> throw new TandemException(ErrorCode.UNEXPECTED_TOPIC, "the agent does not consume " + t.kind());
            }
        } catch (TandemException e) {
            metrics.badInputLog().log(e.code(), oneLine(e) + " (message on " + topic + " dropped)");
            metrics.error(e.code());
        } catch (RuntimeException e) {
            if (traced.add(e.getClass())) {
                log.error("[{}] unexpected failure handling a message on {} (dropped)", ErrorCode.INTERNAL_ERROR, topic, e);
            } else {
                metrics.badInputLog().log(ErrorCode.INTERNAL_ERROR, "[" + ErrorCode.INTERNAL_ERROR + "] unexpected failure "
                        + "handling a message on " + topic + " (dropped): " + e + " (stack trace logged before)");
            }
            metrics.error(ErrorCode.INTERNAL_ERROR);
        }
    }

    private static void checkNames(Topics.DeviceTopic t, String what, String site, String device) {
        if (!site.equals(t.site()) || !device.equals(t.device())) {
            throw new TandemException(ErrorCode.DEVICE_MISMATCH, what + " on the topic of " + t.site() + "/"
                    + t.device() + " names " + site + "/" + device);
        }
    }

    /** {@code [CODE] message} on one line (parser messages may span several). */
    static String oneLine(TandemException e) {
        String m = e.toString();
        return m.indexOf('\n') < 0 ? m : m.replaceAll("\\s*\\R\\s*", " ");
    }
}
