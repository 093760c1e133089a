package dev.tandem.sim.replay;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.eval.CsvFormat;
import dev.tandem.sim.eval.SkabProtocol;

import java.util.List;
import java.util.Locale;

/**
 * What a replayed file is, and how many of its first rows commission the device: SKAB's files
 * (the evaluation's protocol, {@link SkabProtocol#COMMISSIONING_ROWS} rows), or any CSV (the
 * columns given, commissioning given). NAB is not replayable yet (its loader belongs to the
 * evaluation of issue 12).
 */
public enum ReplayFormat {
    SKAB, CSV, NAB;

    public static ReplayFormat parse(String s) {
        for (ReplayFormat f : values()) {
            if (f.name().toLowerCase(Locale.ROOT).equals(s == null ? "" : s.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new TandemException(ErrorCode.INVALID_CONFIG, "--format must be skab, csv or nab, got '" + s + "'");
    }

    /** The loader's columns: SKAB's, or those given for a CSV. */
    public CsvFormat columns(String timestamp, List<String> channels, String label) {
        return switch (this) {
            case SKAB -> {
                if (timestamp != null || !channels.isEmpty() || label != null) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "--timestamp, --channels and --label are for "
                            + "--format csv (SKAB's columns are fixed: datetime, the channels, anomaly, changepoint)");
                }
                yield CsvFormat.SKAB;
            }
            case CSV -> {
                if (timestamp == null) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "--format csv needs --timestamp COL");
                }
                yield CsvFormat.csv(timestamp, channels, label);
            }
            case NAB -> throw new TandemException(ErrorCode.INVALID_CONFIG, "--format nab is not replayable yet: "
                    + "NAB's loader (with its windows file, --labels) is not in this build; use skab or csv");
        };
    }

    /**
     * Commissioning rows: {@code auto} is the format's rule (SKAB: the evaluation's first
     * {@value SkabProtocol#COMMISSIONING_ROWS} rows; a CSV has none, give N), else N.
     */
    public int commissioning(String spec) {
        if (spec == null || spec.equalsIgnoreCase("auto")) {
            if (this == SKAB) {
                return SkabProtocol.COMMISSIONING_ROWS;
            }
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--commissioning auto is for skab; give --commissioning N "
                    + "(the readings each edge agent commissions on) for " + name().toLowerCase(Locale.ROOT));
        }
        try {
            int n = Integer.parseInt(spec);
            if (n >= 1 && n <= dev.tandem.shared.wire.Limits.MAX_COMMISSIONING_SAMPLES) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new TandemException(ErrorCode.INVALID_CONFIG, "--commissioning must be auto or 1.."
                + dev.tandem.shared.wire.Limits.MAX_COMMISSIONING_SAMPLES + ", got '" + spec + "'");
    }
}
