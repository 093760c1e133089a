package dev.tandem.sim.eval;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * The columns of a CSV file of readings, one device per file: which column holds the time, which the
 * channels, which the 0/1 anomaly label (and SKAB's changepoint), and how fields are separated. Column
 * names match case-insensitively. {@link #SKAB} is SKAB's format; {@link #csv} any other (the
 * evaluation and {@code sim replay} read both through {@link SkabCsvLoader}).
 *
 * <p>Time, in {@link #SKAB}: {@code 2020-03-09 10:14:33} (a fraction of a second and {@code T}
 * accepted), read as UTC. In {@link #csv}: the same, or ISO-8601 with an offset
 * ({@code 2020-03-09T10:14:33Z}), or a number: epoch seconds (below 10^11) or epoch milliseconds.
 *
 * @param separator    the field separator; 0: the header decides (the most frequent of {@code , ; \t})
 * @param timestamp    the time column
 * @param channels     the channel columns in this order; empty: every column that is not time, label or changepoint
 * @param label        the 0/1 anomaly column, or null; {@code labelRequired}: a header without it fails
 * @param changepoint  SKAB's 0/1 changepoint column, or null
 * @param epochNumbers whether the time may be an epoch number
 */
public record CsvFormat(String name, char separator, String timestamp, List<String> channels, String label,
                        boolean labelRequired, String changepoint, boolean epochNumbers) {
    /** SKAB: {@code ;}, {@code datetime}, optional {@code anomaly} and {@code changepoint}, every other column a channel. */
    public static final CsvFormat SKAB = new CsvFormat("skab", ';', "datetime", List.of(), "anomaly", false,
            "changepoint", false);

    public CsvFormat {
        if (timestamp == null || timestamp.isBlank()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "a CSV format needs its time column");
        }
        channels = channels == null ? List.of() : List.copyOf(channels);
        for (String c : channels) {
            if (c == null || c.isBlank()) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "a channel column name is empty");
            }
        }
    }

    /**
     * Any CSV: {@code timestamp} the time column; {@code channels} empty: every other column except
     * {@code label}; {@code label} null: unlabelled (given: every file must have it).
     */
    public static CsvFormat csv(String timestamp, List<String> channels, String label) {
        return new CsvFormat("csv", (char) 0, timestamp, channels, label, label != null, null, true);
    }

    /** The separator of a file whose header line is {@code header}. */
    char separatorFor(String header) {
        if (separator != 0) {
            return separator;
        }
        char best = ',';
        long most = -1;
        for (char c : new char[]{',', ';', '\t'}) {
            long n = header.chars().filter(ch -> ch == c).count();
            if (n > most) {
                most = n;
                best = c;
            }
        }
        return best;
    }

    /** Epoch milliseconds of a time field; MALFORMED_PAYLOAD when it is none of the accepted forms. */
    long parseTime(String s) {
        if (s.isEmpty()) {
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, "empty " + timestamp);
        }
        if (epochNumbers && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-') && s.chars().allMatch(
                ch -> Character.isDigit(ch) || ch == '.' || ch == '-')) {
            try {
                double v = Double.parseDouble(s);
                if (Double.isFinite(v)) {
                    return Math.abs(v) < 1e11 ? Math.round(v * 1000) : Math.round(v);
                }
            } catch (NumberFormatException e) {
                // a date such as 2020-03-09: below
            }
        }
        String iso = s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + "T" + s.substring(11).trim() : s;
        try {
            return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            if (epochNumbers) {
                try {
                    return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
                } catch (DateTimeParseException e2) {
                    try {
                        return Instant.parse(iso).toEpochMilli();
                    } catch (DateTimeParseException e3) {
                        // below
                    }
                }
            }
            throw new TandemException(ErrorCode.MALFORMED_PAYLOAD, timestamp + " '" + clip(s) + "' is not like "
                    + (epochNumbers ? "2020-03-09 10:14:33, 2020-03-09T10:14:33Z or epoch seconds/ms" : "2020-03-09 10:14:33"));
        }
    }

    static String key(String column) {
        return column.toLowerCase(Locale.ROOT);
    }

    static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
