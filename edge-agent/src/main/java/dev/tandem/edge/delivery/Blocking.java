package dev.tandem.edge.delivery;

import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/** Where blocking work (disk writes and syncs) runs: a worker thread, its result handed back to the event loop. */
public interface Blocking {
    /** Runs {@code work} off the event loop, in submission order; {@code then} gets its result or failure on the loop. */
    <T> void run(Callable<T> work, BiConsumer<T, Throwable> then);

    /** Runs the work at once, on the caller's thread (tests without Vert.x). */
    static Blocking inline() {
        return new Blocking() {
            @Override
            public <T> void run(Callable<T> work, BiConsumer<T, Throwable> then) {
                T result;
                try {
                    result = work.call();
                } catch (Exception e) {
                    then.accept(null, e);
                    return;
                }
                then.accept(result, null);
            }
        };
    }
}
