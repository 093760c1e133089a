package dev.tandem.shared.error;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Log lines for bad input, rate-limited per {@link ErrorCode}: in each interval the first
 * {@code burst} lines of a code are written, the rest are counted, and one summary line per code
 * ({@code [CODE] 1234 more lines like this suppressed in the last 10 s}) is written when the next
 * interval starts (on the next line of that code or on {@link #flush()}, which a periodic timer
 * should call). The counters the callers keep stay exact; only the log is thinned.
 *
 * <p>Needs no logging framework: lines go to a sink (e.g. {@code log::warn}). Thread-safe.
 */
public final class RateLimitedLog {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final int DEFAULT_BURST = 5;

    private static final class Window {
        long start;
        int written;
        long suppressed;
    }

    private final Consumer<String> sink;
    private final long intervalNanos;
    private final int burst;
    private final LongSupplier nanoClock;
    private final Map<ErrorCode, Window> windows = new EnumMap<>(ErrorCode.class);
    private long suppressedTotal;

    /** {@value #DEFAULT_BURST} lines per code every 10 s. */
    public RateLimitedLog(Consumer<String> sink) {
        this(sink, DEFAULT_INTERVAL, DEFAULT_BURST, System::nanoTime);
    }

    public RateLimitedLog(Consumer<String> sink, Duration interval, int burst, LongSupplier nanoClock) {
        if (interval.isNegative() || interval.isZero() || burst < 1) {
            throw new IllegalArgumentException("interval must be > 0 and burst >= 1");
        }
        this.sink = sink;
        this.intervalNanos = interval.toNanos();
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    /** Writes {@code line} unless its code has written its burst in this interval. */
    public void log(ErrorCode code, String line) {
        String summary = null;
        boolean write;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            Window w = windows.computeIfAbsent(code, c -> {
                Window n = new Window();
                n.start = now;
                return n;
            });
            if (now - w.start >= intervalNanos) {
                summary = summary(code, w, now);
                w.start = now;
                w.written = 0;
                w.suppressed = 0;
            }
            write = w.written < burst;
            if (write) {
                w.written++;
            } else {
                w.suppressed++;
                suppressedTotal++;
            }
        }
        if (summary != null) {
            sink.accept(summary);
        }
        if (write) {
            sink.accept(line);
        }
    }

    /** Writes the summary of every code whose interval is over (call it periodically). */
    public void flush() {
        java.util.List<String> out = new java.util.ArrayList<>();
        synchronized (this) {
            long now = nanoClock.getAsLong();
            for (Map.Entry<ErrorCode, Window> e : windows.entrySet()) {
                Window w = e.getValue();
                if (now - w.start >= intervalNanos && w.suppressed > 0) {
                    out.add(summary(e.getKey(), w, now));
                    w.start = now;
                    w.written = 0;
                    w.suppressed = 0;
                }
            }
        }
        out.forEach(sink);
    }

    /** Lines not written so far, all codes. */
    public synchronized long suppressed() {
        return suppressedTotal;
    }

    private static String summary(ErrorCode code, Window w, long now) {
        if (w.suppressed == 0) {
            return null;
        }
        return String.format("[%s] %d more lines like this suppressed in the last %.0f s", code, w.suppressed,
                (now - w.start) / 1e9);
    }
}
