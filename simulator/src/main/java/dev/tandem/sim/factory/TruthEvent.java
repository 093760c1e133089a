package dev.tandem.sim.factory;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of a run's ground truth (JSON lines): something that happened on a device between
 * {@code start} and {@code end} (both inclusive, the timestamps of the first and last samples it
 * touched, as published).
 *
 * <ul>
 *   <li>{@code anomalous = true}: a fault of {@code kind} (an {@link AnomalyKind#wireName()}) with its
 *       {@code severity}, one line per channel it acts on; alarms inside it are true;</li>
 *   <li>{@code anomalous = false}: an operating-point change or device event that is not a fault
 *       ({@code setpoint}, {@code product}, {@code maintenance}, {@code power_cut}, {@code restart},
 *       {@code clock_jump}; channel {@code *}); alarms inside it are false alarms, counted apart;</li>
 *   <li>{@code kind = observed}: the span over which the device was watched (one line per device, the
 *       denominator of the false-alarm rate).</li>
 * </ul>
 * {@code firstRow}, {@code lastRow} (optional, written by {@code sim replay}): the row numbers of
 * those samples in the device's own sequence (0-based, the readings' {@code seq}), so a row-based
 * score (NAB's) needs no clock; the {@code observed} line's {@code firstRow} is the first row after
 * commissioning, its {@code lastRow} the device's last.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TruthEvent(String device, String channel, String kind, String severity,
                         @JsonSerialize(using = ToStringSerializer.class) @JsonDeserialize(using = IsoInstant.class) Instant start,
                         @JsonSerialize(using = ToStringSerializer.class) @JsonDeserialize(using = IsoInstant.class) Instant end,
                         boolean anomalous, Integer firstRow, Integer lastRow) {
    /** Kind of the line that spans a device's observed time. */
    public static final String OBSERVED = "observed";
    /** Channel of an event that concerns the whole device. */
    public static final String ALL_CHANNELS = "*";

    public TruthEvent {
        Checks.id("device", device);
        Checks.nonBlank("kind", kind);
        channel = channel == null ? ALL_CHANNELS : channel;
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw TandemException.invalid("truth event of " + device + " ends (" + end + ") before it starts (" + start + ")");
        }
        if ((firstRow == null) != (lastRow == null) || (firstRow != null && (firstRow < 0 || lastRow < firstRow))) {
            throw TandemException.invalid("truth event of " + device + ": firstRow and lastRow go together, 0 <= firstRow <= lastRow");
        }
    }

    /** A line without row numbers. */
    public TruthEvent(String device, String channel, String kind, String severity, Instant start, Instant end,
                      boolean anomalous) {
        this(device, channel, kind, severity, start, end, anomalous, null, null);
    }

    /** This line with the row numbers of its first and last sample. */
    public TruthEvent withRows(int first, int last) {
        return new TruthEvent(device, channel, kind, severity, start, end, anomalous, first, last);
    }

    /** Whether the line carries row numbers. */
    @JsonIgnore
    public boolean hasRows() {
        return firstRow != null;
    }

    public static TruthEvent observed(String device, Instant start, Instant end) {
        return new TruthEvent(device, ALL_CHANNELS, OBSERVED, null, start, end, false);
    }

    @JsonIgnore
    public boolean isObserved() {
        return OBSERVED.equals(kind);
    }

    /** Whether {@code t} falls inside [start, end]. */
    public boolean covers(Instant t) {
        return !t.isBefore(start) && !t.isAfter(end);
    }
}
