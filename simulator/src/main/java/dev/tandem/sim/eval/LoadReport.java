package dev.tandem.sim.eval;

import java.util.List;

/**
 * What the loader noticed in one file, besides the data itself.
 *
 * @param skippedRows        data rows dropped because they were malformed (see {@link SkabCsvLoader})
 * @param problems           the first {@link SkabCsvLoader#MAX_PROBLEMS_KEPT} of those rows, with code and line
 * @param gaps               steps between consecutive kept rows longer than 1 s (rows stay consecutive)
 * @param largestGapMillis   the longest such step, 0 when there is none
 * @param missingSeconds     whole seconds not covered by any row, summed over the gaps (step/1000 - 1 each)
 * @param nonIncreasingSteps steps where the timestamp repeats or goes back (kept as they are)
 */
public record LoadReport(int skippedRows, List<RowProblem> problems, int gaps, long largestGapMillis,
                         long missingSeconds, int nonIncreasingSteps) {
    public LoadReport {
        problems = List.copyOf(problems);
    }

    public static final LoadReport CLEAN = new LoadReport(0, List.of(), 0, 0, 0, 0);
}
