package dev.tandem.sim.bench;

import dev.tandem.edge.uplink.FsyncPolicy;
import dev.tandem.edge.uplink.MessageClass;
import dev.tandem.edge.uplink.Outbox;
import dev.tandem.edge.uplink.OutboxSettings;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The edge's durable outbox on this machine's disk, through the production {@link Outbox}: durable
 * appends per second for each fsync policy (from the first offer until the last record is forced to
 * the disk), and the time to replay a log of many records when an agent starts.
 */
public final class OutboxBench {
    public static final int DEFAULT_MESSAGES = 200_000;
    public static final int DEFAULT_ALWAYS_MESSAGES = 2_000;
    public static final int DEFAULT_REPLAY_MESSAGES = 1_000_000;
    public static final int DEFAULT_PAYLOAD_BYTES = 200;

    /** What to measure. */
    public record Options(int messages, int alwaysMessages, int replayMessages, int payloadBytes, Path dir, Path report) {
    }

    private OutboxBench() {
    }

    public static Map<String, Object> run(Options o, PrintStream out) throws Exception {
        return run(o, out, out);
    }

    /** Prints the table and the JSON on {@code out}, and where it runs on {@code progress}. */
    public static Map<String, Object> run(Options o, PrintStream out, PrintStream progress) throws Exception {
        Path base = o.dir() == null ? Files.createTempDirectory("tandem-outbox-bench") : Files.createDirectories(o.dir());
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            byte[] payload = new byte[o.payloadBytes()];
            java.util.Arrays.fill(payload, (byte) 'x');
            progress.printf("outbox bench in %s, %d-byte payloads%n", base, o.payloadBytes());
            out.printf("%-34s %12s %12s %14s%n", "run", "messages", "seconds", "messages/s");
            progress.printf("outbox phase 1/3: %d appends, fsync in batches%n", o.messages());
            double batch = append(base.resolve("batch"), FsyncPolicy.BATCH, o.messages(), payload);
            out.printf("%-34s %12d %12.2f %14.0f%n", "append, fsync batch (100 ms/1 MiB)", o.messages(),
                    o.messages() / batch, batch);
            progress.printf("outbox phase 2/3: %d appends, fsync every record%n", o.alwaysMessages());
            double always = append(base.resolve("always"), FsyncPolicy.ALWAYS, o.alwaysMessages(), payload);
            out.printf("%-34s %12d %12.2f %14.0f%n", "append, fsync every record", o.alwaysMessages(),
                    o.alwaysMessages() / always, always);
            progress.printf("outbox phase 3/3: %d records appended, then replayed as at a start%n", o.replayMessages());
            Path replayDir = base.resolve("replay");
            append(replayDir, FsyncPolicy.BATCH, o.replayMessages(), payload);
            long t0 = System.nanoTime();
            Outbox replayed = Outbox.open(replayDir, Integer.MAX_VALUE, 128, settings(FsyncPolicy.BATCH), Runnable::run,
                    (c, r) -> { });
            double replaySeconds = (System.nanoTime() - t0) / 1e9;
            long count = replayed.stats().replayed();
            replayed.close(10_000);
            out.printf("%-34s %12d %12.2f %14.0f%n", "replay at start", count, replaySeconds, count / replaySeconds);
            result.put("payloadBytes", o.payloadBytes());
            result.put("appendBatchPerSecond", Math.round(batch));
            result.put("appendAlwaysPerSecond", Math.round(always));
            result.put("replayMessages", count);
            result.put("replaySeconds", Math.round(replaySeconds * 1000) / 1000.0);
            String json = Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result);
            out.println(json);
            if (o.report() != null) {
                Files.writeString(o.report(), json);
            }
            return result;
        } finally {
            if (o.dir() == null) {
                deleteTree(base);
            }
        }
    }

    private static OutboxSettings settings(FsyncPolicy policy) {
        return OutboxSettings.defaults().withBudget(MessageClass.ESCALATION, Long.MAX_VALUE / 2)
                .withFsync(MessageClass.ESCALATION, policy);
    }

    /** Durable appends per second: offers on the owner thread, then the close that forces the last batch. */
    private static double append(Path dir, FsyncPolicy policy, int n, byte[] payload) throws Exception {
        ExecutorService owner = Executors.newSingleThreadExecutor();
        try {
            String topic = Topics.of("bench", "d1", Topics.Kind.ESCALATIONS);
            Outbox box = owner.submit(() -> Outbox.open(dir, Integer.MAX_VALUE, 128, settings(policy), owner,
                    (c, r) -> { })).get();
            long t0 = System.nanoTime();
            owner.submit(() -> {
                for (int i = 0; i < n; i++) {
                    box.offer(MessageClass.ESCALATION, topic, payload, false);
                }
            }).get();
            box.close(600_000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (box.stats().droppedTotal() != 0) {
                throw new IllegalStateException("the bench outbox dropped messages: " + box.stats().droppedSummary());
            }
            return n / seconds;
        } finally {
            owner.shutdown();
            owner.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
