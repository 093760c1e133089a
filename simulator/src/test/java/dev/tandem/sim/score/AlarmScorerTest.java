package dev.tandem.sim.score;

import dev.tandem.sim.cli.TandemCliProbe;
import dev.tandem.sim.factory.TruthEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlarmScorerTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private static Instant at(long s) {
        return T0.plusSeconds(s);
    }

    private static final List<TruthEvent> TRUTH = List.of(
            TruthEvent.observed("m-01", at(0), at(3600)),
            TruthEvent.observed("m-02", at(0), at(3600)),
            // one correlated fault on two channels: one episode
            new TruthEvent("m-01", "a", "correlated", "high", at(100), at(159), true),
            new TruthEvent("m-01", "b", "correlated", "high", at(100), at(159), true),
            new TruthEvent("m-01", "a", "spike", "low", at(1000), at(1000), true),
            new TruthEvent("m-02", "a", "level_shift", "high", at(500), at(539), true),
            new TruthEvent("m-02", "*", "setpoint", null, at(2000), at(2019), false));

    @Test
    void score_countsEpisodesOnce_detectsWithinTolerance_andSeparatesNonFaultAlarms() {
        List<AlarmLine> alarms = List.of(
                new AlarmLine("m-01", at(104)),   // detects the correlated fault after 4 s
                new AlarmLine("m-01", at(120)),   // same episode: a true alarm, no new detection
                new AlarmLine("m-02", at(545)),   // 6 s after the level shift ended: within the 10 s tolerance
                new AlarmLine("m-02", at(2005)),  // during the setpoint change: false, counted apart
                new AlarmLine("m-01", at(3000))); // false
        AlarmScorer.Report r = AlarmScorer.score(TRUTH, alarms, Duration.ofSeconds(10), NabHook.NONE);
        assertEquals(5, r.alarms());
        assertEquals(3, r.trueAlarms());
        assertEquals(2, r.falseAlarms());
        assertEquals(1, r.falseAlarmsDuringNonFaultEvents());
        assertEquals(0.6, r.precision(), 1e-9);
        assertEquals(3, r.overall().episodes());
        assertEquals(2, r.overall().detected());
        assertEquals(2 / 3.0, r.recall(), 1e-9);
        assertEquals(4.0, r.byKind().get("correlated").meanDelaySeconds(), 1e-9);
        assertEquals(45.0, r.byKind().get("level_shift").meanDelaySeconds(), 1e-9);
        assertEquals(0, r.byKind().get("spike").detected());
        assertEquals(1.0, r.bySeverity().get("high").recall(), 1e-9);
        assertEquals(0.0, r.bySeverity().get("low").recall(), 1e-9);
        double normalHours = (2 * 3600 - 59 - 0 - 39) / 3600.0;
        assertEquals(normalHours, r.observedNormalDeviceHours(), 1e-9);
        assertEquals(2 / normalHours, r.falseAlarmsPerDeviceHour(), 1e-9);
        assertNull(r.nab());
        assertTrue(r.nabNote().contains("no NAB scorer"));
    }

    @Test
    void score_ofAlarmEpisodes_countsOnlyTheirOnsets() {
        String onset = "{\"device\":\"m-02\",\"ts\":" + at(505).toEpochMilli() + ",\"phase\":\"ONSET\"}";
        String update = "{\"device\":\"m-02\",\"ts\":" + at(530).toEpochMilli() + ",\"phase\":\"UPDATE\"}";
        String clear = "{\"device\":\"m-02\",\"ts\":" + at(700).toEpochMilli() + ",\"phase\":\"CLEAR\"}";
        List<AlarmLine> alarms = List.of(AlarmLine.parse(onset), AlarmLine.parse(update), AlarmLine.parse(clear));
        assertFalse(alarms.get(2).raised());
        AlarmScorer.Report r = AlarmScorer.score(TRUTH, alarms, Duration.ofSeconds(10), NabHook.NONE);
        assertEquals(1, r.alarms(), "the clear, long after the fault, is no false alarm");
        assertEquals(1, r.trueAlarms());
        assertEquals(0, r.falseAlarms());
        assertEquals(5.0, r.byKind().get("level_shift").meanDelaySeconds(), 1e-9);
    }

    @Test
    void score_withATighterTolerance_missesTheLateAlarm() {
        AlarmScorer.Report r = AlarmScorer.score(TRUTH, List.of(new AlarmLine("m-02", at(545))), Duration.ofSeconds(2), NabHook.NONE);
        assertEquals(0, r.overall().detected());
        assertEquals(1, r.falseAlarms());
    }

    @Test
    void scoreCommand_readsFiles_skipsAndCountsBadLines(@TempDir Path dir) throws Exception {
        Path truth = dir.resolve("t.jsonl");
        JsonLines.write(truth, TRUTH);
        Path alarms = dir.resolve("a.jsonl");
        Files.writeString(alarms, String.join("\n",
                "{\"v\":1,\"site\":\"s\",\"device\":\"m-01\",\"windowId\":104,\"ts\":" + at(104).toEpochMilli() + ",\"score\":2.0,\"source\":\"EDGE\"}",
                "{\"device\":\"m-02\",\"ts\":\"2025-01-01T00:08:25Z\"}",
                "not json",
                "{\"device\":\"m-02\"}", ""));
        Path report = dir.resolve("r.json");
        TandemCliProbe.Result res = TandemCliProbe.run("score", "--truth", truth.toString(), "--alarms", alarms.toString(),
                "--report", report.toString());
        assertEquals(0, res.exit(), res.out());
        String json = Files.readString(report);
        assertTrue(json.contains("\"trueAlarms\" : 2"), json);
        assertTrue(json.contains("\"badAlarmLines\" : 2"), json);
        assertTrue(json.contains("a.jsonl:3: [MALFORMED_PAYLOAD]"), json);
        assertTrue(json.contains("a.jsonl:4: [INVALID_FIELD]"), json);
        assertTrue(res.out().contains("kind level_shift"), res.out());
    }
}
