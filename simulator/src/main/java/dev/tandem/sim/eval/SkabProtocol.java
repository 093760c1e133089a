package dev.tandem.sim.eval;

import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.error.TandemException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SKAB benchmark's protocol: in each file the first {@value #COMMISSIONING_ROWS} rows are the
 * device's commissioning data (assumed normal; their labels are never used), the remaining rows are
 * the test part, scored point-wise; the score of a dataset is micro-averaged, i.e. the confusion
 * matrices of all scored files are summed before the ratios are taken. Files without labels are
 * skipped (listed in {@link Score#skipped()}). A file of at most 400 rows has an empty test part and
 * contributes nothing (an empty confusion) while still counting as scored.
 */
public final class SkabProtocol {
    /** Rows at the start of every file that are commissioning data, not scored. */
    public static final int COMMISSIONING_ROWS = 400;

    private SkabProtocol() {
    }

    /** The index of the first scored row: 400, or the row count for a shorter file. */
    public static int testStart(SkabFile file) {
        return Math.min(COMMISSIONING_ROWS, file.rowCount());
    }

    /** The commissioning rows as samples (seq = row index). */
    public static List<Sample> commissioning(SkabFile file) {
        return file.samples(0, testStart(file));
    }

    /** The test rows as samples (seq = row index, so it starts at 400). */
    public static List<Sample> test(SkabFile file) {
        return file.samples(testStart(file), file.rowCount());
    }

    /**
     * The confusion of one labelled file's test part. {@code decisions[t]} is the alarm for row
     * {@code t} of the whole file (length = row count; entries before 400 are ignored).
     */
    public static Confusion score(SkabFile file, boolean[] decisions) {
        if (!file.labelled()) {
            throw TandemException.invalid(file.deviceId() + " has no labels and is not scored");
        }
        if (decisions == null || decisions.length != file.rowCount()) {
            throw TandemException.invalid(file.deviceId() + ": expected " + file.rowCount() + " decisions, got "
                    + (decisions == null ? "none" : decisions.length));
        }
        return Confusion.count(file.labels(), decisions, testStart(file), file.rowCount());
    }

    /**
     * Scores every labelled file with its device's decisions (one boolean per row of the file) and
     * sums them. A labelled file without decisions is an error; unlabelled files need none.
     */
    public static Score score(SkabDataset dataset, Map<String, boolean[]> decisionsByDevice) {
        Map<String, Confusion> perFile = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (SkabFile f : dataset.files()) {
            if (!f.labelled()) {
                skipped.add(f.deviceId());
                continue;
            }
            boolean[] d = decisionsByDevice.get(f.deviceId());
            if (d == null) {
                throw TandemException.invalid("no decisions for labelled device " + f.deviceId());
            }
            perFile.put(f.deviceId(), score(f, d));
        }
        return new Score(Confusion.sum(perFile.values()), perFile, skipped);
    }

    /** The trivial detector that flags every row: its F1 is the floor any result must be read against. */
    public static Score flagEverything(SkabDataset dataset) {
        Map<String, boolean[]> all = new LinkedHashMap<>();
        for (SkabFile f : dataset.files()) {
            boolean[] d = new boolean[f.rowCount()];
            Arrays.fill(d, true);
            all.put(f.deviceId(), d);
        }
        return score(dataset, all);
    }

    /** The anomalous segments of a labelled file's test part, as episodes of the given kind. */
    public static List<Episode> episodes(SkabFile file, String kind) {
        return Episode.fromLabels(file.deviceId(), kind, file.labels(), testStart(file));
    }

    /**
     * A dataset's score.
     *
     * @param micro   the sum over all scored files (the protocol's figure)
     * @param perFile each scored file's own confusion, in dataset order
     * @param skipped device ids of the unlabelled files, which were not scored
     */
    public record Score(Confusion micro, Map<String, Confusion> perFile, List<String> skipped) {
        public Score {
            perFile = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perFile));
            skipped = List.copyOf(skipped);
        }
    }
}
