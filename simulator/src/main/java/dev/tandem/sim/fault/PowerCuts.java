package dev.tandem.sim.fault;

import dev.tandem.edge.uplink.MessageClass;
import dev.tandem.edge.uplink.Outbox;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.cli.TandemCli;
import dev.tandem.sim.factory.Fault;
import dev.tandem.sim.fleet.LocalFleet;
import dev.tandem.sim.fleet.LocalFleetOptions;
import dev.tandem.sim.netfault.FaultProxy;
import dev.tandem.sim.netfault.NetworkFault;
import dev.tandem.sim.provision.SiteLayout;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Power cuts of an edge agent: a line streams into a broker and a hub (a {@link LocalFleet} without
 * agents), and the production agent ({@code ./tandem edge}, in a process of its own) is killed with
 * SIGKILL at random points and started again on the same state directory, {@code cuts} times. Before
 * each restart, as a power loss would, the tail of an unsynced outbox segment (readings, escalations)
 * may be cut or corrupted at a random offset; synced records (alarms, model states) are never touched,
 * since a power cut cannot undo an fsync. A SIGKILL keeps the page cache, so it tests the replay, not
 * fsync itself.
 *
 * <p>Checked: every alarm the agent had on its disk when it was killed reaches the broker after a
 * restart (none lost), the agent detects again after every restart (windows scored, measured from the
 * process start), and what it dropped is counted in its status. Used by the fault suite in
 * {@code mvn verify} (20 cuts) and by {@code ./tandem sim scenario power-cuts --cuts N}.
 */
public final class PowerCuts {

