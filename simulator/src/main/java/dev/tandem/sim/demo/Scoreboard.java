package dev.tandem.sim.demo;

import dev.tandem.edge.detect.WindowDecision;
import dev.tandem.sim.eval.Confusion;
import dev.tandem.sim.factory.GroundTruth;

import java.util.concurrent.atomic.LongAdder;

/**
 * Scores the fleet's final decisions, and the edge's own decisions beside them, against the
 * simulator's ground truth: a window is anomalous when its newest sample is. Thread-safe (each
 * agent delivers decisions on its own event loop).
 */
public final class Scoreboard {
    private final GroundTruth truth;
    private Confusion collaborative = Confusion.EMPTY;
    private Confusion edgeOnly = Confusion.EMPTY;
    private final LongAdder unlabelled = new LongAdder();
    private final LongAdder escalated = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder hubRight = new LongAdder();
    private final LongAdder edgeRight = new LongAdder();

    public Scoreboard(GroundTruth truth) {
        this.truth = truth;
    }

    public void accept(WindowDecision d) {
        if (!truth.isRecorded(d.device(), d.windowId())) {
            unlabelled.increment();
            return;
        }
        boolean actual = truth.isAnomalous(d.device(), d.windowId());
        if (d.escalated()) {
            escalated.increment();
            if (!d.verdictTimedOut()) {
                // the windows where the two halves can disagree: who was right?
                answered.increment();
                if (d.finalAnomaly() == actual) {
                    hubRight.increment();
                }
                if (d.edgeSaysAnomaly() == actual) {
                    edgeRight.increment();
                }
            }
        }
        synchronized (this) {
            collaborative = collaborative.add(actual, d.finalAnomaly());
            edgeOnly = edgeOnly.add(actual, d.edgeSaysAnomaly());
        }
    }

    public synchronized Confusion collaborative() {
        return collaborative;
    }

    public synchronized Confusion edgeOnly() {
        return edgeOnly;
    }

    /** Decided windows that were escalated. */
    public long escalated() {
        return escalated.sum();
    }

    /** Escalated windows answered by a verdict in time. */
    public long answered() {
        return answered.sum();
    }

    /** Of those, how many the hub's verdict got right. */
    public long hubRight() {
        return hubRight.sum();
    }

    /** Of those, how many the edge's own call would have got right. */
    public long edgeRight() {
        return edgeRight.sum();
    }

    public long unlabelled() {
        return unlabelled.sum();
    }
}
