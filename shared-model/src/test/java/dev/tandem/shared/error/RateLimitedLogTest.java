package dev.tandem.shared.error;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimitedLogTest {
    private final AtomicLong now = new AtomicLong();
    private final List<String> lines = new ArrayList<>();
    private final RateLimitedLog log = new RateLimitedLog(lines::add, Duration.ofSeconds(10), 3, now::get);

    @Test
    void aFloodOfOneCode_writesItsBurst_thenOneSummaryPerInterval_withTheExactCount() {
        for (int i = 0; i < 100_000; i++) {
            log.log(ErrorCode.MALFORMED_PAYLOAD, "[MALFORMED_PAYLOAD] bad " + i);
        }
        assertEquals(List.of("[MALFORMED_PAYLOAD] bad 0", "[MALFORMED_PAYLOAD] bad 1", "[MALFORMED_PAYLOAD] bad 2"), lines);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        log.flush();
        assertEquals(4, lines.size());
        assertEquals("[MALFORMED_PAYLOAD] 99997 more lines like this suppressed in the last 10 s", lines.get(3));
        assertEquals(99_997, log.suppressed());
        log.flush();
        assertEquals(4, lines.size(), "nothing more to say");
    }

    @Test
    void eachCode_hasItsOwnBudget_andANewIntervalWritesAgain() {
        for (int i = 0; i < 5; i++) {
            log.log(ErrorCode.MALFORMED_PAYLOAD, "m" + i);
            log.log(ErrorCode.UNKNOWN_DEVICE, "u" + i);
        }
        assertEquals(6, lines.size(), "three of each");
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        log.log(ErrorCode.UNKNOWN_DEVICE, "u-later");
        assertTrue(lines.get(6).startsWith("[UNKNOWN_DEVICE] 2 more lines"), lines.toString());
        assertEquals("u-later", lines.get(7));
    }
}
