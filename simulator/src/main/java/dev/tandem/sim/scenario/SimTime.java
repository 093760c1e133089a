package dev.tandem.sim.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tandem.shared.error.TandemException;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A span of simulated time in a scenario file: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h30m},
 * {@code -2s} (clock jumps), or a plain number of seconds. Any other unit is refused.
 */
public record SimTime(Duration duration) {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    public SimTime {
        if (duration == null) {
            throw TandemException.invalid("a time is required");
        }
    }

    @JsonCreator
    public static SimTime parse(Object value) {
        if (value instanceof Number n) {
            return new SimTime(Duration.ofNanos(Math.round(n.doubleValue() * 1e9)));
        }
        String s = String.valueOf(value).trim().replace(" ", "");
        boolean negative = s.startsWith("-");
        String body = negative ? s.substring(1) : s;
        Matcher m = PART.matcher(body);
        long nanos = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double v = Double.parseDouble(m.group(1));
            nanos += Math.round(v * switch (m.group(2)) {
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            });
            end = m.end();
        }
        if (body.isEmpty() || end != body.length()) {
            throw TandemException.invalid("'" + value + "' is not a time: a number of seconds or e.g. 250ms, 30s, 5m, 1h30m "
                    + "(units ms, s, m, h)");
        }
        return new SimTime(Duration.ofNanos(negative ? -nanos : nanos));
    }

    public static SimTime ofSeconds(double s) {
        return parse(s);
    }

    public double seconds() {
        return duration.toNanos() / 1e9;
    }

    @JsonValue
    @Override
    public String toString() {
        long ms = duration.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
