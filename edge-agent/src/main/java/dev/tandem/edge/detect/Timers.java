package dev.tandem.edge.detect;

/**
 * One-shot timers for the detector's verdict timeouts, so that detection needs no Vert.x:
 * {@link VertxTimers} in the agent (on its event loop), {@link ManualTimers} where time only moves
 * when told to (the evaluation, unit tests).
 */
@FunctionalInterface
public interface Timers {
    /** A scheduled task that has not fired yet can be cancelled; cancelling a fired or cancelled one does nothing. */
    @FunctionalInterface
    interface Handle {
        void cancel();
    }

    /** Runs {@code task} once, {@code delayMillis} from now, on the thread the implementation documents. */
    Handle schedule(long delayMillis, Runnable task);
}
