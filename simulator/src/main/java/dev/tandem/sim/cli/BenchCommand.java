package dev.tandem.sim.cli;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.bench.PipelineBench;
import dev.tandem.sim.bench.StoreBench;
import picocli.CommandLine;
import dev.tandem.sim.factory.SimConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print figures (a table and JSON).",
        subcommands = {BenchCommand.Pipeline.class, BenchCommand.EdgeFootprint.class, BenchCommand.Store.class, BenchCommand.OutboxCmd.class,
                BenchCommand.Sim.class, BenchCommand.RolloutCmd.class, BenchCommand.Variants.class,
                CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "rollout", mixinStandardHelpOptions = true,
            description = {"The hub's side of a rollout: a hub on the embedded broker or mosquitto and N devices played by one "
                    + "MQTT session (they answer each manifest at once: VERIFYING, SHADOW, ACTIVE; --bad: the first wave "
                    + "rolls back by its watchdog), one rollout through waves of 1, 5%%, 25%%, 100%%.",
                    "Prints each wave's duration and, with --bad, the fleet's rollback time, from the transitions the hub "
                    + "kept, and the heap a planned rollout retains per device (after GC). Real edge agents: "
                    + "./tandem sim scenario rollout."})
    static final class RolloutCmd implements Callable<Integer> {
        @Option(names = "--devices", paramLabel = "N", defaultValue = "" + dev.tandem.sim.bench.RolloutBench.DEFAULT_DEVICES,
                description = "Devices, 1..10000 (default: ${DEFAULT-VALUE}).")
        int devices;

        @Option(names = "--bad", description = "Roll out a bad model: the first wave fails and the fleet rolls back.")
        boolean bad;

        @Option(names = "--bad-wave", paramLabel = "N", defaultValue = "0",
                description = "The model goes bad in wave N (1-4; implies --bad): the last device that wave reaches trips "
                        + "its watchdog while the others are ACTIVE, so the fleet rollback sends back every device reached "
                        + "(with 4, the whole fleet).")
        int badWave;

        @Option(names = "--broker", paramLabel = "embedded|mosquitto", defaultValue = "embedded",
                description = "The broker started for the run (default: ${DEFAULT-VALUE}; mosquitto must be installed).")
        String broker;

        @Option(names = "--large-steps", paramLabel = "N", defaultValue = "" + dev.tandem.sim.bench.RolloutBench.DEFAULT_LARGE_STEPS,
                description = "Training steps of each device's large model at commissioning: its cost only (default: ${DEFAULT-VALUE}).")
        int largeSteps;

        @Option(names = "--shadow-ms", paramLabel = "MS", defaultValue = "0",
                description = "Shadow time the manifests ask for (the scripted devices do not wait; default 0).")
        long shadowMs;

        @Override
        public Integer call() throws Exception {
            if (shadowMs < 0 || shadowMs > 60_000) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "--shadow-ms must be 0..60000");
            }
            dev.tandem.sim.bench.RolloutBench.Result r = dev.tandem.sim.bench.RolloutBench.run(broker, devices,
                    badWave > 0 ? badWave : bad ? 1 : 0, java.time.Duration.ofMillis(shadowMs), largeSteps, System.err);
            System.out.printf("rollout of %d devices on %s (%s): %s in %d ms; waves %s ms%s; actions %s (commissioning took %d ms); "
                            + "a planned rollout retains about %d bytes of heap per device%n",
                    r.devices(), r.broker(), r.bad() ? "bad model" : "good model", r.finalState(), r.totalMs(), r.waveMs(),
                    r.rollbackMs() == null ? "" : "; rollback " + r.rollbackMs() + " ms", r.actions(), r.commissionMs(),
                    r.heapPerDeviceBytes());
            System.out.println(new String(dev.tandem.shared.wire.Wire.encode(r), java.nio.charset.StandardCharsets.UTF_8));
            return 0;
        }
    }

    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = {"Measures the pipeline: inference, the edge agent and the hub, each beside its raw rate.",
                    "Tiny-model inferences/s on one thread (pure Java vs the same model through TensorFlow Java); readings/s one edge agent sustains through the broker beside the raw rate to a plain subscriber; escalations/s answered by the hub through its shared subscription beside the raw rate of the same payloads to a plain shared subscriber. Give --broker several times to compare brokers in one run, and --security plain,acl,tls to measure what identities, ACLs and TLS cost on each broker it starts."})
    static final class Pipeline implements Callable<Integer> {
        @Option(names = "--broker", paramLabel = "URL",
                description = {"'embedded' (HiveMQ CE in-process, in memory), 'embedded-file' (the same with file persistence, as ./tandem broker --broker-data), 'mosquitto' (a mosquitto process started for the run) or tcp://host:port (plain only); repeat to measure several side by side (default: embedded)."})
        List<String> brokers;

        @Option(names = "--security", paramLabel = "MODE", split = ",", defaultValue = "plain",
                description = {"plain (anonymous), acl (a site's identities and ACLs), tls (both, over TLS); a list runs each on every broker the benchmark starts, side by side (default: ${DEFAULT-VALUE})."})
        List<String> security;

        @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON to FILE.")
        Path report;

        @Option(names = "--readings", paramLabel = "N", defaultValue = "" + PipelineBench.DEFAULT_READINGS,
                description = "Readings per flow (default: ${DEFAULT-VALUE}).")
        int readings;

        @Option(names = "--escalations", paramLabel = "N", defaultValue = "" + PipelineBench.DEFAULT_ESCALATIONS,
                description = "Escalations per flow (default: ${DEFAULT-VALUE}).")
        int escalations;

        @Option(names = "--inference-seconds", paramLabel = "S", defaultValue = "" + PipelineBench.DEFAULT_INFERENCE_SECONDS,
                description = "Measuring time per runtime, in seconds (default: ${DEFAULT-VALUE}).")
        double inferenceSeconds;

        @Mixin
        FleetOptions.Seed seed = new FleetOptions.Seed(SimConfig.DEFAULT_SEED);

        @Option(names = "--shared-on-embedded", description = {"Use the $share/hub subscription on the embedded broker too. By default the single in-process hub subscribes plainly there: HiveMQ CE's QoS 1 shared subscriptions collapse once a backlog builds."})
        boolean sharedOnEmbedded;

        @Override
        public Integer call() throws Exception {
            List<String> list = brokers == null || brokers.isEmpty() ? List.of("embedded") : brokers;
            for (String b : list) {
                if (!b.equals("embedded") && !b.equals("embedded-file") && !b.equals("mosquitto")) {
                    BrokerAddress.parse(b);
                }
            }
            if (readings < 1000 || escalations < 100 || inferenceSeconds <= 0) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "--readings >= 1000, --escalations >= 100, --inference-seconds > 0");
            }
            List<PipelineBench.Security> modes = security.stream().map(PipelineBench.Security::parse).distinct().toList();
            PipelineBench.run(new PipelineBench.Options(list, readings, escalations, inferenceSeconds, seed.value, report,
                    sharedOnEmbedded, modes), System.out, System.err);
            return 0;
        }
    }

    @Command(name = "store", mixinStandardHelpOptions = true,
            description = {"Measures the hub's store recording escalations: the embedded H2 file beside PostgreSQL.",
                    "Latency of single-row inserts and of batches (p50, p99) and rows/s of each, through the hub's own insert path, after preloading the table. PostgreSQL: a throwaway local cluster with fsync on (needs the postgresql package), or --db URL."})
    static final class Store implements Callable<Integer> {
        @Option(names = "--preload", paramLabel = "N", defaultValue = "" + StoreBench.DEFAULT_PRELOAD,
                description = "Escalations in the table before measuring (default: ${DEFAULT-VALUE}).")
        int preload;

        @Option(names = "--singles", paramLabel = "N", defaultValue = "" + StoreBench.DEFAULT_SINGLES,
                description = "Single-row inserts measured (default: ${DEFAULT-VALUE}).")
        int singles;

        @Option(names = "--batches", paramLabel = "N", defaultValue = "" + StoreBench.DEFAULT_BATCHES,
                description = "Batches measured (default: ${DEFAULT-VALUE}).")
        int batches;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "" + StoreBench.DEFAULT_BATCH_SIZE,
                description = "Rows per batch (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--db", paramLabel = "JDBC_URL",
                description = "Measure this PostgreSQL (an empty database; login from TANDEM_DB_USER/TANDEM_DB_PASSWORD) "
                        + "instead of a throwaway local one.")
        String db;

        @Option(names = "--report", paramLabel = "FILE", description = "Also write the figures as JSON to FILE.")
        Path report;

        @Override
        public Integer call() {
            if (preload < 0 || preload > 50_000_000 || singles < 10 || singles > 1_000_000 || batches < 2
                    || batches > 100_000 || batchSize < 1 || batchSize > 10_000) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "need 0 <= --preload <= 50,000,000, "
                        + "10 <= --singles <= 1,000,000, 2 <= --batches <= 100,000, 1 <= --batch-size <= 10,000");
            }
            StoreBench.run(new StoreBench.Options(singles, batches, batchSize, preload, db, report), System.out, System.err);
            return 0;
        }
    }

    @Command(name = "outbox", mixinStandardHelpOptions = true,
            description = {"Measures the edge's durable outbox on this disk.",
                    "Durable appends/s with fsync in batches and with fsync on every record (from the first offer until the last record is on the disk), and the time an agent takes to replay a log of --replay records at start."})
    static final class OutboxCmd implements Callable<Integer> {
        @Option(names = "--messages", paramLabel = "N", defaultValue = "" + dev.tandem.sim.bench.OutboxBench.DEFAULT_MESSAGES,
                description = "Appends with fsync in batches (default: ${DEFAULT-VALUE}).")
        int messages;

        @Option(names = "--always-messages", paramLabel = "N",
                defaultValue = "" + dev.tandem.sim.bench.OutboxBench.DEFAULT_ALWAYS_MESSAGES,
                description = "Appends with fsync on every record (default: ${DEFAULT-VALUE}).")
        int alwaysMessages;

        @Option(names = "--replay", paramLabel = "N", defaultValue = "" + dev.tandem.sim.bench.OutboxBench.DEFAULT_REPLAY_MESSAGES,
                description = "Records in the log replayed at start (default: ${DEFAULT-VALUE}).")
        int replay;

        @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "" + dev.tandem.sim.bench.OutboxBench.DEFAULT_PAYLOAD_BYTES,
                description = "Payload bytes per message (default: ${DEFAULT-VALUE}).")
        int payload;

        @Option(names = "--dir", paramLabel = "DIR", description = "Where to write (default: a temporary directory, removed after).")
        Path dir;

        @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON to FILE.")
        Path report;

        @Override
        public Integer call() throws Exception {
            if (messages < 1 || alwaysMessages < 1 || replay < 1 || payload < 1 || payload > 1 << 20) {
                throw new TandemException(ErrorCode.INVALID_CONFIG,
                        "--messages, --always-messages and --replay must be >= 1, --payload 1..1048576");
            }
            dev.tandem.sim.bench.OutboxBench.run(new dev.tandem.sim.bench.OutboxBench.Options(messages, alwaysMessages,
                    replay, payload, dir, report), System.out, System.err);
            return 0;
        }
    }

    @Command(name = "edge-footprint", mixinStandardHelpOptions = true,
            description = {
                    "Measures what the edge agent costs on a device: the edge-only distribution (tandem-edge.jar, no TensorFlow)",
                    "in a process of its own with a small heap, against an embedded broker, a hub and a simulated line:",
                    "CPU share of a core (and per device) and resident memory over the measured span, windows scored.",
                    "Default runs: 1 device at 10 Hz in -Xmx64m, 50 devices at 10 Hz in -Xmx128m. Linux only."})
    static final class EdgeFootprint implements Callable<Integer> {
        @Option(names = "--run", paramLabel = "DEVICESxHZ@HEAPm", split = ",",
                description = "Agents to measure (default: 1x10@64m,50x10@128m).")
        List<String> runs = List.of("1x10@64m", "50x10@128m");

        @Option(names = "--seconds", paramLabel = "S", defaultValue = "30", description = "Measured span in seconds (default: ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--warmup", paramLabel = "S", defaultValue = "10", description = "Warm-up in seconds once every device detects (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--commissioning", paramLabel = "N", defaultValue = "200",
                description = "Anomaly-free readings per device before its model is fitted (default: ${DEFAULT-VALUE}).")
        int commissioning;

        @Option(names = "--distribution", paramLabel = "DIR",
                description = "Where tandem-edge.jar and edge-lib/ are (default: next to the running tandem.jar).")
        Path distribution;

        @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON to FILE.")
        Path report;

        @Override
        public Integer call() throws Exception {
            if (seconds < 1 || seconds > 3600 || warmup < 0 || warmup > 3600 || commissioning < 50 || commissioning > 100_000) {
                throw new TandemException(ErrorCode.INVALID_CONFIG,
                        "--seconds 1..3600, --warmup 0..3600, --commissioning 50..100000");
            }
            List<dev.tandem.sim.bench.EdgeFootprintBench.Run> list = new java.util.ArrayList<>();
            for (String r : runs) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)x([0-9.]+)@(\\d+)m")
                        .matcher(r.trim().toLowerCase(java.util.Locale.ROOT));
                if (!m.matches()) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "--run takes DEVICESxHZ@HEAPm (e.g. 50x10@128m), got '"
                            + r + "'");
                }
                try {
                    list.add(new dev.tandem.sim.bench.EdgeFootprintBench.Run(Integer.parseInt(m.group(1)),
                            Double.parseDouble(m.group(2)), Integer.parseInt(m.group(3))));
                } catch (NumberFormatException e) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "--run: numbers out of range in '" + r + "'");
                }
            }
            dev.tandem.sim.bench.EdgeFootprintBench.run(new dev.tandem.sim.bench.EdgeFootprintBench.Options(list, seconds,
                    warmup, commissioning, distribution != null ? distribution
                    : dev.tandem.sim.bench.EdgeFootprintBench.defaultDistribution(), report), System.out, System.err);
            return 0;
        }
    }

    @Command(name = "sim", mixinStandardHelpOptions = true,
            description = {"Measures the publish rate the simulator sustains.",
                    "Devices x readings/s (QoS 1, the factory line's pumps) on the embedded broker and on mosquitto side by side: target vs achieved msg/s, the lag behind the fleet's clock at the end, and the loss seen by a plain QoS 1 subscriber. Default fleets: 10000 x 1 Hz and 1000 x 10 Hz."})
    static final class Sim implements Callable<Integer> {
        @Option(names = "--fleet", paramLabel = "DEVICESxHZ", split = ",",
                description = "Fleets to measure (default: 10000x1,1000x10).")
        List<String> fleets = List.of("10000x1", "1000x10");

        @Option(names = "--broker", paramLabel = "embedded|mosquitto", split = ",",
                description = "Brokers, side by side (default: embedded,mosquitto).")
        List<String> brokers = List.of("embedded", "mosquitto");

        @Option(names = "--seconds", paramLabel = "S", defaultValue = "20", description = "Measured span, in seconds (default: ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--warmup", paramLabel = "S", defaultValue = "5", description = "Warm-up before measuring, in seconds (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--connections", paramLabel = "N", defaultValue = "1",
                description = "MQTT connections the fleet is split over (default: ${DEFAULT-VALUE}).")
        int connections;

        @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON to FILE.")
        Path report;

        @Override
        public Integer call() throws Exception {
            List<dev.tandem.sim.bench.SimBench.Fleet> list = new java.util.ArrayList<>();
            for (String f : fleets) {
                String[] p = f.toLowerCase(java.util.Locale.ROOT).split("x");
                try {
                    int devices = Integer.parseInt(p[0]);
                    double hz = Double.parseDouble(p[1]);
                    if (p.length != 2 || devices < 1 || devices > dev.tandem.sim.scenario.Scenario.MAX_DEVICES
                            || !(hz > 0) || hz > 1000) {
                        throw new NumberFormatException();
                    }
                    list.add(new dev.tandem.sim.bench.SimBench.Fleet(devices, hz));
                } catch (RuntimeException e) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "--fleet takes DEVICESxHZ (devices 1.."
                            + dev.tandem.sim.scenario.Scenario.MAX_DEVICES + ", Hz in (0, 1000]), got '" + f + "'");
                }
            }
            for (String b : brokers) {
                if (!b.equals("embedded") && !b.equals("mosquitto")) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "--broker takes embedded or mosquitto, got '" + b + "'");
                }
            }
            if (seconds < 1 || warmup < 0 || connections < 1 || connections > 64) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "--seconds >= 1, --warmup >= 0, --connections 1..64");
            }
            dev.tandem.sim.bench.SimBench.run(new dev.tandem.sim.bench.SimBench.Options(list, brokers, seconds, warmup,
                    connections, report), System.out, System.err);
            return 0;
        }
    }

    @Command(name = "variants", mixinStandardHelpOptions = true,
            description = {"Compares the tiny model's variants per device class side by side.",
                    "Each class is evaluated through the one path (the hub's fit ships the class's variant; the edge's "
                            + "detector; the hub's verdicts) on the same files: artifact size, scoring cost per window, "
                            + "F1/FAR of edge, cloud and collaborative, agreement with the large model (the teacher), and "
                            + "the ratios against the first class. Data: a SKAB folder (--path), else the simulator."})
    static final class Variants implements Callable<Integer> {
        @Option(names = "--path", paramLabel = "DIR", description = "A SKAB folder (its labelled files; default: the simulator's evaluation scenario).")
        Path path;

        @Option(names = "--classes", paramLabel = "CLASS[,CLASS...]", split = ",",
                description = "Device classes, the first the reference (default: generic,pi-zero: full precision and int8).")
        List<String> classes = List.of(dev.tandem.shared.wire.Commissioning.DEFAULT_CLASS, "pi-zero");

        @CommandLine.Mixin
        FitOptions fit = new FitOptions();

        @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON to FILE.")
        Path report;

        @Override
        public Integer call() throws Exception {
            dev.tandem.hub.fit.FitSettings settings = fit.settings();
            if (classes.size() < 2) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "--classes needs at least two classes to compare");
            }
            for (String c : classes) {
                try {
                    dev.tandem.shared.wire.Checks.id("device class", c);
                } catch (TandemException e) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "--classes: " + e.getMessage());
                }
            }
            List<dev.tandem.sim.eval.EvalStream> streams;
            if (path != null) {
                List<dev.tandem.sim.eval.SkabFile> labelled = dev.tandem.sim.eval.SkabDataset.load(path).labelled();
                if (labelled.isEmpty()) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "no labelled SKAB file under " + path);
                }
                streams = labelled.stream().map(dev.tandem.sim.eval.EvalStream::fromSkab).toList();
            } else {
                streams = dev.tandem.sim.eval.SimScenario.streams(dev.tandem.sim.factory.SimConfig.DEFAULT_SEED,
                        dev.tandem.sim.eval.SimScenario.DEFAULT_DEVICES, dev.tandem.sim.eval.SimScenario.DEFAULT_TEST_SAMPLES);
            }
            int[] last = {-1};
            dev.tandem.sim.bench.VariantBench.Report r = dev.tandem.sim.bench.VariantBench.run(streams, settings,
                    dev.tandem.sim.eval.CascadeEvaluation.Options.defaults(), classes, (d, n, id, phase) -> {
                        if (d != last[0]) {
                            last[0] = d;
                            System.err.printf("\r%-70s", "device " + (d + 1) + "/" + n + " " + id);
                        }
                    });
            System.err.printf("\r%-70s\r", "");
            dev.tandem.sim.bench.VariantBench.print(r, System.out);
            if (report != null) {
                dev.tandem.sim.bench.VariantBench.writeJson(r, report);
                System.out.println("report written to " + report);
            }
            return 0;
        }
    }
}