    /**
     * @param cuts        SIGKILLs of the agent
     * @param upMin       shortest time the agent runs between two cuts
     * @param upMax       longest
     * @param corruptShare share of cuts after which an unsynced segment tail is cut or corrupted
     * @param detectBound longest wait for the agent to score windows again after a restart
     * @param hubEvery    every this many cuts the hub is killed too (as a process that dies) and started again,
     *                    with its store and persistent session; 0: never
     */
    public record Options(int cuts, long seed, LocalFleetOptions.BrokerKind broker, Duration upMin, Duration upMax,
                          double corruptShare, Duration detectBound, int hubEvery) {
        public static final int MAX_CUTS = 10_000;

        public Options {
            if (cuts < 1 || cuts > MAX_CUTS) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "--cuts must be in [1, " + MAX_CUTS + "], got " + cuts);
            }
            if (upMin.isNegative() || upMin.isZero() || upMax.compareTo(upMin) < 0) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "the agent's up time between cuts must be > 0, min <= max");
            }
            if (!(corruptShare >= 0 && corruptShare <= 1)) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "corruptShare must be in [0, 1], got " + corruptShare);
            }
            if (hubEvery < 0) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "hubEvery must be >= 0, got " + hubEvery);
            }
        }

        public static Options of(int cuts) {
            return new Options(cuts, 42, LocalFleetOptions.BrokerKind.MOSQUITTO, Duration.ofMillis(1500),
                    Duration.ofMillis(4000), 0.5, Duration.ofSeconds(60), 5);
        }
    }

    /**
     * What the cuts did.
     *
     * @param cutsOffline     cuts that came while the agent's uplink was down (what it raised waited on its disk)
     * @param detectMs        per restart, milliseconds from the process start to its first scored windows (-1: never)
     * @param pendingAlarms   alarms found on the agent's disk at the cuts (distinct)
     * @param lostAlarms      of those, how many never reached the broker
     * @param corruptions     segment tails cut or corrupted
     * @param drops           what the agent counted as dropped, by {@code class/reason}, summed over its runs (each
     *                        run's last status line; e.g. {@code readings/corrupt} for records a cut tail broke)
     * @param exitAfterSigterm the last run's exit status after SIGTERM (143, as for any JVM a SIGTERM ends; -1: it hung)
     * @param stoppedCleanly  the last run finished its shutdown (outbox drained, OFFLINE published: its "stopped" line)
     * @param hubRestarts     times the hub was killed and started again
     * @param hubReadyMs      per hub restart, milliseconds until it held the device's models again (from its store;
     *                        -1: not within the detect bound)
     * @param verdictsAfterRestarts verdicts the restarted hubs sent (the escalations they answered)
     */
    public record Report(int cuts, int cutsOffline, List<Long> detectMs, long detectMsMax, long detectMsMedian, int deafRestarts,
                         int pendingAlarms, int lostAlarms, int alarmsSeen, int corruptions, java.util.Map<String, Long> drops,
                         int exitAfterSigterm, boolean stoppedCleanly, int hubRestarts, List<Long> hubReadyMs,
                         long verdictsAfterRestarts) {
        public boolean succeeded() {
            return deafRestarts == 0 && lostAlarms == 0 && stoppedCleanly && hubReadyMs.stream().allMatch(ms -> ms >= 0);
        }
    }

    private final Options options;
    private final PrintStream out;
    private final Random random;

    public PowerCuts(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.random = new Random(options.seed());
    }

    public Report run() throws Exception {
        LocalFleetOptions fo = LocalFleetOptions.builder().devices(1).edge(false).secured(true)
                .broker(options.broker()).seed(options.seed()).site("cuts").hubKeepsState(options.hubEvery() > 0).build();
        Path state = Files.createTempDirectory("tandem-cuts-edge");
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try (LocalFleet fleet = LocalFleet.start(fo); FaultProxy proxy = FaultProxy.start(vertx, fleet.broker())) {
            String device = fleet.deviceIds().get(0);
            SiteLayout layout = fleet.siteLayout().orElseThrow();
            List<String> command = List.of(AgentProcess.java(), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), TandemCli.class.getName(), "edge",
                    "--broker", proxy.address().url(), "--site", fleet.site(), "--device", device,
                    "--credentials", layout.credentials("agent-" + device).toString(),
                    "--hub-key", layout.hubPublicKey().toString(), "--state-dir", state.toString(),
                    "--commissioning", String.valueOf(fo.commissioning()), "--status-every", "1");
            out.printf("power-cuts: %d cuts of the edge agent of %s on %s (state %s)%n", options.cuts(), device,
                    fleet.brokerUrl(), state);
            AgentProcess agent = AgentProcess.start(command);
            long first = agent.awaitWindows(Duration.ofSeconds(180));
            if (first < 0) {
                throw new TandemException(ErrorCode.INTERNAL_ERROR, "the agent never scored a window: "
                        + agent.tail());
            }
            List<Long> detect = new ArrayList<>();
            Set<Alarm> pending = new HashSet<>();
            int corruptions = 0;
            int outages = 0;
            java.util.Map<String, Long> drops = new java.util.TreeMap<>();
            List<Long> hubReady = new ArrayList<>();
            long verdictsAfter = 0;
            for (int cut = 1; cut <= options.cuts(); cut++) {
                // every third cut comes while what the agent sends is lost (its readings still come), so that what it raised waits on its disk
                boolean offline = cut % 3 == 0;
                long onsetsBefore = agent.onsets();
                FaultProxy.Active outage = offline ? proxy.apply(NetworkFault.of(NetworkFault.Kind.UPLINK_STALL),
                        id -> true, "uplink down before cut " + cut) : null;
                if (offline || random.nextDouble() < 0.6) {
                    fleet.device(device).inject(Fault.levelShift("motor_current", 8 + random.nextInt(20))
                            .lasting(Duration.ofMillis(2000 + random.nextInt(8000))));
                }
                long up = options.upMin().toMillis()
                        + (long) (random.nextDouble() * (options.upMax().toMillis() - options.upMin().toMillis()));
                Thread.sleep(up);
                if (offline) {
                    // under load the agent may still be scoring the readings queued while it was down: wait
                    // (bounded) until it has raised an alarm the stalled uplink keeps on its disk
                    agent.awaitOnsetsAbove(onsetsBefore, Duration.ofSeconds(20));
                }
                agent.kill();
                if (options.hubEvery() > 0 && cut % options.hubEvery() == 0) {
                    // the hub dies too: the one restarted finds the device's models in its store and what the
                    // broker queued for its session
                    if (!hubReady.isEmpty()) { // a restarted one: what it answered
                        verdictsAfter += fleet.hub().orElseThrow().metrics().snapshot().verdictsSent();
                    }
                    long t0 = System.nanoTime();
                    dev.tandem.hub.CloudHub hub = fleet.restartHub();
                    dev.tandem.hub.fleet.DeviceId id = new dev.tandem.hub.fleet.DeviceId(fleet.site(), device);
                    long bound = System.nanoTime() + options.detectBound().toNanos();
                    while (hub.fleet().models(id).isEmpty() && System.nanoTime() < bound) {
                        Thread.sleep(50);
                    }
                    long ms = hub.fleet().models(id).isPresent() ? (System.nanoTime() - t0) / 1_000_000 : -1;
                    hubReady.add(ms);
                    out.printf("power-cuts: cut %d: the hub killed and restarted; it holds the device's models again "
                            + "after %s%n", cut, ms < 0 ? "never" : ms + " ms");
                }
                if (outage != null) {
                    outage.lift();
                    outages++;
                }
                pending.addAll(pendingAlarms(state));
                if (random.nextDouble() < options.corruptShare() && cutUnsyncedTail(state)) {
                    corruptions++;
                }
                agent = AgentProcess.start(command);
                long ms = agent.awaitWindows(options.detectBound());
                detect.add(ms);
                out.printf("power-cuts: cut %d/%d after %d ms up; detecting again after %s%n", cut, options.cuts(), up,
                        ms < 0 ? "never (" + options.detectBound().toSeconds() + " s)" : ms + " ms");
                if (ms < 0) {
                    break;
                }
            }
            Thread.sleep(2000);
            int exit = agent.stop(Duration.ofSeconds(45)); // SIGTERM: the agent drains its outbox and stops
            addDrops(drops, agent.drops());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Set<Alarm> seen;
            while (true) {
                seen = new HashSet<>(fleet.alarms());
                if (seen.containsAll(pending) || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(200);
            }
            int lost = 0;
            for (Alarm a : pending) {
                if (!seen.contains(a)) {
                    lost++;
                    out.println("power-cuts: LOST " + a);
                }
            }
            List<Long> sorted = detect.stream().filter(x -> x >= 0).sorted().toList();
            int deaf = (int) detect.stream().filter(x -> x < 0).count();
            return new Report(options.cuts(), outages, List.copyOf(detect), sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1),
                    sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2), deaf, pending.size(), lost, seen.size(),
                    corruptions, drops, exit, (exit == 0 || exit == 143)
                            && agent.printed("edge: stopped"), hubReady.size(), List.copyOf(hubReady),
                    hubReady.isEmpty() ? 0 : verdictsAfter + fleet.hub().orElseThrow().metrics().snapshot().verdictsSent());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            AgentProcess.deleteTree(state);
        }
    }

    private static void addDrops(java.util.Map<String, Long> into, String summary) {
        if (summary == null || summary.equals("none")) {
            return;
        }
        for (String part : summary.trim().split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                try {
                    into.merge(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)), Long::sum);
                } catch (NumberFormatException ignored) {
                    // not a count
                }
            }
        }
    }

    /** The alarms (not model states, which share their class) waiting on the agent's disk. */
    static List<Alarm> pendingAlarms(Path state) throws IOException {
        List<Alarm> out = new ArrayList<>();
        for (Path dir : outboxDirs(state)) {
            for (Outbox.Message m : Outbox.pendingOnDisk(dir, MessageClass.ALARM)) {
                if (m.topic().endsWith("/alarms")) {
                    out.add(Wire.decode(m.payload(), Alarm.class));
                }
            }
        }
        return out;
    }

    /** Cuts (or corrupts) the newest readings or escalation segment at a random offset; false if none. */
    private boolean cutUnsyncedTail(Path state) throws IOException {
        List<Path> segments = new ArrayList<>();
        for (Path dir : outboxDirs(state)) {
            for (MessageClass c : new MessageClass[]{MessageClass.READINGS, MessageClass.ESCALATION}) {
                Path d = dir.resolve(c.label());
                if (Files.isDirectory(d)) {
                    try (Stream<Path> s = Files.list(d)) {
                        s.filter(p -> p.toString().endsWith(".seg")).sorted().reduce((a, b) -> b)
                                .filter(p -> p.toFile().length() > 16).ifPresent(segments::add);
                    }
                }
            }
        }
        if (segments.isEmpty()) {
            return false;
        }
        Path seg = segments.get(random.nextInt(segments.size()));
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            long at = (long) (random.nextDouble() * f.length());
            if (random.nextBoolean()) {
                f.setLength(at); // a torn write
            } else {
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0x5A); // a bit rot in what was never synced
            }
        }
        return true;
    }

    private static List<Path> outboxDirs(Path state) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(state)) {
            s.filter(p -> p.getFileName().toString().equals(MessageClass.ALARM.label()) && Files.isDirectory(p))
                    .forEach(p -> out.add(p.getParent()));
        }
        return out;
    }
}
