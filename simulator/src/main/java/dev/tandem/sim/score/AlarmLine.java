package dev.tandem.sim.score;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.wire.Wire;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One alarm of any system, as {@code ./tandem score} reads it: a JSON object with {@code device} and
 * {@code ts} (the timestamp of the reading it is about: epoch milliseconds or ISO-8601). Tandem's own
 * {@link dev.tandem.shared.wire.Alarm} has both. A line with a {@code phase} (Tandem's alarm episodes) raises
 * an alarm only if it is the {@code ONSET}; its UPDATE, CLEAR and REBASELINED lines are read but raise
 * nothing ({@link #raised()} false). {@code row} (optional): the row (reading {@code seq}) the alarm is
 * about, from a field {@code row} or, in Tandem's alarms, {@code windowId} (the newest sample's seq);
 * a row-based score (NAB's) uses it when the truth has rows. Other fields are ignored.
 */
public record AlarmLine(String device, Instant ts, boolean raised, Long row) {
    /** An alarm raised at {@code ts}. */
    public AlarmLine(String device, Instant ts) {
        this(device, ts, true, null);
    }

    public AlarmLine(String device, Instant ts, boolean raised) {
        this(device, ts, raised, null);
    }

    public AlarmLine {
        Checks.id("device", device);
        if (ts == null) {
            throw new TandemException(ErrorCode.INVALID_FIELD, "ts is required");
        }
    }

    /** Parses one line; MALFORMED_PAYLOAD or INVALID_FIELD when it is not an alarm. */
    public static AlarmLine parse(String json) {
        JsonNode n;
        try {
            n = Wire.mapper().readTree(json);
        } catch (Exception e) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, "not JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject() || !n.path("device").isTextual()) {
            throw new TandemException(ErrorCode.INVALID_FIELD, "an alarm needs a text field 'device'");
        }
        JsonNode ts = n.path("ts");
        Instant at;
        if (ts.isIntegralNumber()) {
            at = Instant.ofEpochMilli(ts.asLong());
        } else if (ts.isTextual()) {
            try {
                at = Instant.parse(ts.asText());
            } catch (DateTimeParseException e) {
                throw new TandemException(ErrorCode.INVALID_FIELD, "ts is not ISO-8601: '" + ts.asText() + "'");
            }
        } else {
            throw new TandemException(ErrorCode.INVALID_FIELD, "an alarm needs 'ts' (epoch ms or ISO-8601)");
        }
        JsonNode phase = n.path("phase");
        boolean raised = !phase.isTextual() || phase.asText().equals("ONSET");
        JsonNode row = n.has("row") ? n.get("row") : n.path("windowId");
        return new AlarmLine(n.get("device").asText(), at, raised,
                row.isIntegralNumber() && row.asLong() >= 0 ? row.asLong() : null);
    }
}
