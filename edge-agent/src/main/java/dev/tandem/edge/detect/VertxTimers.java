package dev.tandem.edge.detect;

import io.vertx.core.Vertx;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@link Timers} on Vert.x: {@code vertx.setTimer}, so a task runs on the context that scheduled it
 * (the agent's event loop).
 */
public final class VertxTimers implements Timers {
    private final Supplier<Vertx> vertx;

    /**
     * @param vertx looked up at each {@link #schedule}: a verticle has its Vert.x instance only once deployed,
     *              and builds its detectors before
     */
    public VertxTimers(Supplier<Vertx> vertx) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
    }

    @Override
    public Handle schedule(long delayMillis, Runnable task) {
        Vertx v = vertx.get();
        long id = v.setTimer(Math.max(1, delayMillis), t -> task.run());
        return () -> v.cancelTimer(id);
    }
}
