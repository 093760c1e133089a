package dev.tandem.hub.tiny;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

/** The checks every fit of the hub (tiny and large model) makes on a device's commissioning rows. */
public final class CommissioningRows {
    private CommissioningRows() {
    }

    /**
     * The channel count of a device's commissioning rows [t][channel]; refuses empty input
     * ({@code INVALID_FIELD}), ragged rows ({@code CHANNEL_MISMATCH}) and NaN or infinite values
     * ({@code NON_FINITE_VALUE}).
     */
    public static int channels(double[][] rows) {
        if (rows == null || rows.length == 0 || rows[0] == null || rows[0].length == 0) {
            throw TandemException.invalid("commissioning rows must not be empty");
        }
        int channels = rows[0].length;
        for (int t = 0; t < rows.length; t++) {
            if (rows[t] == null || rows[t].length != channels) {
                throw new TandemException(ErrorCode.CHANNEL_MISMATCH,
                        "commissioning row " + t + " does not have " + channels + " channels");
            }
            for (int c = 0; c < channels; c++) {
                if (!Double.isFinite(rows[t][c])) {
                    throw new TandemException(ErrorCode.NON_FINITE_VALUE,
                            "commissioning row " + t + " channel " + c + " is not finite: " + rows[t][c]);
                }
            }
        }
        return channels;
    }
}
