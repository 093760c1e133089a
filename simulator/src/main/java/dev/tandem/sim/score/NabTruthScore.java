package dev.tandem.sim.score;

import dev.tandem.sim.eval.nab.NabProfile;
import dev.tandem.sim.eval.nab.NabScorer;
import dev.tandem.sim.eval.nab.NabWindow;
import dev.tandem.sim.factory.TruthEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The NAB score of anyone's alarms against a run's ground truth, through the evaluation's
 * {@link NabScorer} (the one NAB scoring; this class only puts truth and alarms on rows). Per device
 * of the truth (one with an {@code observed} line): its rows are {@code 0..observed.lastRow}, the
 * first {@code observed.firstRow} of them commissioning (NAB's probationary rows, not scored); its
 * windows are its anomalous lines' rows (lines that overlap are one window); its detections are the
 * rows of its alarm onsets ({@link AlarmLine#raised()}), an alarm's own {@code row} when it has one,
 * else its time placed between the truth's rows (linear between the nearest row times the truth
 * names). A truth without rows (a scenario run) is put on one row a second from each device's first
 * observed time, nothing of it commissioning. The corpus score sums the devices, as NAB sums files.
 */
public final class NabTruthScore implements NabHook {
    /** The NAB scorer for {@code ./tandem score}. */
    public static final NabHook SCORER = new NabTruthScore();
    /** Most rows a device is put on (a truth without rows: seconds). */
    public static final long MAX_ROWS = 20_000_000;

    private NabTruthScore() {
    }

    private record Anchor(long millis, int row) {
    }

    @Override
    public Optional<Score> score(List<TruthEvent> truth, List<AlarmLine> alarms) {
        Map<String, TruthEvent> observed = new LinkedHashMap<>();
        Map<String, List<TruthEvent>> faults = new LinkedHashMap<>();
        for (TruthEvent t : truth) {
            if (t.isObserved()) {
                observed.merge(t.device(), t, NabTruthScore::span);
            } else if (t.anomalous()) {
                faults.computeIfAbsent(t.device(), d -> new ArrayList<>()).add(t);
            }
        }
        Map<String, List<AlarmLine>> byDevice = new LinkedHashMap<>();
        long ignored = 0;
        for (AlarmLine a : alarms) {
            if (!a.raised()) {
                continue;
            }
            if (observed.containsKey(a.device())) {
                byDevice.computeIfAbsent(a.device(), d -> new ArrayList<>()).add(a);
            } else {
                ignored++;
            }
        }
        Map<NabProfile, List<NabScorer.FileScore>> files = new LinkedHashMap<>();
        NabProfile.ALL.forEach(p -> files.put(p, new ArrayList<>()));
        TreeSet<String> rowsFrom = new TreeSet<>();
        long onsets = 0;
        int devices = 0;
        for (TruthEvent obs : observed.values()) {
            List<TruthEvent> lines = faults.getOrDefault(obs.device(), List.of());
            boolean rowsGiven = obs.hasRows();
            long rowCount = rowsGiven ? obs.lastRow() + 1L : Duration.between(obs.start(), obs.end()).toSeconds() + 1;
            if (rowCount > MAX_ROWS) {
                ignored += byDevice.getOrDefault(obs.device(), List.of()).size();
                continue;
            }
            int rows = (int) rowCount;
            int probationary = rowsGiven ? obs.firstRow() : 0;
            List<Anchor> anchors = new ArrayList<>();
            if (rowsGiven) {
                anchors.add(new Anchor(obs.start().toEpochMilli(), obs.firstRow()));
                anchors.add(new Anchor(obs.end().toEpochMilli(), obs.lastRow()));
                for (TruthEvent t : lines) {
                    if (t.hasRows()) {
                        anchors.add(new Anchor(t.start().toEpochMilli(), t.firstRow()));
                        anchors.add(new Anchor(t.end().toEpochMilli(), t.lastRow()));
                    }
                }
                anchors.sort(Comparator.comparingLong(Anchor::millis).thenComparingInt(Anchor::row));
                rowsFrom.add("rows");
            } else {
                rowsFrom.add("seconds");
            }
            List<int[]> spans = new ArrayList<>();
            for (TruthEvent t : lines) {
                int first = rowsGiven && t.hasRows() ? t.firstRow() : row(t.start(), obs, anchors, rowsGiven, true);
                int last = rowsGiven && t.hasRows() ? t.lastRow() : row(t.end(), obs, anchors, rowsGiven, false);
                first = Math.max(0, first);
                last = Math.min(rows - 1, last);
                if (last >= first) {
                    spans.add(new int[]{first, last});
                }
            }
            List<NabWindow> windows = merge(spans, obs, anchors, rowsGiven);
            boolean[] detections = new boolean[rows];
            for (AlarmLine a : byDevice.getOrDefault(obs.device(), List.of())) {
                long r;
                if (rowsGiven && a.row() != null) {
                    r = a.row();
                } else {
                    if (rowsGiven) {
                        rowsFrom.add("interpolated");
                    }
                    r = row(a.ts(), obs, anchors, rowsGiven, true);
                }
                if (r < 0 || r >= rows) {
                    ignored++;
                    continue;
                }
                if (r >= probationary && !detections[(int) r]) {
                    onsets++;
                }
                detections[(int) r] = true;
            }
            devices++;
            for (NabProfile p : NabProfile.ALL) {
                files.get(p).add(NabScorer.score(rows, probationary, windows, detections, p));
            }
        }
        if (devices == 0) {
            return Optional.empty();
        }
        Map<String, Double> normalised = new LinkedHashMap<>();
        Map<String, Double> raw = new LinkedHashMap<>();
        int windows = 0;
        int detected = 0;
        long fp = 0;
        for (NabProfile p : NabProfile.ALL) {
            NabScorer.CorpusScore c = NabScorer.corpus(p, files.get(p));
            normalised.put(p.name(), c.normalised());
            raw.put(p.name(), c.raw());
        }
        for (NabScorer.FileScore f : files.get(NabProfile.STANDARD)) {
            windows += f.windows();
            detected += f.detectedWindows();
            fp += f.fp();
        }
        return Optional.of(new Score(normalised, raw, devices, windows, detected, onsets, fp, String.join("+", rowsFrom),
                ignored));
    }

    /** Two observed lines of one device (a device seen twice): the span over both. */
    private static TruthEvent span(TruthEvent a, TruthEvent b) {
        TruthEvent first = a.start().isAfter(b.start()) ? b : a;
        TruthEvent last = a.end().isAfter(b.end()) ? a : b;
        TruthEvent s = TruthEvent.observed(a.device(), first.start(), last.end());
        return a.hasRows() && b.hasRows() ? s.withRows(Math.min(a.firstRow(), b.firstRow()), Math.max(a.lastRow(), b.lastRow())) : s;
    }

    /** The lines' row spans as NAB windows, in order, overlapping ones merged. */
    private static List<NabWindow> merge(List<int[]> spans, TruthEvent obs, List<Anchor> anchors, boolean rowsGiven) {
        spans.sort(Comparator.comparingInt(s -> s[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] s : spans) {
            int[] prev = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (prev != null && s[0] <= prev[1]) {
                prev[1] = Math.max(prev[1], s[1]);
            } else {
                merged.add(s.clone());
            }
        }
        List<NabWindow> out = new ArrayList<>(merged.size());
        for (int[] s : merged) {
            out.add(new NabWindow(s[0], s[1], String.valueOf(s[0]), String.valueOf(s[1])));
        }
        return out;
    }

    /**
     * The row of time {@code t}: seconds since the device's first observed time, or between the
     * truth's row times ({@code -1} outside them; {@code down}: the row at or before t, else at or after).
     */
    private static int row(Instant t, TruthEvent obs, List<Anchor> anchors, boolean rowsGiven, boolean down) {
        if (!rowsGiven) {
            long ms = t.toEpochMilli() - obs.start().toEpochMilli();
            return ms < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, ms / 1000);
        }
        long ms = t.toEpochMilli();
        Anchor before = null;
        Anchor after = null;
        for (Anchor a : anchors) {
            if (a.millis() <= ms) {
                before = a;
            }
            if (a.millis() >= ms && after == null) {
                after = a;
            }
        }
        if (before == null || after == null) {
            return -1;
        }
        if (after.millis() == before.millis()) {
            return before.row();
        }
        double r = before.row() + (after.row() - before.row()) * (double) (ms - before.millis()) / (after.millis() - before.millis());
        return (int) (down ? Math.floor(r) : Math.ceil(r));
    }
}
