package dev.tandem.sim.cli;

import dev.tandem.edge.alarm.AlarmSettings;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.sim.eval.CascadeEvaluation;
import dev.tandem.sim.eval.Decisions;
import dev.tandem.sim.eval.SkabProtocol;
import dev.tandem.sim.eval.nab.NabFile;
import dev.tandem.sim.eval.EvalPlots;
import dev.tandem.sim.eval.EvalReport;
import dev.tandem.sim.eval.LeaveOneOut;
import dev.tandem.sim.eval.EvalStream;
import dev.tandem.sim.eval.PublishedDetectors;
import dev.tandem.sim.eval.SimScenario;
import dev.tandem.sim.eval.SkabDataset;
import dev.tandem.sim.eval.SkabFile;
import dev.tandem.sim.eval.nab.NabDataset;
import dev.tandem.sim.eval.nab.NabEvaluation;
import dev.tandem.sim.eval.nab.NabProblem;
import dev.tandem.sim.eval.nab.NabPublished;
import dev.tandem.sim.eval.nab.NabReferenceCheck;
import dev.tandem.sim.eval.nab.NabReport;
import dev.tandem.sim.factory.SimConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {
                "Detection quality of edge, cloud and collaborative decisions side by side.",
                "Three modes in one run, through the real code path:",
                "  edge           the tiny model decides every window, nothing escalated;",
                "  cloud          every window is escalated, the hub's large model decides;",
                "  collaborative  the tiny model decides what it is sure of and escalates",
                "                 its uncertain band.",
                "Per device, the commissioning rows fit both models as the hub does; every",
                "later row is scored by the edge runtime (the window ending at a row decides",
                "that row). Prints a table, and the JSON report (to FILE with --report, else",
                "after the table).",
                "SKAB protocol: the first 400 rows of each labelled file commission its",
                "device, the rest is scored point-wise and micro-averaged; files without",
                "labels are not scored. --seed, --devices and --samples apply to --dataset sim.",
                "NAB protocol (--dataset nab --path DIR): DIR/data/**.csv and",
                "DIR/labels/combined_windows.json; each file's probationary rows (15%%, at most",
                "750) commission its device; alarm onsets are scored by NAB's scorer in its",
                "three profiles. --check-reference REF scores the published reference",
                "detector's output instead and prints whether our scorer reproduces it.",
                "Exit code 2 when a file could not be evaluated (the others are)."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    FitOptions fit;

    @Option(names = "--protocol", paramLabel = "plain|loo", defaultValue = "plain",
            description = "plain: the given settings on every file (default); loo: leave-one-experiment-out, each file "
                    + "scored with the settings of a small grid (threshold quantile x score smoothing, see the README) that "
                    + "did best on the other files (skab and sim; every model still fitted on its own file's commissioning rows only).")
    String protocol;

    @Option(names = "--dataset", required = true, paramLabel = "skab|nab|sim",
            description = "skab: a folder (searched recursively) of SKAB-format CSV files, one device per file; "
                    + "nab: a NAB corpus folder (data/ and labels/); "
                    + "sim: the simulator's scenario with every anomaly kind (deterministic by --seed).")
    String dataset;

    @Option(names = "--path", paramLabel = "DIR", description = "The SKAB or NAB folder (required with skab and nab; "
            + "with --check-reference it defaults to REF's parent).")
    Path path;

    @Option(names = "--check-reference", paramLabel = "REF",
            description = "nab only: check the NAB scorer against the published results in REF (standard_scores.csv, "
                    + "profiles.json, <detector>/<category>/<detector>_<file>.csv) instead of running Tandem.")
    Path checkReference;

    @Option(names = "--published", paramLabel = "FILE",
            description = "nab only: published per-file results (NAB's Detector,Profile,File,Threshold,Score,... table) "
                    + "to print, normalised on the same files, beside Tandem's.")
    Path publishedResults;

    @Option(names = "--onsets", paramLabel = "decisions|alarms",
            description = "nab only: what a detection is: alarms, a row where the edge agent raises an ONSET alarm (its "
                    + "episodes, --clear-after: the *_onset columns of --decisions, and what ./tandem score scores of a "
                    + "live sim replay); decisions, a row whose window decision turns anomalous (default: alarms).")
    String onsets;

    @Option(names = "--only", paramLabel = "PREFIX", split = ",",
            description = "nab only: evaluate the files whose key (category/file.csv) starts with PREFIX (a category or a file).")
    List<String> only = List.of();

    @Option(names = "--report", paramLabel = "FILE", description = "Write the JSON report to FILE (instead of printing it).")
    Path report;

    @Option(names = "--plots", paramLabel = "DIR",
            description = "Write to DIR one PNG per device (channels, label shaded, per mode its score, threshold and "
                    + "alarms) and summary.png (the modes beside the published detectors).")
    Path plots;

    @Option(names = "--decisions", paramLabel = "DIR",
            description = "Write per scored input file a CSV of its rows' decisions to DIR/<the file's path under --path> (NAB: "
                    + "DIR/data/<category>/<file>.csv; sim: DIR/<device>.csv): one line per input row, in order, "
                    + "timestamp,label, then per mode (edge, cloud, collaborative) score (1.0 = threshold), alarm, onset.")
    Path decisions;

    @Mixin
    FleetOptions.Seed seedOption = new FleetOptions.Seed(SimConfig.DEFAULT_SEED);

    @Mixin
    FleetOptions.Devices devicesOption = new FleetOptions.Devices(SimScenario.DEFAULT_DEVICES);

    @Option(names = "--samples", defaultValue = "" + SimScenario.DEFAULT_TEST_SAMPLES,
            description = "Test samples per simulated machine after its commissioning (sim only; default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--clear-after", paramLabel = "N", defaultValue = "" + AlarmSettings.DEFAULT_CLEAR_AFTER_WINDOWS,
            description = "Alarm episodes clear after N normal windows in a row (the edge's hysteresis; "
                    + "default: ${DEFAULT-VALUE}, the edge agent's default).")
    int clearAfter;

    @Option(names = "--review-after", paramLabel = "SECONDS|off",
            description = "Once an episode has held this long (sample time), the edge sends one anomalous window per "
                    + "window length for the hub's review (the readings re-baselining judges and is fitted on); "
                    + "off: no reviews (default: the edge agent's, ${DEFAULT-VALUE}).")
    String reviewAfter = "" + AlarmSettings.DEFAULT_REVIEW_AFTER.toSeconds();

    @Mixin
    RebaselineOptions rebaseline = new RebaselineOptions();

    @Option(names = "--device-class", paramLabel = "CLASS", defaultValue = dev.tandem.shared.wire.Commissioning.DEFAULT_CLASS,
            description = "The class the evaluated devices name at commissioning: the hub ships that class's variant of "
                    + "the tiny model (--int8-classes; default: ${DEFAULT-VALUE}, full precision).")
    String deviceClass;

    @Override
    public Integer call() {
        FitSettings settings = fit.settings(); // bad flags fail first
        options(new AlarmSettings(clearAfter, AlarmSettings.DEFAULT_UPDATE_INTERVAL, reviewAfter()));
        if (clearAfter < 0 || clearAfter > 1_000_000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--clear-after must be 0..1000000, got " + clearAfter);
        }
        String which = dataset.toLowerCase(Locale.ROOT);
        long seed = seedOption.value;
        int devices = devicesOption.value;
        boolean loo = switch (protocol.toLowerCase(Locale.ROOT)) {
            case "plain" -> false;
            case "loo" -> true;
            default -> throw new TandemException(ErrorCode.INVALID_CONFIG, "--protocol must be plain or loo, got '" + protocol + "'");
        };
        if (which.equals("nab")) {
            if (loo) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "--protocol loo applies to --dataset skab and sim "
                        + "(NAB's detectors are scored with one setting over the corpus, no labels used)");
            }
            return nab(settings);
        }
        if (checkReference != null || publishedResults != null || !only.isEmpty() || onsets != null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--check-reference, --published, --onsets and --only apply to --dataset nab");
        }
        List<EvalStream> streams;
        List<Decisions.Input> inputs;
        List<PublishedDetectors.Row> published = List.of();
        String source;
        String summaryTitle;
        Long usedSeed = null;
        switch (which) {
            case "skab" -> {
                if (path == null) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "--dataset skab needs --path DIR");
                }
                SkabDataset data = SkabDataset.load(path);
                List<SkabFile> labelled = data.labelled();
                if (labelled.isEmpty()) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "no labelled file under " + path);
                }
                if (!data.unlabelled().isEmpty()) {
                    System.err.println("not scored (no labels): " + data.unlabelled().stream().map(SkabFile::deviceId).toList());
                }
                streams = labelled.stream().map(EvalStream::fromSkab).toList();
                inputs = labelled.stream().map(f -> skabInput(path, f)).toList();
                source = path.toString();
                published = PublishedDetectors.forDataset(labelled);
                summaryTitle = PublishedDetectors.table(labelled)
                        .map(t -> "SKAB " + t.subset() + ": Tandem's modes and the published detectors")
                        .orElse("SKAB, " + labelled.size() + " files: Tandem's three modes");
            }
            case "sim" -> {
                if (devices < 1 || devices > 100 || samples < 100) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "--devices 1..100 and --samples >= 100");
                }
                streams = SimScenario.streams(seed, devices, samples);
                inputs = streams.stream().map(EvalCommand::simInput).toList();
                source = "simulator: " + devices + " machines x " + samples + " test samples, every anomaly kind";
                usedSeed = seed;
                summaryTitle = "Simulator (seed " + seed + ", " + devices + " machines): Tandem's three modes";
            }
            default -> throw new TandemException(ErrorCode.INVALID_CONFIG, "--dataset must be skab, nab or sim, got " + dataset);
        }
        ProgressLine progress = new ProgressLine();
        AlarmSettings alarms = new AlarmSettings(clearAfter, AlarmSettings.DEFAULT_UPDATE_INTERVAL,
                reviewAfter());
        LeaveOneOut.Result looResult = null;
        CascadeEvaluation.Result result;
        if (loo) {
            looResult = LeaveOneOut.run(streams, LeaveOneOut.grid(settings), options(alarms), progress);
            result = looResult.loo();
        } else {
            result = CascadeEvaluation.run(streams, settings, options(alarms), progress);
        }
        progress.done();
        System.out.println("dataset: " + which + " (" + source + ")" + (loo ? ", protocol: leave-one-experiment-out" : ""));
        EvalReport.print(result, published, System.out);
        Map<String, Object> json = EvalReport.json(which, source, usedSeed, result, published);
        json.put("protocol", loo ? "loo" : "plain");
        if (looResult != null) {
            EvalReport.printLeaveOneOut(looResult, System.out);
            json.put("leaveOneOut", EvalReport.leaveOneOutJson(looResult));
        }
        if (report != null) {
            EvalReport.write(json, report);
            System.out.println("report written to " + report);
        } else {
            System.out.println(EvalReport.toJson(json));
        }
        if (plots != null) {
            List<Path> files = EvalPlots.write(result, published, summaryTitle, plots);
            System.out.println(files.size() + " plots written to " + plots + " (one per device, and "
                    + EvalPlots.SUMMARY_FILE + ")");
        }
        if (decisions != null) {
            for (int i = 0; i < streams.size(); i++) {
                writeDecisions(inputs.get(i), result.devices().get(i));
            }
            System.out.println(streams.size() + " decision files written to " + decisions);
        }
        return 0;
    }

    private void writeDecisions(Decisions.Input in, CascadeEvaluation.DeviceResult device) {
        try {
            Decisions.write(decisions, in, device);
        } catch (java.io.IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot write decisions to " + decisions + ": " + e.getMessage());
        }
    }

    /** A SKAB file's rows for --decisions, at its path under the dataset folder. */
    static Decisions.Input skabInput(Path root, SkabFile f) {
        Path rel = f.source() == null ? Path.of(f.deviceId() + ".csv")
                : root.toAbsolutePath().normalize().relativize(f.source().toAbsolutePath().normalize());
        List<String> texts = f.timestampTexts();
        if (texts == null) {
            texts = java.util.Arrays.stream(f.timestamps()).mapToObj(t -> java.time.Instant.ofEpochMilli(t).toString()).toList();
        }
        return new Decisions.Input(rel, texts, f.labels(), SkabProtocol.testStart(f));
    }

    /** A simulated device's rows for --decisions: DIR/<device>.csv, times as ISO-8601. */
    static Decisions.Input simInput(EvalStream s) {
        List<String> texts = new java.util.ArrayList<>();
        List<dev.tandem.shared.wire.Sample> all = new java.util.ArrayList<>(s.commissioning());
        all.addAll(s.test());
        all.forEach(x -> texts.add(java.time.Instant.ofEpochMilli(x.ts()).toString()));
        boolean[] labels = new boolean[all.size()];
        boolean[] test = s.testLabels();
        System.arraycopy(test, 0, labels, s.commissioning().size(), test.length);
        return new Decisions.Input(Path.of(s.deviceId() + ".csv"), texts, labels, s.commissioning().size());
    }

    private int nab(FitSettings settings) {
        Path dir = path != null ? path
                : checkReference != null && checkReference.toAbsolutePath().getParent() != null
                ? checkReference.toAbsolutePath().getParent() : null;
        if (dir == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--dataset nab needs --path DIR");
        }
        String detections = onsets == null ? "alarms" : onsets;
        NabEvaluation.Onsets kind = switch (detections.toLowerCase(Locale.ROOT)) {
            case "decisions" -> NabEvaluation.Onsets.DECISIONS;
            case "alarms" -> NabEvaluation.Onsets.ALARMS;
            default -> throw new TandemException(ErrorCode.INVALID_CONFIG, "--onsets must be decisions or alarms, got '" + onsets + "'");
        };
        NabDataset data = NabDataset.load(dir).only(only);
        if (checkReference != null) {
            report(data.problems());
            NabReferenceCheck.Report r = NabReferenceCheck.check(data, checkReference);
            NabReferenceCheck.print(r, System.out);
            return r.ok() && data.problems().isEmpty() ? 0 : 2;
        }
        NabPublished published = publishedResults == null ? null : NabPublished.read(publishedResults);
        ProgressLine progress = new ProgressLine();
        NabEvaluation.Result result = NabEvaluation.run(data, settings, options(new AlarmSettings(clearAfter,
                AlarmSettings.DEFAULT_UPDATE_INTERVAL, reviewAfter())), kind, progress);
        progress.done();
        System.out.println("dataset: nab (" + dir + ")");
        NabReport.print(result, published, System.out);
        if (decisions != null) {
            for (NabEvaluation.FileResult f : result.files()) {
                NabFile file = f.file();
                writeDecisions(new Decisions.Input(Path.of("data").resolve(file.key()), file.series().timestamps(),
                        file.labels(), file.probationaryRows()), f.device());
            }
            System.out.println(result.files().size() + " decision files written to " + decisions);
        }
        Map<String, Object> json = NabReport.json(dir.toString(), result, published);
        if (report != null) {
            EvalReport.write(json, report);
            System.out.println("report written to " + report);
        } else {
            System.out.println(EvalReport.toJson(json));
        }
        report(result.problems());
        return result.problems().isEmpty() && !result.files().isEmpty() ? 0 : 2;
    }

    private static void report(List<NabProblem> problems) {
        if (!problems.isEmpty()) {
            System.err.println(problems.size() + " problem(s): files not evaluated, labels naming absent files:");
            problems.forEach(p -> System.err.println("  " + p));
        }
    }

    /** One line on stderr, rewritten in place. */
    private static final class ProgressLine implements CascadeEvaluation.Progress {
        private final long start = System.nanoTime();
        private int width;

        @Override
        public void update(int device, int devices, String deviceId, String phase) {
            int done = device * 4 + switch (phase) {
                case "commissioning" -> 0;
                case "edge" -> 1;
                case "cloud" -> 2;
                default -> 3;
            };
            int total = devices * 4;
            int bar = 24 * done / total;
            String doing = switch (phase) {
                case "commissioning" -> "fitting its models";
                case "edge", "cloud", "collaborative" -> "scoring, " + phase + " mode";
                default -> phase;
            };
            String line = String.format(Locale.ROOT, "\r[%s%s] %3d%% file %d/%d %s: %s (%.0f s)", "#".repeat(bar),
                    ".".repeat(24 - bar), 100 * done / total, device + 1, devices, deviceId, doing,
                    (System.nanoTime() - start) / 1e9);
            width = Math.max(width, line.length());
            System.err.print(line + " ".repeat(width - line.length()));
            System.err.flush();
        }

        void done() {
            System.err.print("\r" + " ".repeat(width) + "\r");
            System.err.flush();
        }
    }

    /**
     * How the devices run: episodes as {@code alarms} hold them; in the cloud and collaborative modes the
     * hub re-baselines as {@code ./tandem hub} does, with its options; the devices name --device-class.
     */
    private CascadeEvaluation.Options options(AlarmSettings alarms) {
        try {
            return new CascadeEvaluation.Options(alarms, rebaseline.settings(), deviceClass);
        } catch (TandemException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, e.getMessage());
        }
    }

    private Duration reviewAfter() {
        if (reviewAfter.equalsIgnoreCase("off")) {
            return null;
        }
        try {
            long seconds = Long.parseLong(reviewAfter);
            if (seconds >= 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new TandemException(ErrorCode.INVALID_CONFIG, "--review-after must be seconds >= 0 or off, got "
                + reviewAfter);
    }
}
