package dev.tandem.sim.score;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tandem.sim.factory.TruthEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Scores anyone's alarms against a run's ground truth, by time. An episode is a fault on a device
 * (its lines for several channels are one episode); an alarm of that device within
 * [start, end + tolerance] detects it and is a true alarm; any other alarm is false (those inside an
 * operating change or device event, which are not faults, are also counted apart). Figures:
 * precision (true alarms / alarms), recall (detected episodes / episodes) overall, per kind and per
 * severity, the detection delay (first alarm - start) per kind, and the false-alarm rate per
 * device-hour of observed normal time. The NAB score comes from a {@link NabHook}.
 */
public final class AlarmScorer {
    /** An alarm this long after an episode's end still counts for it (the detector's window and latency). */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(10);

    /** Recall and delay of one group of episodes. */
    public record Group(int episodes, int detected, double recall, Double meanDelaySeconds, Double maxDelaySeconds) {
    }

    /**
     * The scores. {@code nab} is the NAB standard score ({@code nabScores}: every profile, windows, onsets);
     * null when none could be given ({@code nabNote} says why).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(long alarms, long trueAlarms, long falseAlarms, long falseAlarmsDuringNonFaultEvents,
                         double precision, double recall, double f1, double falseAlarmsPerDeviceHour,
                         double observedNormalDeviceHours, Group overall, Map<String, Group> byKind,
                         Map<String, Group> bySeverity, Double nab, NabHook.Score nabScores, String nabNote, long badTruthLines,
                         long badAlarmLines, List<String> problems) {
    }

    private record Episode(String device, String kind, String severity, Instant start, Instant end) {
    }

    private AlarmScorer() {
    }

    public static Report score(List<TruthEvent> truth, List<AlarmLine> alarms, Duration tolerance, NabHook nab) {
        Objects.requireNonNull(tolerance, "tolerance");
        Map<Episode, Instant> firstAlarm = new LinkedHashMap<>();
        Map<String, List<Episode>> episodes = new HashMap<>();
        Map<String, List<TruthEvent>> nonFault = new HashMap<>();
        double normalMillis = 0;
        for (TruthEvent t : truth) {
            if (t.anomalous()) {
                Episode e = new Episode(t.device(), t.kind(), t.severity() == null ? "-" : t.severity(), t.start(), t.end());
                if (!firstAlarm.containsKey(e)) {
                    firstAlarm.put(e, null);
                    episodes.computeIfAbsent(e.device(), d -> new ArrayList<>()).add(e);
                    normalMillis -= Duration.between(e.start(), e.end()).toMillis();
                }
            } else if (t.isObserved()) {
                normalMillis += Duration.between(t.start(), t.end()).toMillis();
            } else {
                nonFault.computeIfAbsent(t.device(), d -> new ArrayList<>()).add(t);
            }
        }
        long trueAlarms = 0;
        long falseAlarms = 0;
        long duringNonFault = 0;
        // an alarm is raised once (an episode's onset); its updates and end raise nothing
        List<AlarmLine> sorted = alarms.stream().filter(AlarmLine::raised).sorted(Comparator.comparing(AlarmLine::ts))
                .toList();
        for (AlarmLine a : sorted) {
            boolean hit = false;
            for (Episode e : episodes.getOrDefault(a.device(), List.of())) {
                if (!a.ts().isBefore(e.start()) && !a.ts().isAfter(e.end().plus(tolerance))) {
                    hit = true;
                    if (firstAlarm.get(e) == null) {
                        firstAlarm.put(e, a.ts());
                    }
                }
            }
            if (hit) {
                trueAlarms++;
            } else {
                falseAlarms++;
                if (nonFault.getOrDefault(a.device(), List.of()).stream().anyMatch(t -> t.covers(a.ts()))) {
                    duringNonFault++;
                }
            }
        }
        Map<String, List<Episode>> byKind = new TreeMap<>();
        Map<String, List<Episode>> bySeverity = new TreeMap<>();
        for (Episode e : firstAlarm.keySet()) {
            byKind.computeIfAbsent(e.kind(), k -> new ArrayList<>()).add(e);
            bySeverity.computeIfAbsent(e.severity(), k -> new ArrayList<>()).add(e);
        }
        Map<String, Group> kinds = new TreeMap<>();
        byKind.forEach((k, list) -> kinds.put(k, group(list, firstAlarm)));
        Map<String, Group> severities = new TreeMap<>();
        bySeverity.forEach((k, list) -> severities.put(k, group(list, firstAlarm)));
        Group overall = group(new ArrayList<>(firstAlarm.keySet()), firstAlarm);
        long all = trueAlarms + falseAlarms;
        double precision = all == 0 ? Double.NaN : (double) trueAlarms / all;
        double f1 = precision + overall.recall() == 0 || Double.isNaN(precision) ? Double.NaN
                : 2 * precision * overall.recall() / (precision + overall.recall());
        double hours = Math.max(0, normalMillis) / 3.6e6;
        var nabScore = nab.score(truth, sorted);
        return new Report(all, trueAlarms, falseAlarms, duringNonFault, precision, overall.recall(), f1,
                hours == 0 ? Double.NaN : falseAlarms / hours, hours, overall, kinds, severities,
                nabScore.map(NabHook.Score::standard).orElse(null), nabScore.orElse(null),
                nabScore.isPresent() ? null : nab == NabHook.NONE ? "no NAB scorer plugged in"
                        : "no device with an observed span in the truth",
                0, 0, List.of());
    }

    private static Group group(List<Episode> list, Map<Episode, Instant> firstAlarm) {
        int detected = 0;
        double sum = 0;
        double max = 0;
        for (Episode e : list) {
            Instant first = firstAlarm.get(e);
            if (first != null) {
                detected++;
                double d = Duration.between(e.start(), first).toMillis() / 1000.0;
                sum += d;
                max = Math.max(max, d);
            }
        }
        return new Group(list.size(), detected, list.isEmpty() ? Double.NaN : (double) detected / list.size(),
                detected == 0 ? null : sum / detected, detected == 0 ? null : max);
    }
}
