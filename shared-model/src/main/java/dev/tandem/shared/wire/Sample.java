package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;
import java.util.Arrays;

/**
 * One multichannel sensor reading: a per-device sequence number, a timestamp (epoch millis) and
 * one value per channel. Values must be finite.
 */
public record Sample(long seq, long ts, double[] values) {
    public Sample {
        if (seq < 0) {
            throw TandemException.invalid("seq must be >= 0, got " + seq);
        }
        if (values != null && values.length > Limits.MAX_CHANNELS) {
            throw TandemException.invalid(values.length + " channels exceed the limit of " + Limits.MAX_CHANNELS);
        }
        values = Checks.finite("values", values).clone();
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    /** The value of one channel, without copying. */
    public double value(int channel) {
        return values[channel];
    }

    public int channels() {
        return values.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sample s && s.seq == seq && s.ts == ts && Arrays.equals(s.values, values);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seq) * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Sample[seq=" + seq + ", ts=" + ts + ", values=" + Arrays.toString(values) + "]";
    }
}
