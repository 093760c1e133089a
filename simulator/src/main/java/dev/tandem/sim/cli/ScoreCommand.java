package dev.tandem.sim.cli;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.score.AlarmLine;
import dev.tandem.sim.score.AlarmScorer;
import dev.tandem.sim.score.JsonLines;
import dev.tandem.sim.score.NabHook;
import dev.tandem.sim.score.NabTruthScore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Scores any system's alarms against a run's ground truth (both JSON lines):",
                "precision, recall per kind and severity, false alarms per device-hour, detection delay,",
                "and the NAB score (the evaluation's NAB scorer, three profiles) of the alarm onsets."})
final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--truth", required = true, paramLabel = "FILE", description = "Ground truth of a run (sim run / sim scenario).")
    Path truth;

    @Option(names = "--alarms", required = true, paramLabel = "FILE",
            description = "Alarms, one JSON object a line with device and ts (epoch ms or ISO-8601), e.g. from --record-alarms.")
    Path alarms;

    @Option(names = "--tolerance", paramLabel = "S", defaultValue = "10",
            description = "Seconds after a fault's end an alarm still counts for it (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON to FILE.")
    Path report;

    @Override
    public Integer call() throws Exception {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--tolerance must be >= 0");
        }
        JsonLines.Read<TruthEvent> t = JsonLines.read(truth, TruthEvent.class);
        JsonLines.Read<AlarmLine> a = JsonLines.read(alarms, AlarmLine::parse);
        AlarmScorer.Report r = AlarmScorer.score(t.values(), a.values(), Duration.ofMillis(Math.round(tolerance * 1000)), NabTruthScore.SCORER);
        List<String> problems = new ArrayList<>(t.problems());
        problems.addAll(a.problems());
        r = new AlarmScorer.Report(r.alarms(), r.trueAlarms(), r.falseAlarms(), r.falseAlarmsDuringNonFaultEvents(),
                r.precision(), r.recall(), r.f1(), r.falseAlarmsPerDeviceHour(), r.observedNormalDeviceHours(), r.overall(),
                r.byKind(), r.bySeverity(), r.nab(), r.nabScores(), r.nabNote(), t.badLines(), a.badLines(), problems);
        print(r);
        byte[] json = Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(r);
        if (report != null) {
            Files.write(report, json);
        }
        System.out.println(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        return 0;
    }

    private static void print(AlarmScorer.Report r) {
        System.out.printf("alarms %d: true %d, false %d (%d during non-fault events)%n", r.alarms(), r.trueAlarms(),
                r.falseAlarms(), r.falseAlarmsDuringNonFaultEvents());
        System.out.printf("precision %.3f  recall %.3f  F1 %.3f  false alarms per device-hour %.2f (%.2f h normal)%n",
                r.precision(), r.recall(), r.f1(), r.falseAlarmsPerDeviceHour(), r.observedNormalDeviceHours());
        System.out.printf("%-16s %9s %9s %8s %12s%n", "group", "episodes", "detected", "recall", "delay s");
        row("all", r.overall());
        r.byKind().forEach((k, g) -> row("kind " + k, g));
        r.bySeverity().forEach((k, g) -> row("severity " + k, g));
        System.out.println(r.nab() == null ? "NAB: " + r.nabNote() : nab(r.nabScores()));
        if (r.badTruthLines() + r.badAlarmLines() > 0) {
            System.out.printf("skipped lines: truth %d, alarms %d; first: %s%n", r.badTruthLines(), r.badAlarmLines(), r.problems());
        }
    }

    private static String nab(NabHook.Score s) {
        StringBuilder b = new StringBuilder("NAB");
        s.profiles().forEach((p, v) -> b.append(String.format(" %s %.1f", p.replace("reward_", "").replace("_rate", ""), v)));
        return b.append(String.format("  (windows detected %d/%d, onsets %d, FP onsets %d, %d devices, rows from %s%s)",
                s.detectedWindows(), s.windows(), s.onsets(), s.falsePositiveOnsets(), s.devices(), s.rowsFrom(),
                s.ignoredAlarms() == 0 ? "" : ", " + s.ignoredAlarms() + " alarms outside the truth's devices or rows")).toString();
    }

    private static void row(String name, AlarmScorer.Group g) {
        System.out.printf("%-16s %9d %9d %8.3f %12s%n", name, g.episodes(), g.detected(), g.recall(),
                g.meanDelaySeconds() == null ? "-" : String.format("%.1f", g.meanDelaySeconds()));
    }

}
