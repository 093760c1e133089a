package dev.tandem.sim.bench;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.fleet.LocalFleet;
import dev.tandem.sim.fleet.LocalFleetOptions;
import dev.tandem.sim.fault.AgentProcess;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench edge-footprint}: what the edge agent costs on the device. The edge-only distribution
 * ({@code tandem-edge.jar} and {@code edge-lib/}: no TensorFlow, broker or database on its class path)
 * runs the production agent in a process of its own with a small heap ({@code -Xmx64m} for one
 * device, {@code -Xmx128m} for fifty), against an embedded broker and a hub in this process, with a
 * simulated line at 10 readings/s per device. Once every device is detecting and a warm-up has passed,
 * the agent's CPU time (utime + stime of {@code /proc/PID/stat}) and resident set ({@code VmRSS} of
 * {@code /proc/PID/status}, sampled every second) are read over the measured span; windows scored
 * show the agent worked meanwhile. Linux only ({@code /proc}).
 */
public final class EdgeFootprintBench {
    /** Clock ticks per second of /proc/PID/stat on Linux (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;

    /** One agent to measure: its devices, their rate and the agent's heap limit. */
    public record Run(int devices, double rate, int heapMb) {
        public Run {
            if (devices < 1 || devices > 500 || !(rate > 0 && rate <= 1000) || heapMb < 16 || heapMb > 4096) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "a footprint run is 1..500 devices at a rate in "
                        + "(0, 1000] readings/s with a heap of 16..4096 MB, got " + devices + " x " + rate + " Hz, "
                        + heapMb + " MB");
            }
        }
    }

    public record Options(List<Run> runs, int seconds, int warmupSeconds, int commissioning, Path distribution,
                          Path report) {
    }

    /**
     * One row.
     *
     * @param cpuShareOfCore  CPU seconds per wall second of the agent over the span (1.0: one core)
     * @param cpuPerDevice    the same per device
     * @param rssMbMax        largest resident set sampled over the span
     */
    public record Result(int devices, double rate, int heapMb, int seconds, double cpuShareOfCore, double cpuPerDevice,
                         double rssMbMax, double rssMbEnd, long windows, double windowsPerSecond, boolean outOfMemory) {
    }

    private EdgeFootprintBench() {
    }

    /** Where the edge-only distribution is: next to the running {@code tandem.jar}, as the build makes it. */
    public static Path defaultDistribution() {
        try {
            Path here = Path.of(EdgeFootprintBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return here.getParent(); // simulator/target, from tandem.jar or from target/classes
        } catch (Exception e) {
            return Path.of("simulator", "target");
        }
    }

    /** The class path of the edge-only distribution in {@code dir}, or INVALID_CONFIG if it is not built. */
    public static String edgeClassPath(Path dir) {
        Path jar = dir.resolve("tandem-edge.jar");
        Path lib = dir.resolve("edge-lib");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "the edge-only distribution is not in " + dir
                    + " (tandem-edge.jar and edge-lib/; mvn -B -DskipTests package makes them)");
        }
        return jar + java.io.File.pathSeparator + lib.resolve("*");
    }

    public static List<Result> run(Options o, PrintStream out) throws Exception {
        return run(o, out, out);
    }

    /** Prints the table and the JSON on {@code out}, and where it is (run by run) on {@code progress}. */
    public static List<Result> run(Options o, PrintStream out, PrintStream progress) throws Exception {
        String classPath = edgeClassPath(o.distribution());
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "bench edge-footprint reads /proc: Linux only");
        }
        List<Result> results = new ArrayList<>();
        for (Run r : o.runs()) {
            progress.printf("bench edge-footprint: %d device%s x %.0f Hz in -Xmx%dm (commissioning %d readings, %d s warm-up, "
                            + "%d s measured)...%n", r.devices(), r.devices() == 1 ? "" : "s", r.rate(), r.heapMb(),
                    o.commissioning(), o.warmupSeconds(), o.seconds());
            results.add(measure(r, o, classPath, progress));
        }
        out.println();
        out.printf("%8s %6s %6s %10s %12s %10s %10s %10s %8s%n", "devices", "Hz", "heap", "CPU/core", "CPU/device",
                "RSS max", "RSS end", "windows/s", "OOM");
        for (Result x : results) {
            out.printf("%8d %6.0f %5dm %9.2f%% %11.3f%% %8.1f MB %7.1f MB %10.1f %8s%n", x.devices(), x.rate(), x.heapMb(),
                    100 * x.cpuShareOfCore(), 100 * x.cpuPerDevice(), x.rssMbMax(), x.rssMbEnd(), x.windowsPerSecond(),
                    x.outOfMemory() ? "yes" : "no");
        }
        byte[] json = Wire.encode(results);
        out.println(new String(json, StandardCharsets.UTF_8));
        if (o.report() != null) {
            Files.write(o.report(), json);
        }
        return results;
    }

    private static Result measure(Run r, Options o, String classPath, PrintStream out) throws Exception {
        LocalFleetOptions fo = LocalFleetOptions.builder().devices(r.devices()).secured(false).edge(false)
                .rate(r.rate()).commissioning(o.commissioning()).site("footprint").build();
        Path state = Files.createTempDirectory("tandem-footprint");
        try (LocalFleet fleet = LocalFleet.start(fo)) {
            Path hubKey = state.resolve("hub.pub");
            fleet.hub().orElseThrow().publicKey().save(hubKey);
            List<String> cmd = new ArrayList<>(List.of(AgentProcess.java()));
            cmd.addAll(jvmFlags(o.distribution()));
            cmd.add("-Xmx" + r.heapMb() + "m");
            cmd.addAll(List.of("-cp", classPath, "dev.tandem.sim.cli.EdgeCli", "edge", "--insecure",
                    "--broker", fleet.brokerUrl(), "--site", fleet.site(), "--hub-key", hubKey.toString(),
                    "--state-dir", state.resolve("edge").toString(), "--commissioning", String.valueOf(o.commissioning()),
                    "--status-every", "5"));
            for (String d : fleet.deviceIds()) {
                cmd.add("--device");
                cmd.add(d);
            }
            AgentProcess agent = AgentProcess.start(cmd);
            try {
                Duration bound = Duration.ofSeconds(60 + 3L * o.commissioning() / (long) Math.max(1, r.rate()));
                if (!agent.awaitModels(r.devices(), bound)) {
                    Process p = agent.process();
                    throw new TandemException(ErrorCode.INTERNAL_ERROR, "only " + agent.modelsActive() + " of "
                            + r.devices() + " devices got their model" + (p.isAlive() ? "" : " (the agent exited "
                            + p.exitValue() + (agent.outOfMemory() ? ", out of memory" : "") + ")"));
                }
                out.printf("bench edge-footprint: %d devices detecting; warming up %d s%n", r.devices(), o.warmupSeconds());
                Thread.sleep(o.warmupSeconds() * 1000L);
                long pid = agent.process().pid();
                long t0 = System.nanoTime();
                long cpu0 = cpuTicks(pid);
                long w0 = agent.windows();
                double rssMax = 0;
                double rss = 0;
                for (int s = 0; s < o.seconds() && agent.process().isAlive(); s++) {
                    Thread.sleep(1000);
                    rss = rssMb(pid);
                    rssMax = Math.max(rssMax, rss);
                }
                long cpu1 = cpuTicks(pid);
                double wall = (System.nanoTime() - t0) / 1e9;
                long w1 = agent.windows();
                double share = (cpu1 - cpu0) / TICKS_PER_SECOND / wall;
                return new Result(r.devices(), r.rate(), r.heapMb(), o.seconds(), share, share / r.devices(), rssMax, rss,
                        w1 - w0, (w1 - w0) / wall, agent.outOfMemory());
            } finally {
                agent.stop(Duration.ofSeconds(20));
            }
        } finally {
            AgentProcess.deleteTree(state);
        }
    }

    /**
     * The edge's JVM settings: {@code edge-jvm.args} of the distribution (as {@code ./tandem edge} uses
     * them), or {@code TANDEM_EDGE_JAVA_OPTS} where set; the run's heap is added after them (the last
     * {@code -Xmx} wins).
     */
    static List<String> jvmFlags(Path distribution) throws IOException {
        String env = System.getenv("TANDEM_EDGE_JAVA_OPTS");
        if (env != null && !env.isBlank()) {
            return List.of(env.trim().split("\\s+"));
        }
        Path args = distribution.resolve("edge-jvm.args");
        if (!Files.isRegularFile(args)) {
            return List.of();
        }
        return Files.readAllLines(args).stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /** utime + stime of a process, in clock ticks. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        // the command name (field 2) may hold spaces: the fields after it start past its ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the whole line
    }

    /** The resident set of a process in MB (VmRSS). */
    static double rssMb(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return 0;
    }
}
