package dev.tandem.sim.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a long-lived part ({@code hub}, {@code edge}, {@code sim}) until Ctrl-C or a deadline,
 * printing a status line at an interval.
 */
final class UntilStopped {
    private UntilStopped() {
    }

    /** Blocks until Ctrl-C or {@code duration} (zero: no deadline) or {@code done} says so. */
    static void run(PrintStream out, Duration interval, Duration duration, Supplier<String> status,
                    Supplier<Boolean> done) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch exited = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                exited.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tandem-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long deadline = duration.isZero() ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        try {
            while (System.nanoTime() < deadline && !done.get()) {
                long waitMs = Math.min(interval.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (stop.await(waitMs, TimeUnit.MILLISECONDS)) {
                    break;
                }
                out.println(status.get());
            }
        } finally {
            exited.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is waiting for us to finish
            }
        }
    }

    /** Lets the caller's cleanup run before the hook releases the JVM. */
    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("close failed: " + e);
        }
    }
}
