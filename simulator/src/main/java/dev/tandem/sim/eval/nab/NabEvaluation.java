package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.TandemException;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.sim.eval.CascadeEvaluation;
import dev.tandem.sim.eval.CascadeEvaluation.Mode;
import dev.tandem.sim.eval.Episode;
import dev.tandem.sim.eval.EvalStream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tandem on NAB through the three-mode {@link CascadeEvaluation} (the hub's fit path and verdicts,
 * the edge's detector): each file is one single-channel device whose probationary rows are its
 * commissioning data (labels never used), the rest is detected row by row. A mode's alarms are
 * scored by their <b>onsets</b> (the row an alarm is raised; rows it is merely held are not
 * detections), by {@link NabScorer} in every profile: {@link Onsets#DECISIONS} the rows where a
 * window decision turns anomalous, {@link Onsets#ALARMS} the rows of the ONSET alarms the edge agent
 * publishes (its episodes, held through short normal gaps: what {@code ./tandem score} scores of a
 * live replay). A file whose device cannot be fitted (too few
 * probationary rows, for one) is listed as a problem and the others go on.
 */
public final class NabEvaluation {
    /** What a detection is. */
    public enum Onsets {
        /** A row where the window decision turns anomalous after a normal one. */
        DECISIONS,
        /** A row where the edge's episode tracker raises an ONSET alarm (the alarms a live edge agent publishes). */
        ALARMS
    }

    /** The name of the single channel. */
    public static final String CHANNEL = "value";

    /** What a mode did on the whole corpus besides its score. */
    public record ModeStats(long windows, long escalations, long verdicts, long uplinkBytes, long rawUplinkBytes,
                            long onsets, long alarmRows) {
        public double escalationRate() {
            return windows == 0 ? Double.NaN : (double) escalations / windows;
        }

        public double uplinkShare() {
            return rawUplinkBytes == 0 ? Double.NaN : (double) uplinkBytes / rawUplinkBytes;
        }
    }

    /** One file: its evaluation, each mode's onsets (one per row of the file) and scores. */
    public record FileResult(NabFile file, CascadeEvaluation.DeviceResult device, Map<Mode, boolean[]> onsets,
                             Map<Mode, Map<NabProfile, NabScorer.FileScore>> scores) {
    }

    public record Result(List<FileResult> files, List<NabProblem> problems,
                         Map<Mode, Map<NabProfile, NabScorer.CorpusScore>> totals, Map<Mode, ModeStats> stats,
                         FitSettings settings, long millis) {
    }

    private NabEvaluation() {
    }

    /** The stream of a file: probationary rows commission the device, the rest is its test part. */
    public static EvalStream stream(NabFile f) {
        int p = f.probationaryRows();
        boolean[] labels = f.labels();
        return new EvalStream(f.deviceId(), List.of(CHANNEL), f.samples(0, p), f.samples(p, f.rows()),
                Arrays.copyOfRange(labels, p, labels.length), Episode.fromLabels(f.deviceId(), "window", labels, p));
    }

    public static Result run(NabDataset data, FitSettings settings, CascadeEvaluation.Progress progress) {
        return run(data, settings, dev.tandem.edge.alarm.AlarmSettings.defaults(), Onsets.ALARMS, progress);
    }

    /** Runs every file, episodes held by {@code alarms}, detections counted as {@code onsets} says. */
    public static Result run(NabDataset data, FitSettings settings, dev.tandem.edge.alarm.AlarmSettings alarms,
                             Onsets detections, CascadeEvaluation.Progress progress) {
        return run(data, settings, CascadeEvaluation.Options.defaults().withAlarms(alarms), detections, progress);
    }

    /** The same, the devices run as {@code options} say. */
    public static Result run(NabDataset data, FitSettings settings, CascadeEvaluation.Options options,
                             Onsets detections, CascadeEvaluation.Progress progress) {
        long t0 = System.nanoTime();
        List<FileResult> files = new ArrayList<>();
        List<NabProblem> problems = new ArrayList<>(data.problems());
        List<NabFile> all = data.files();
        for (int i = 0; i < all.size(); i++) {
            NabFile f = all.get(i);
            int index = i;
            CascadeEvaluation.Progress one = (d, n, id, phase) -> progress.update(index, all.size(), id, phase);
            CascadeEvaluation.DeviceResult device;
            try {
                device = CascadeEvaluation.run(List.of(stream(f)), settings, options, one).devices().get(0);
            } catch (TandemException e) {
                problems.add(new NabProblem(f.key(), e.code(), f.series().source() + ": cannot commission on its "
                        + f.probationaryRows() + " probationary rows: " + e.getMessage()));
                continue;
            }
            files.add(score(f, device, detections));
        }
        Map<Mode, Map<NabProfile, NabScorer.CorpusScore>> totals = new EnumMap<>(Mode.class);
        Map<Mode, ModeStats> stats = new EnumMap<>(Mode.class);
        for (Mode m : Mode.values()) {
            Map<NabProfile, NabScorer.CorpusScore> byProfile = new LinkedHashMap<>();
            for (NabProfile p : NabProfile.ALL) {
                byProfile.put(p, NabScorer.corpus(p, files.stream().map(r -> r.scores().get(m).get(p)).toList()));
            }
            totals.put(m, byProfile);
            long windows = 0, esc = 0, verdicts = 0, up = 0, raw = 0, onsets = 0, alarmRows = 0;
            for (FileResult r : files) {
                CascadeEvaluation.ModeRun run = r.device().modes().get(m);
                windows += run.windows();
                esc += run.escalations();
                verdicts += run.verdicts();
                up += run.uplinkBytes();
                raw += r.device().rawUplinkBytes();
                for (boolean b : r.onsets().get(m)) {
                    onsets += b ? 1 : 0;
                }
                for (boolean b : run.decisions()) {
                    alarmRows += b ? 1 : 0;
                }
            }
            stats.put(m, new ModeStats(windows, esc, verdicts, up, raw, onsets, alarmRows));
        }
        return new Result(files, problems, totals, stats, settings, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Scores each mode's onsets of one evaluated file. */
    static FileResult score(NabFile f, CascadeEvaluation.DeviceResult device) {
        return score(f, device, Onsets.ALARMS);
    }

    static FileResult score(NabFile f, CascadeEvaluation.DeviceResult device, Onsets kind) {
        int p = f.probationaryRows();
        Map<Mode, boolean[]> onsets = new EnumMap<>(Mode.class);
        Map<Mode, Map<NabProfile, NabScorer.FileScore>> scores = new EnumMap<>(Mode.class);
        for (Mode m : Mode.values()) {
            boolean[] alarms = new boolean[f.rows()];
            CascadeEvaluation.ModeRun run = device.modes().get(m);
            boolean[] rows = kind == Onsets.ALARMS ? run.onsets() : run.decisions();
            System.arraycopy(rows, 0, alarms, p, rows.length);
            boolean[] on = kind == Onsets.ALARMS ? alarms : NabScorer.onsets(alarms);
            onsets.put(m, on);
            Map<NabProfile, NabScorer.FileScore> byProfile = new LinkedHashMap<>();
            for (NabProfile profile : NabProfile.ALL) {
                byProfile.put(profile, NabScorer.score(f, on, profile));
            }
            scores.put(m, byProfile);
        }
        return new FileResult(f, device, onsets, scores);
    }
}
