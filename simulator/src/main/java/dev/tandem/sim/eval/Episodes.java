package dev.tandem.sim.eval;

import java.util.Collection;

/**
 * What one mode's alarm episodes were, from the edge's own {@link dev.tandem.edge.alarm.EpisodeTracker}:
 * onsets raised (and how many of them fell in labelled anomalous rows), episodes cleared or re-baselined,
 * how long alarms were held (rows and sample time), and the held alarm scored point-wise against the
 * labels (a row counts as alarmed while an episode holds: what an operator sees).
 *
 * @param onsets      episodes raised
 * @param trueOnsets  of those, raised on a labelled anomalous row
 * @param clears      episodes that ended back to normal
 * @param rebaselines episodes ended by a new model
 * @param heldRows    test rows during which an episode held
 * @param heldMillis  sample time episodes held
 * @param held        the held alarm against the labels
 */
public record Episodes(long onsets, long trueOnsets, long clears, long rebaselines, long heldRows, long heldMillis,
                       Confusion held) {
    public static final Episodes NONE = new Episodes(0, 0, 0, 0, 0, 0, Confusion.EMPTY);

    /** Onsets outside labelled anomalies. */
    public long falseOnsets() {
        return onsets - trueOnsets;
    }

    public static Episodes sum(Collection<Episodes> parts) {
        long o = 0, t = 0, c = 0, r = 0, rows = 0, ms = 0;
        for (Episodes e : parts) {
            o += e.onsets;
            t += e.trueOnsets;
            c += e.clears;
            r += e.rebaselines;
            rows += e.heldRows;
            ms += e.heldMillis;
        }
        return new Episodes(o, t, c, r, rows, ms, Confusion.sum(parts.stream().map(Episodes::held).toList()));
    }
}
