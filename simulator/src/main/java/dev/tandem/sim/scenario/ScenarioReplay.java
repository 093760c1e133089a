package dev.tandem.sim.scenario;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.provision.SiteAccess;
import dev.tandem.sim.replay.ReplayFormat;
import dev.tandem.sim.replay.ReplayPlan;
import dev.tandem.sim.replay.ReplayRun;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A scenario whose fleet is recorded data ({@code fleet: - replay: {...}}): its files loaded by
 * {@code sim replay}'s loader ({@link ReplayPlan}), published by {@link ReplayRun}, reported as a
 * {@link ScenarioReport} (readings = rows, faults = the labelled runs or windows of the truth). Paths
 * are relative to the scenario file; a built-in scenario's files are read from next to it in the jar
 * (copied to a temporary folder for the run).
 */
public final class ScenarioReplay {
    private ScenarioReplay() {
    }

    /** The files of every replay entry, as one plan; {@code base}: the folder the paths are relative to. */
    public static ReplayPlan plan(Scenario s, Path base) {
        List<ReplayPlan> plans = new ArrayList<>();
        for (Scenario.Replay r : s.replays()) {
            var spec = r.spec();
            ReplayFormat f = ReplayFormat.parse(spec.format());
            int rows = f.commissioning(spec.commissioning());
            Path path = base.resolve(spec.path());
            try {
                plans.add(f == ReplayFormat.NAB ? ReplayPlan.loadNab(path, base.resolve(spec.labels()), rows)
                        : ReplayPlan.load(path, f.columns(spec.timestamp(), spec.channels(), spec.label()), rows));
            } catch (TandemException e) {
                throw new TandemException(e.code(), s.source() + ":" + r.line() + ": fleet[" + r.position() + "].replay: "
                        + e.getMessage(), e);
            }
        }
        return ReplayPlan.merge(plans);
    }

    /**
     * Runs {@code s}. {@code speed} null: the file's; {@code report} null: none written.
     */
    public static ScenarioReport run(Scenario s, BrokerAddress broker, SiteAccess site, Double speed, Path truth, Path alarms,
                                     Path report, Duration timeout, Duration statusEvery, PrintStream out) throws Exception {
        Path copied = null;
        try {
            Path base;
            Path file = Path.of(s.source());
            if (Files.isRegularFile(file)) {
                base = file.toAbsolutePath().getParent();
            } else {
                copied = Files.createTempDirectory("tandem-scenario-" + s.name());
                base = copied;
                for (Scenario.Replay r : s.replays()) {
                    copyBuiltIn(s.source(), r.spec().path(), copied);
                    if (r.spec().labels() != null) {
                        copyBuiltIn(s.source(), r.spec().labels(), copied);
                    }
                }
            }
            ReplayPlan plan = plan(s, base);
            double pace = speed != null ? speed : s.replays().get(0).spec().pace();
            String siteId = s.replays().get(0).site();
            if (site != null && !site.site().equals(siteId)) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, s.source() + ": the replay is on site '" + siteId
                        + "', the provisioned site is '" + site.site() + "'");
            }
            ReplayRun.Report r = new ReplayRun(plan, new ReplayRun.Options(broker, site, siteId, pace, truth, alarms,
                    timeout, statusEvery, Duration.ZERO), out).run();
            Map<String, Long> faults = new java.util.TreeMap<>();
            plan.groundTruth().stream().filter(t -> t.anomalous()).forEach(t -> faults.merge(t.kind(), 1L, Long::sum));
            double recorded = plan.devices().stream().mapToDouble(d -> d.rowCount() < 2 ? 0
                    : (d.timestamp(d.rowCount() - 1) - d.timestamp(0)) / 1000.0).max().orElse(0);
            ScenarioReport sr = new ScenarioReport(s.name(), s.source(), broker == null ? "embedded" : broker.url(),
                    Double.isInfinite(pace) ? "max" : String.valueOf(pace), r.devices(), r.connections(), recorded,
                    r.wallSeconds(), r.rows(), r.published(), 0, 0, r.failed(), 0, faults, Map.of(), r.truthFile(),
                    r.truthLines(), alarms == null ? null : alarms.toString(), r.alarmsRecorded(), null, null, null,
                    s.needs(), r.completed() && r.refusedFiles().isEmpty());
            if (report != null) {
                Files.write(report, dev.tandem.shared.wire.Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(sr));
            }
            return sr;
        } finally {
            if (copied != null) {
                deleteTree(copied);
            }
        }
    }

    /**
     * Copies {@code REL} (a file or a folder) next to the built-in scenario {@code scenario} (its
     * resource, {@code scenarios/NAME.yaml}) to {@code into/REL}.
     */
    static void copyBuiltIn(String scenario, String rel, Path into) throws IOException {
        URL url = ScenarioReplay.class.getClassLoader().getResource(scenario);
        if (url == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "no built-in scenario " + scenario);
        }
        Path yaml;
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                yaml = fs.provider().getPath(uri);
            } else {
                yaml = Path.of(uri);
            }
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        Path from = yaml.getParent().resolve(rel);
        if (!Files.exists(from)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "no built-in file " + ScenarioLoader.BUILT_IN_DIR + rel);
        }
        copyTree(from, into.resolve(rel));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temporary copy: left behind at worst
        }
    }
}
