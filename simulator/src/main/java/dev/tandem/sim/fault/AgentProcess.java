package dev.tandem.sim.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One run of {@code tandem edge} in a process of its own, its status lines ({@code edge: connected ... |
 * windows N | onsets N | ... dropped ... |}) read as they come: for the power-cut suite and the
 * edge-footprint benchmark.
 */
public final class AgentProcess {
    private static final Pattern WINDOWS = Pattern.compile("\\| windows (\\d+) \\|");
    private static final Pattern ONSETS = Pattern.compile("\\| onsets (\\d+) \\|");
    private static final Pattern DROPPED = Pattern.compile("dropped (.+?) \\|");
    private static final Pattern MODELS = Pattern.compile("=tiny-");
    private static final int KEPT_LINES = 200;

    private final Process process;
    private final long startedNanos = System.nanoTime();
    private final AtomicLong firstWindowsNanos = new AtomicLong(-1);
    private final AtomicLong windows = new AtomicLong();
    private final AtomicLong onsets = new AtomicLong();
    private final AtomicLong modelsActive = new AtomicLong();
    private final AtomicReference<String> drops = new AtomicReference<>("none");
    private final AtomicBoolean outOfMemory = new AtomicBoolean();
    private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

    private AgentProcess(Process process) {
        this.process = process;
    }

    /** The java executable of this JVM, to start the agent with. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Starts {@code command} (stderr merged into stdout) and reads its lines on a daemon thread. */
    public static AgentProcess start(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        AgentProcess a = new AgentProcess(p);
        Thread reader = new Thread(a::read, "edge-agent-output-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        return a;
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                if (lines.size() > KEPT_LINES) {
                    lines.remove(0);
                }
                lines.add(l);
                if (l.contains("OutOfMemoryError")) {
                    outOfMemory.set(true);
                }
                Matcher o = ONSETS.matcher(l);
                if (o.find()) {
                    onsets.set(Long.parseLong(o.group(1)));
                }
                Matcher w = WINDOWS.matcher(l);
                if (w.find()) {
                    windows.set(Long.parseLong(w.group(1)));
                    modelsActive.set(MODELS.matcher(l).results().count());
                    if (windows.get() > 0) {
                        firstWindowsNanos.compareAndSet(-1, System.nanoTime());
                        Matcher d = DROPPED.matcher(l);
                        if (d.find()) {
                            drops.set(d.group(1));
                        }
                    }
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    public Process process() {
        return process;
    }

    /** Windows scored, as the newest status line counts them. */
    public long windows() {
        return windows.get();
    }

    /** Onsets raised, as the newest status line counts them. */
    public long onsets() {
        return onsets.get();
    }

    /** Devices the newest status line shows with a model. */
    public long modelsActive() {
        return modelsActive.get();
    }

    /** The drops the newest status line with scored windows shows ({@code class/reason=N ...}, or {@code none}). */
    public String drops() {
        return drops.get();
    }

    public boolean outOfMemory() {
        return outOfMemory.get();
    }

    /** Whether a line the process printed (among the last kept) starts with {@code prefix}. */
    public boolean printed(String prefix) {
        synchronized (lines) {
            return lines.stream().anyMatch(l -> l.startsWith(prefix));
        }
    }

    /** Milliseconds from the start to the first scored windows, or -1 after {@code bound}. */
    public long awaitWindows(Duration bound) throws InterruptedException {
        long deadline = startedNanos + bound.toNanos();
        while (System.nanoTime() < deadline && process.isAlive() && firstWindowsNanos.get() < 0) {
            Thread.sleep(50);
        }
        long at = firstWindowsNanos.get();
        return at >= 0 ? (at - startedNanos) / 1_000_000 : -1;
    }

    /** Waits until the status counts more than {@code before} onsets, at most {@code bound}. */
    public void awaitOnsetsAbove(long before, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (onsets.get() <= before && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Waits until the status shows {@code n} devices with a model, at most {@code bound}; false if not. */
    public boolean awaitModels(long n, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (modelsActive.get() < n && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return modelsActive.get() >= n;
    }

    /** SIGTERM, then the exit status within {@code bound} (-1: it did not end, and was killed). */
    public int stop(Duration bound) throws InterruptedException {
        process.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
        int exit = process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        kill();
        return exit;
    }

    /** SIGKILL, as a power cut. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** The last 30 lines it printed. */
    public String tail() {
        synchronized (lines) {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }
    }

    /** Deletes a temporary directory, quietly. */
    public static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
