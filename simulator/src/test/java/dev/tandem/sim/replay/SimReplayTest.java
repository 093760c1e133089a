package dev.tandem.sim.replay;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Wire;
import dev.tandem.sim.cli.TandemCliProbe;
import dev.tandem.sim.eval.CsvFormat;
import dev.tandem.sim.eval.SkabCsvLoader;
import dev.tandem.sim.eval.SkabFile;
import dev.tandem.sim.factory.TruthEvent;
import dev.tandem.sim.score.JsonLines;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sim replay} on small synthetic files the test writes (SKAB's format and a plain CSV). */
class SimReplayTest {
    /** A SKAB-format file: {@code rows} rows a second apart, rows [from, to) labelled anomalous. */
    static Path skabFile(Path dir, String name, int rows, int from, int to) throws Exception {
        StringBuilder b = new StringBuilder("datetime;Accelerometer1RMS;Pressure;anomaly;changepoint\n");
        Instant t0 = Instant.parse("2020-03-09T10:00:00Z");
        for (int i = 0; i < rows; i++) {
            String ts = t0.plusSeconds(i).toString().replace('T', ' ').replace("Z", "");
            boolean a = i >= from && i < to;
            b.append(ts).append(';').append(0.2 + (i % 7) * 0.01).append(';').append(a ? 3.5 : 1.0).append(';')
                    .append(a ? "1.0" : "0.0").append(';').append(i == from ? 1 : 0).append('\n');
        }
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(name), b.toString());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void skabReplay_atMaxSpeed_publishesEveryRowInOrder_andWritesTheTruthOfTheTestRows(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        skabFile(data.resolve("valve"), "1.csv", 500, 450, 470);
        skabFile(data.resolve("valve"), "2.csv", 450, 420, 430);
        Files.writeString(data.resolve("valve").resolve("2.csv"), "not;a;row;at;all\n", java.nio.file.StandardOpenOption.APPEND);
        Path truth = dir.resolve("t.jsonl");
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            Vertx vertx = Vertx.vertx();
            Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
            Map<String, Long> lastSeq = new ConcurrentHashMap<>();
            AtomicInteger outOfOrder = new AtomicInteger();
            MqttClient sub = MqttClient.create(vertx, new MqttClientOptions().setClientId("replay-watcher"));
            sub.publishHandler(m -> {
                ReadingBatch batch = Wire.decode(m.payload().getBytes(), ReadingBatch.class);
                received.computeIfAbsent(batch.device(), d -> new AtomicInteger()).addAndGet(batch.samples().size());
                long seq = batch.samples().get(0).seq();
                Long before = lastSeq.put(batch.device(), seq);
                if (before != null && seq != before + 1) {
                    outOfOrder.incrementAndGet();
                }
            });
            sub.connect(broker.address().port(), broker.address().host())
                    .compose(ok -> sub.subscribe(Topics.allDevices(Topics.Kind.READINGS), MqttQoS.AT_LEAST_ONCE.value()))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

            var r = TandemCliProbe.run("sim", "replay", "--path", data.toString(), "--format", "skab", "--speed", "max",
                    "--broker", broker.url(), "--truth", truth.toString());
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("950 published of 950"), r.out());
            assertTrue(r.out().contains("bad rows skipped by the loader 1"), r.out());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (received.values().stream().mapToInt(AtomicInteger::get).sum() < 950 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(500, received.get("valve_1").get());
            assertEquals(450, received.get("valve_2").get());
            assertEquals(0, outOfOrder.get(), "each device's rows in order");
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        List<TruthEvent> t = JsonLines.read(truth, TruthEvent.class).values();
        TruthEvent observed = t.stream().filter(e -> e.isObserved() && e.device().equals("valve_1")).findFirst().orElseThrow();
        assertEquals(Instant.parse("2020-03-09T10:06:40Z"), observed.start(), "observed from row 400, after commissioning");
        TruthEvent run = t.stream().filter(e -> e.anomalous() && e.device().equals("valve_1")).findFirst().orElseThrow();
        assertEquals(Instant.parse("2020-03-09T10:07:30Z"), run.start());
        assertEquals(Instant.parse("2020-03-09T10:07:49Z"), run.end());
        assertEquals(ReplayPlan.LABELLED, run.kind());
        assertEquals(4, t.size(), "two observed spans and one labelled run per file");

        Path alarms = Files.writeString(dir.resolve("a.jsonl"),
                "{\"device\":\"valve_1\",\"ts\":\"2020-03-09T10:07:35Z\"}\n{\"device\":\"valve_2\",\"ts\":\"2020-03-09T10:06:50Z\"}\n");
        var score = TandemCliProbe.run("score", "--truth", truth.toString(), "--alarms", alarms.toString());
        assertEquals(0, score.exit(), score.out());
        assertTrue(score.out().contains("precision 0.500  recall 0.500"), score.out());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void csvReplay_paced_followsTheRecordedClockTimesTheSpeed(@TempDir Path dir) throws Exception {
        StringBuilder b = new StringBuilder("time,flow,temp,fault\n");
        for (int i = 0; i < 30; i++) {
            b.append(1_600_000_000 + i).append(',').append(10 + i % 3).append(',').append(40).append(',')
                    .append(i >= 25 ? 1 : 0).append('\n');
        }
        Path file = Files.writeString(dir.resolve("line-7.csv"), b.toString());
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            long t0 = System.nanoTime();
            var r = TandemCliProbe.run("sim", "replay", "--path", file.toString(), "--format", "csv", "--timestamp", "time",
                    "--channels", "temp,flow", "--label", "fault", "--commissioning", "10", "--speed", "10",
                    "--broker", broker.url(), "--truth", dir.resolve("t.jsonl").toString());
            double wall = (System.nanoTime() - t0) / 1e9;
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("30 published of 30"), r.out());
            assertTrue(wall >= 2.5, "29 recorded seconds at 10x are not sent faster than 2.9 s: " + wall);
        }
        List<TruthEvent> t = JsonLines.read(dir.resolve("t.jsonl"), TruthEvent.class).values();
        TruthEvent fault = t.stream().filter(TruthEvent::anomalous).findFirst().orElseThrow();
        assertEquals("line-7", fault.device());
        assertEquals(Instant.ofEpochSecond(1_600_000_025L), fault.start());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void awaitModels_holdsTheRowsAfterCommissioning_untilTheDevicesModelIsActive(@TempDir Path dir) throws Exception {
        StringBuilder b = new StringBuilder("t,v\n");
        for (int i = 0; i < 30; i++) {
            b.append(1_600_000_000 + i).append(',').append(i).append('\n');
        }
        Path file = Files.writeString(dir.resolve("m1.csv"), b.toString());
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            Vertx vertx = Vertx.vertx();
            AtomicInteger received = new AtomicInteger();
            MqttClient sub = MqttClient.create(vertx, new MqttClientOptions().setClientId("watcher"));
            sub.publishHandler(m -> received.incrementAndGet());
            sub.connect(broker.address().port(), broker.address().host())
                    .compose(ok -> sub.subscribe(Topics.allDevices(Topics.Kind.READINGS), 1))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            var run = java.util.concurrent.CompletableFuture.supplyAsync(() -> TandemCliProbe.run("sim", "replay",
                    "--path", file.toString(), "--format", "csv", "--timestamp", "t", "--commissioning", "10",
                    "--speed", "max", "--await-models", "30", "--broker", broker.url(),
                    "--truth", dir.resolve("t.jsonl").toString()));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (received.get() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(1000);
            assertEquals(10, received.get(), "only the commissioning rows before the model");
            sub.publish(Topics.of("plant", "m1", Topics.Kind.MODEL_STATE), io.vertx.core.buffer.Buffer.buffer(
                    Wire.encode(dev.tandem.shared.wire.ModelState.active("plant", "m1", "tiny-1"))), MqttQoS.AT_LEAST_ONCE,
                    false, false).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            var r = run.get(30, TimeUnit.SECONDS);
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("30 published of 30"), r.out());
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void csvLoader_badRowsAndBadHeaders_nameTheFileAndLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("m.csv"), """
                ts;a;b;label
                2021-01-01T00:00:00Z;1;2;0
                2021-01-01T00:00:01Z;x;2;0
                2021-01-01T00:00:02Z;1;2;0
                """);
        CsvFormat f = CsvFormat.csv("ts", List.of("b", "a"), "label");
        SkabFile loaded = new SkabCsvLoader(SkabCsvLoader.BadRows.SKIP, f).load(file, "m");
        assertEquals(List.of("b", "a"), loaded.channels(), "the channels in the order asked");
        assertEquals(2, loaded.rowCount());
        assertEquals(1, loaded.report().skippedRows());
        assertEquals(3, loaded.report().problems().get(0).line());
        TandemException strict = assertThrows(TandemException.class,
                () -> new SkabCsvLoader(SkabCsvLoader.BadRows.FAIL, f).load(file, "m"));
        assertTrue(strict.getMessage().startsWith(file + ":3: "), strict.getMessage());
        TandemException noColumn = assertThrows(TandemException.class,
                () -> new SkabCsvLoader(SkabCsvLoader.BadRows.SKIP, CsvFormat.csv("time", List.of(), null)).load(file, "m"));
        assertEquals(ErrorCode.MALFORMED_PAYLOAD, noColumn.code());
        assertTrue(noColumn.getMessage().contains(file + ":1: header has no 'time' column"), noColumn.getMessage());
        TandemException noLabel = assertThrows(TandemException.class,
                () -> new SkabCsvLoader(SkabCsvLoader.BadRows.SKIP, CsvFormat.csv("ts", List.of(), "anomaly")).load(file, "m"));
        assertTrue(noLabel.getMessage().contains("no label column 'anomaly'"), noLabel.getMessage());
    }

    @Test
    void replay_refusesNab_csvWithoutCommissioning_andLeavesOutBadFiles(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("d");
        skabFile(data, "good.csv", 420, 410, 415);
        Files.writeString(data.resolve("bad.csv"), "when;x\n2020-01-01 00:00:00;1\n");
        var nab = TandemCliProbe.run("sim", "replay", "--path", data.toString(), "--format", "nab");
        assertEquals(2, nab.exit());
        assertTrue(nab.out().contains("not replayable yet"), nab.out());
        var csv = TandemCliProbe.run("sim", "replay", "--path", data.toString(), "--format", "csv", "--timestamp", "datetime");
        assertEquals(2, csv.exit());
        assertTrue(csv.out().contains("--commissioning N"), csv.out());
        var dry = TandemCliProbe.run("sim", "replay", "--path", data.toString(), "--dry-run");
        assertEquals(1, dry.exit(), "a file was left out: " + dry.out());
        assertTrue(dry.out().contains(data.resolve("bad.csv") + ":1: header has no 'datetime' column"), dry.out());
        assertTrue(dry.out().contains("devices good"), dry.out());
        assertFalse(dry.out().contains("devices bad"));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void replay_withSiteDir_publishesAsTheSitesSensor_onTheSecuredEmbeddedBroker(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("d");
        skabFile(data, "p1.csv", 410, 405, 408);
        Path site = dir.resolve("site");
        var p = TandemCliProbe.run("provision", "--site", "plant", "--sensor", "replayer=p1", "--recorder", "--out", site.toString());
        assertEquals(0, p.exit(), p.out());
        var r = TandemCliProbe.run("sim", "replay", "--path", data.toString(), "--speed", "max", "--site-dir", site.toString(),
                "--truth", dir.resolve("t.jsonl").toString(), "--record-alarms", dir.resolve("a.jsonl").toString());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("410 published of 410"), r.out());
        var other = TandemCliProbe.run("provision", "--site", "plant", "--sensor", "replayer=p2", "--out", dir.resolve("s2").toString());
        assertEquals(0, other.exit());
        var refused = TandemCliProbe.run("sim", "replay", "--path", data.toString(), "--site-dir", dir.resolve("s2").toString(),
                "--truth", dir.resolve("t2.jsonl").toString());
        assertEquals(2, refused.exit(), refused.out());
        assertTrue(refused.out().contains("may publish device p1"), refused.out());
    }
}
