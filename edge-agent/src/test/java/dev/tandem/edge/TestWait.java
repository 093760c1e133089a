package dev.tandem.edge;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxTestContext;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bounded waits for the edge tests, the test thread blocked on a {@link VertxTestContext} (never
 * {@code Thread.sleep}). Call from the test thread, never from an event loop.
 */
public final class TestWait {
    /** How often {@link #until} looks at its condition, on a Vert.x timer. */
    private static final long CHECK_MILLIS = 5;

    private TestWait() {
    }

    /** Waits until {@code context} completes (its checkpoints all flagged), failing the test with its cause or after {@code timeout}. */
    public static void await(VertxTestContext context, Duration timeout, String what) {
        try {
            if (!context.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("timed out after " + timeout + " waiting for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (context.failed()) {
            throw new AssertionError("failed waiting for " + what, context.causeOfFailure());
        }
    }

    /**
     * Waits until {@code condition} holds, within {@code timeout}, for state that changes on an event
     * loop without an event a test can subscribe to (metrics, decisions): the condition is checked on
     * a Vert.x timer.
     */
    public static void until(Vertx vertx, BooleanSupplier condition, Duration timeout, String what) {
        if (condition.getAsBoolean()) {
            return;
        }
        VertxTestContext holds = new VertxTestContext();
        long timer = vertx.setPeriodic(CHECK_MILLIS, id -> {
            try {
                if (condition.getAsBoolean()) {
                    holds.completeNow();
                }
            } catch (Throwable t) {
                holds.failNow(t);
            }
        });
        try {
            await(holds, timeout, what);
        } finally {
            vertx.cancelTimer(timer);
        }
    }
}
