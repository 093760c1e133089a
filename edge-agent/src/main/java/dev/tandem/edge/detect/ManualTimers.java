package dev.tandem.edge.detect;

import java.util.PriorityQueue;

/**
 * {@link Timers} on a clock that only moves when {@link #advance advanced}: tasks run on the
 * advancing thread, in deadline order (ties in scheduling order), including tasks scheduled by
 * tasks if they fall due within the same advance. Used where no verdict timeout may fire by
 * itself (the evaluation answers every escalation before the next sample) and by unit tests (a
 * timeout without sleeping).
 *
 * <p>Not thread-safe.
 */
public final class ManualTimers implements Timers {
    private final class Task implements Handle, Comparable<Task> {
        final long due;
        final long order;
        final Runnable action;
        boolean cancelled;

        Task(long due, long order, Runnable action) {
            this.due = due;
            this.order = order;
            this.action = action;
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                queue.remove(this);
            }
        }

        @Override
        public int compareTo(Task o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(order, o.order);
        }
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long scheduled;

    @Override
    public Handle schedule(long delayMillis, Runnable task) {
        if (delayMillis < 0) {
            throw new IllegalArgumentException("delay must be >= 0, got " + delayMillis);
        }
        Task t = new Task(now + delayMillis, scheduled++, task);
        queue.add(t);
        return t;
    }

    /** Moves the clock forward by {@code millis}, running every task that falls due on the way. */
    public void advance(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("the clock does not go back: " + millis);
        }
        long target = now + millis;
        while (!queue.isEmpty() && queue.peek().due <= target) {
            Task t = queue.poll();
            now = t.due;
            t.cancelled = true;
            t.action.run();
        }
        now = target;
    }

    /** Milliseconds advanced so far. */
    public long now() {
        return now;
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public int pending() {
        return queue.size();
    }
}
