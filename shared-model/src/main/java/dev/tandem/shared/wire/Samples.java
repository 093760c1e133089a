package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.error.ErrorCode;
import java.util.List;

/** Validation of sample lists shared by the messages that carry them. */
final class Samples {
    private Samples() {
    }

    /** Non-empty, at most {@code max}, one channel count, strictly increasing sequence numbers. */
    static List<Sample> consistent(List<Sample> samples, int max) {
        if (samples != null && samples.size() > max) {
            throw TandemException.invalid(samples.size() + " samples exceed the limit of " + max);
        }
        List<Sample> copy = Checks.nonEmpty("samples", samples);
        int channels = copy.get(0).channels();
        long previous = -1;
        for (Sample s : copy) {
            if (s.channels() != channels) {
                throw new TandemException(ErrorCode.CHANNEL_MISMATCH,
                        "sample " + s.seq() + " has " + s.channels() + " channels, expected " + channels);
            }
            if (s.seq() <= previous) {
                throw TandemException.invalid("sample seq must increase: " + s.seq() + " after " + previous);
            }
            previous = s.seq();
        }
        return copy;
    }
}
