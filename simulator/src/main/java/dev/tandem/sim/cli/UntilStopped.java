package dev.tandem.sim.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Ctrl-C and SIGTERM handling of the long-lived commands ({@code demo}, {@code hub}, {@code edge}, {@code sim}):
 * the signal asks the running command to stop, and the JVM waits (bounded, 30 s) until it has cleaned
 * up and printed what it prints at the end. The cleanup must run inside {@link #run}'s {@code cleanup}
 * (or {@link #onCtrlC}'s body): the JVM halts as soon as the shutdown hook returns, so cleanup done
 * after them would be cut short.
 */
final class UntilStopped {
    private UntilStopped() {
    }

    /** Runs {@code body}; on Ctrl-C calls {@code onStop} and lets {@code body} finish (at most 30 s). */
    static <T> T onCtrlC(Runnable onStop, Callable<T> body) throws Exception {
        CountDownLatch exited = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            onStop.run();
            try {
                exited.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tandem-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return body.call();
        } finally {
            exited.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is waiting for us to finish
            }
        }
    }

    /** What a command does when it stops (drain, disconnect, close). */
    interface Cleanup {
        void run() throws Exception;
    }

    /**
     * Blocks until Ctrl-C, {@code duration} (zero: no deadline) or {@code done}, printing
     * {@code status} every {@code interval}.
     */
    static void run(PrintStream out, Duration interval, Duration duration, Supplier<String> status,
                    Supplier<Boolean> done) throws Exception {
        run(out, interval, duration, status, done, () -> { });
    }

    /**
     * Blocks until Ctrl-C or SIGTERM, {@code duration} (zero: no deadline) or {@code done}, printing
     * {@code status} every {@code interval}, then runs {@code cleanup} before the JVM may exit.
     */
    static void run(PrintStream out, Duration interval, Duration duration, Supplier<String> status,
                    Supplier<Boolean> done, Cleanup cleanup) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        long deadline = duration.isZero() ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        onCtrlC(stop::countDown, () -> {
            try {
                while (System.nanoTime() < deadline && !done.get()) {
                    long waitMs = Math.min(interval.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    if (stop.await(waitMs, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    out.println(status.get());
                }
            } finally {
                cleanup.run();
            }
            return null;
        });
    }
}
