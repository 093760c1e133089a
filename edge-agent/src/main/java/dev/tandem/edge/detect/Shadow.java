package dev.tandem.edge.detect;

import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.wire.ShadowReport;

/**
 * A candidate model scoring beside the active one without deciding anything (no alarm, no
 * escalation): on every window both score, whether they decided alike (each by its own threshold);
 * on every verdict of an escalation made while it ran, whether each model's call matched the large
 * model's. Its scorer runs on the detector's window and, if the candidate goes active, goes on as
 * the active scorer (its smoothing continues).
 *
 * <p>Not thread-safe: the detector's thread; {@link #report} is safe to read from another thread
 * (figures of one moment, possibly a window apart).
 */
public final class Shadow {
    private final TinyModel candidate;
    private final TinyScorer scorer;
    private final long startedAt;
    private volatile long windows;
    private volatile long agreements;
    private volatile long candidateAnomalous;
    private volatile long activeAnomalous;
    private volatile long verdicts;
    private volatile long candidateMatches;
    private volatile long activeMatches;

    Shadow(TinyModel candidate, long startedAt) {
        this.candidate = candidate;
        this.scorer = candidate.scorer();
        this.startedAt = startedAt;
    }

    public TinyModel candidate() {
        return candidate;
    }

    TinyScorer scorer() {
        return scorer;
    }

    void window(boolean activeSays, boolean candidateSays) {
        windows++;
        if (activeSays == candidateSays) {
            agreements++;
        }
        if (activeSays) {
            activeAnomalous++;
        }
        if (candidateSays) {
            candidateAnomalous++;
        }
    }

    void verdict(boolean activeSays, boolean candidateSays, boolean verdict) {
        verdicts++;
        if (activeSays == verdict) {
            activeMatches++;
        }
        if (candidateSays == verdict) {
            candidateMatches++;
        }
    }

    public long windows() {
        return windows;
    }

    /** The figures so far, {@code now} being the time of the report. */
    public ShadowReport report(long now) {
        long w = windows;
        long v = verdicts;
        return new ShadowReport(w, Math.min(w, agreements), Math.min(w, candidateAnomalous),
                Math.min(w, activeAnomalous), v, Math.min(v, candidateMatches), Math.min(v, activeMatches),
                Math.max(0, now - startedAt));
    }
}
