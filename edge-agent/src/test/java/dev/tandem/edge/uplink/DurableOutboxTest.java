package dev.tandem.edge.uplink;

import dev.tandem.edge.TestWait;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class DurableOutboxTest {
    private static final Executor DIRECT = Runnable::run;
    private static final String ALARMS = Topics.of("s", "d", Topics.Kind.ALARMS);
    private static final String ESCALATIONS = Topics.of("s", "d", Topics.Kind.ESCALATIONS);
    private static final String COMMISSIONING = Topics.of("s", "d", Topics.Kind.COMMISSIONING);

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Outbox open(Path dir, OutboxSettings settings) {
        return Outbox.open(dir, 10_000, 8, settings, DIRECT, (c, r) -> { });
    }

    private static List<String> payloads(Outbox o) {
        return o.queued().stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void reopen_afterARestart_replaysEverything_alarmsFirst_thenEscalations_thenReadings() {
        Outbox o = open(dir, OutboxSettings.defaults());
        o.offer(COMMISSIONING, utf8("r1"), false);
        o.offer(ESCALATIONS, utf8("e1"), false);
        o.offer(ALARMS, utf8("a1"), false);
        o.offer(ESCALATIONS, utf8("e2"), false);
        o.offer(Topics.of("s", "d", Topics.Kind.MODEL_STATE), utf8("a2"), true);
        assertTrue(o.durable());
        o.close(5_000);

        Outbox again = open(dir, OutboxSettings.defaults());
        assertEquals(List.of("a1", "a2", "e1", "e2", "r1"), payloads(again));
        assertEquals(5, again.stats().replayed());
        assertTrue(again.queued().get(1).retain(), "the retain flag survives");
        again.close(5_000);
    }

    @Test
    void budget_whenReadingsOverflow_dropsTheOldestReadings_countedByClassAndReason() {
        Outbox o = open(dir, OutboxSettings.defaults().withBudget(MessageClass.READINGS, 10));
        for (int i = 0; i < 5; i++) {
            o.offer(COMMISSIONING, utf8("rr" + i), false); // 3 bytes each: 3 fit in 10
        }
        o.offer(ALARMS, utf8("alarm"), false);
        assertEquals(List.of("alarm", "rr2", "rr3", "rr4"), payloads(o));
        OutboxStats s = o.stats();
        assertEquals(2, s.dropped(MessageClass.READINGS, DropReason.BUDGET));
        assertEquals(0, s.dropped(MessageClass.ALARM, DropReason.BUDGET));
        assertEquals("readings/budget=2", s.droppedSummary());
        o.close(5_000);
        assertEquals(List.of("alarm", "rr2", "rr3", "rr4"), payloads(open(dir, OutboxSettings.defaults())),
                "dropped messages do not come back after a restart");
    }

    @Test
    void capacity_whenFull_dropsFromTheLowestClassFirst() {
        Outbox o = Outbox.open(null, 3, 8, OutboxSettings.defaults(), DIRECT, (c, r) -> { });
        o.offer(ALARMS, utf8("a1"), false);
        o.offer(COMMISSIONING, utf8("r1"), false);
        o.offer(ESCALATIONS, utf8("e1"), false);
        o.offer(ALARMS, utf8("a2"), false);
        o.offer(ESCALATIONS, utf8("e2"), false);
        assertEquals(List.of("a1", "a2", "e2"), payloads(o));
        assertEquals(1, o.stats().dropped(MessageClass.READINGS, DropReason.CAPACITY));
        assertEquals(1, o.stats().dropped(MessageClass.ESCALATION, DropReason.CAPACITY));
        assertFalse(o.durable(), "no directory: in memory");
        assertFalse(o.stats().degraded(), "in memory by choice is not degraded");
    }

    @Test
    void open_onAReadOnlyFileSystem_degradesToMemory_withAFlag_neverThrows() {
        Path readOnly = Path.of("/proc/self/tandem-outbox");
        Outbox o = open(readOnly, OutboxSettings.defaults());
        assertTrue(o.stats().degraded());
        assertFalse(o.durable());
        o.offer(ALARMS, utf8("a1"), false);
        assertEquals(List.of("a1"), payloads(o), "alarms are still held (in memory) and sendable");
        o.close(1_000);
    }

    @Test
    void append_whenTheDiskIsFull_degradesToMemory_keepsTheMessages() throws Exception {
        Path alarms = dir.resolve("alarm");
        Files.createDirectories(alarms);
        // the first segment the alarm log opens is a device that is always full
        Files.createSymbolicLink(alarms.resolve(String.format("%020d.seg", 0)), Path.of("/dev/full"));
        Outbox o = open(dir, OutboxSettings.defaults());
        assertTrue(o.durable());
        o.offer(ALARMS, utf8("a1"), false);
        o.offer(ESCALATIONS, utf8("e1"), false);
        o.awaitDisk();
        assertTrue(o.stats().degraded(), "ENOSPC degrades the outbox");
        assertFalse(o.durable());
        assertEquals(List.of("a1", "e1"), payloads(o));
        o.offer(ALARMS, utf8("a2"), false);
        assertEquals(List.of("a1", "a2", "e1"), payloads(o));
        o.close(1_000);
    }

    @Test
    void acknowledged_messagesAreNotReplayed_theRestAre(Vertx vertx) throws Exception {
        int n = 500;
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            Context ctx = vertx.getOrCreateContext();
            AtomicReference<Outbox> box = new AtomicReference<>();
            VertxTestContext attached = new VertxTestContext();
            vertx.executeBlocking(() -> Outbox.open(dir, 10_000, 8, OutboxSettings.defaults(),
                    r -> ctx.runOnContext(v -> r.run()), (c, r) -> { })).onSuccess(o -> ctx.runOnContext(v -> {
                box.set(o);
                for (int i = 0; i < n; i++) {
                    o.offer(i % 2 == 0 ? ALARMS : ESCALATIONS, utf8("m" + i), false);
                }
                MqttClient pub = MqttClient.create(vertx, new MqttClientOptions().setClientId("pub").setMaxInflightQueue(8));
                pub.connect(broker.address().port(), "127.0.0.1").onSuccess(c -> {
                    o.attach(pub);
                    attached.completeNow();
                }).onFailure(attached::failNow);
            })).onFailure(attached::failNow);
            TestWait.await(attached, Duration.ofSeconds(10), "outbox attached");
            TestWait.until(vertx, () -> box.get().acked() == n, Duration.ofSeconds(20), "every PUBACK");
            Outbox o = box.get();
            ctx.runOnContext(v -> o.detach());
            TestWait.until(vertx, () -> !o.attached(), Duration.ofSeconds(5), "detached");
            ctx.runOnContext(v -> {
                o.offer(ALARMS, utf8("late-alarm"), false);
                o.offer(COMMISSIONING, utf8("late-readings"), false);
            });
            TestWait.until(vertx, () -> o.size() == 2, Duration.ofSeconds(5), "two more queued");
            vertx.executeBlocking(() -> {
                o.close(5_000);
                return null;
            }).toCompletionStage().toCompletableFuture().get();
        }
        Outbox again = open(dir, OutboxSettings.defaults());
        assertEquals(List.of("late-alarm", "late-readings"), payloads(again));
    }

    @Test
    void aSecondOutboxOnTheSameDirectory_runsInMemory_neverCorruptsTheFirst() {
        Outbox first = open(dir, OutboxSettings.defaults());
        Outbox second = open(dir, OutboxSettings.defaults());
        assertTrue(first.durable());
        assertFalse(second.durable());
        assertTrue(second.stats().degraded());
        first.offer(ALARMS, utf8("a1"), false);
        second.offer(ALARMS, utf8("not-on-disk"), false);
        first.close(5_000);
        second.close(5_000);
        assertEquals(List.of("a1"), payloads(open(dir, OutboxSettings.defaults())));
    }

    @Test
    void aCrashWithoutClose_stillReplaysEveryAlarmThatWasReleasedForSending() {
        Outbox o = open(dir, OutboxSettings.defaults());
        for (int i = 0; i < 50; i++) {
            o.offer(ALARMS, utf8("a" + i), false);
        }
        o.awaitDisk(); // each alarm is sendable only once forced to the disk
        // no close: the process dies here (its I/O thread is a daemon); the next start reads the same files
        Path copy = dir.resolveSibling(dir.getFileName() + "-after-crash");
        copyTree(dir, copy);
        Outbox after = open(copy, OutboxSettings.defaults());
        assertEquals(50, after.stats().replayed());
        assertEquals("a0", payloads(after).get(0));
        o.close(1_000);
        after.close(1_000);
    }

    private static void copyTree(Path from, Path to) {
        try (java.util.stream.Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().equals("lock")) {
                    continue;
                }
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
