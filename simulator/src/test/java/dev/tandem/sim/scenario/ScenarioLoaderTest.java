package dev.tandem.sim.scenario;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.factory.AnomalyKind;
import dev.tandem.sim.factory.LabeledSample;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.factory.TruthEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenarioLoaderTest {
    private static final String TYPES = """
            name: t
            duration: 10m
            deviceTypes:
              tank:
                rateHz: 2
                channels:
                  - {name: level, model: random_walk, unit: m, base: 2.0, amplitude: 0.1, period: 60s, noise: 0.01}
                  - {name: temp, model: temperature, unit: K, quantum: 0.5, rateHz: 1}
            fleet:
              - {type: tank, count: 2}
            """;

    private static TandemException bad(String yaml) {
        TandemException e = assertThrows(TandemException.class, () -> ScenarioLoader.parse(yaml, "bad.yaml"));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        return e;
    }

    @Test
    void builtInLine_parses_withItsFleetAndTimeline() {
        Scenario s = ScenarioLoader.builtIn("line");
        assertEquals("line", s.name());
        assertEquals(3, s.devices().size());
        assertEquals("machine-01", s.devices().get(0).id());
        assertEquals(9, s.timeline().size());
    }

    @Test
    void unknownField_isRefused_withLineAndField() {
        TandemException e = bad(TYPES.replace("noise: 0.01}", "noise: 0.01, colour: red}"));
        assertTrue(e.getMessage().startsWith("bad.yaml:7:"), e.getMessage());
        assertTrue(e.getMessage().contains("deviceTypes.tank.channels[0]"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown field 'colour'"), e.getMessage());
    }

    @Test
    void wrongUnit_isRefused_withLineAndField() {
        TandemException e = bad(TYPES.replace("unit: K,", "unit: bar,"));
        assertTrue(e.getMessage().startsWith("bad.yaml:8:"), e.getMessage());
        assertTrue(e.getMessage().contains("unit 'bar' is not a unit of temperature"), e.getMessage());
    }

    @Test
    void wrongTimeUnit_isRefused() {
        TandemException e = bad(TYPES.replace("duration: 10m", "duration: 10 parsecs"));
        assertTrue(e.getMessage().startsWith("bad.yaml:2:"), e.getMessage());
        assertTrue(e.getMessage().contains("duration") && e.getMessage().contains("is not a time"), e.getMessage());
    }

    @Test
    void eventsOutOfOrder_areRefused_namingTheLine() {
        TandemException e = bad(TYPES + """
                timeline:
                  - at: 6m
                    fault: {kind: spike, devices: [tank-01], channels: [level]}
                  - at: 5m
                    fault: {kind: spike, devices: [tank-02], channels: [level]}
                """);
        assertTrue(e.getMessage().startsWith("bad.yaml:14: timeline[1].at"), e.getMessage());
        assertTrue(e.getMessage().contains("time order"), e.getMessage());
    }

    @Test
    void overlappingFaultsOnOneDevice_areRefused() {
        TandemException e = bad(TYPES + """
                timeline:
                  - at: 6m
                    fault: {kind: level_shift, devices: [tank-01], channels: [level], duration: 60s}
                  - at: 6m30s
                    fault: {kind: drift, devices: ["tank-*"], channels: [temp], duration: 60s}
                """);
        assertTrue(e.getMessage().startsWith("bad.yaml:14: timeline[1] (fault at 390s)"), e.getMessage());
        assertTrue(e.getMessage().contains("overlaps the level_shift fault"), e.getMessage());
    }

    @Test
    void faultDuringPowerCut_isRefused_butOnAnotherDeviceIsFine() {
        String events = """
                timeline:
                  - at: 6m
                    device: {kind: power_cut, devices: [tank-01], duration: 60s}
                  - at: 6m10s
                    fault: {kind: spike, devices: [%s], channels: [level]}
                """;
        bad(TYPES + events.formatted("tank-01"));
        ScenarioLoader.parse(TYPES + events.formatted("tank-02"), "ok.yaml");
    }

    @Test
    void deviceCountBeyondTheLimit_isRefused() {
        TandemException e = bad(TYPES.replace("count: 2}", "count: 6000}\n  - {type: pump, count: 5000}"));
        assertTrue(e.getMessage().startsWith("bad.yaml:11: fleet[1].count"), e.getMessage());
        assertTrue(e.getMessage().contains("beyond the limit of 10000"), e.getMessage());
        TandemException one = bad(TYPES.replace("count: 2}", "count: 10001}"));
        assertTrue(one.getMessage().contains("fleet[0]") && one.getMessage().contains("10000"), one.getMessage());
    }

    @Test
    void unknownChannelAndUnknownDevice_areRefused() {
        assertTrue(bad(TYPES + "timeline:\n  - at: 1m\n    fault: {kind: spike, devices: [tank-01], channels: [depth]}\n")
                .getMessage().contains("no channel 'depth'"));
        assertTrue(bad(TYPES + "timeline:\n  - at: 1m\n    fault: {kind: spike, devices: [pump-01], channels: [level]}\n")
                .getMessage().contains("'pump-01' names no device"));
        assertTrue(bad(TYPES + "timeline:\n  - at: 1m\n    fault: {kind: smoke, devices: [tank-01], channels: [level]}\n")
                .getMessage().contains("unknown fault kind 'smoke'"));
    }

    @Test
    void deviceTypes_giveChannels_rate_quantisation_andHold() {
        Scenario s = ScenarioLoader.parse(TYPES, "t.yaml");
        MachineSimulator m = ScenarioFleet.of(s).line().machine("tank-01");
        assertEquals(2.0, m.rateHz());
        LabeledSample a = m.next();
        LabeledSample b = m.next();
        assertEquals(2, a.sample().channels());
        assertEquals(500, b.sample().ts() - a.sample().ts(), "2 Hz");
        double k = a.sample().value(1);
        assertTrue(k > 273 && k < 420, "temperature in kelvin: " + k);
        assertEquals(0, Math.IEEEremainder(k, 0.5), 1e-9, "quantised to 0.5 K");
        assertEquals(k, b.sample().value(1), "a 1 Hz channel holds its value between updates");
        assertTrue(Math.abs(a.sample().value(0) - 2.0) < 1, "level near its base");
    }

    @Test
    void scriptedFaults_labelTheSamples_andTheTruthMatches() {
        Scenario s = ScenarioLoader.parse(TYPES + """
                timeline:
                  - at: 100s
                    fault: {kind: level_shift, devices: [tank-02], channels: [level], severity: high, duration: 10s}
                  - at: 200s
                    device: {kind: restart, devices: [tank-02], duration: 5s}
                """, "t.yaml");
        ScenarioFleet fleet = ScenarioFleet.of(s);
        MachineSimulator m = fleet.line().machine("tank-02");
        MachineSimulator healthy = ScenarioFleet.of(ScenarioLoader.parse(TYPES, "t.yaml")).line().machine("tank-02");
        for (int i = 0; i < 500; i++) {
            long index = m.nextSeq();
            LabeledSample x = m.next();
            LabeledSample h = healthy.next();
            if (index >= 200 && index < 220) {
                assertEquals(AnomalyKind.LEVEL_SHIFT, x.kind());
                assertEquals(0.1, x.sample().value(0) - h.sample().value(0), 1e-9, "high level shift: 10 sigmas of 0.01");
            } else {
                assertEquals(h.sample().value(0), x.sample().value(0), "the same signal outside the fault, index " + index);
                assertFalse(x.anomalous(), "only the fault's samples are labelled, index " + index);
            }
            if (index == 410) {
                assertEquals(0, x.sample().seq(), "the restart reset the sequence after 5 s down");
                assertTrue(m.silentAt(400) && m.silentAt(409) && !m.silentAt(410));
            }
        }
        List<TruthEvent> truth = fleet.groundTruth();
        TruthEvent shift = truth.stream().filter(TruthEvent::anomalous).findFirst().orElseThrow();
        assertEquals("tank-02", shift.device());
        assertEquals("level", shift.channel());
        assertEquals("high", shift.severity());
        assertEquals(s.start().plusSeconds(100), shift.start());
        assertEquals(s.start().plusMillis(109_500), shift.end());
        assertTrue(truth.stream().anyMatch(t -> t.kind().equals("restart") && !t.anomalous()));
        assertEquals(2, truth.stream().filter(TruthEvent::isObserved).count());
    }

    @Test
    void aRollout_isReadWithItsPlanAndWatchdog() {
        Scenario s = ScenarioLoader.parse(TYPES + """
                timeline:
                  - at: 8m
                    rollout: {recipe: "default:threshold-scale=0.01", waves: [1, 50%, 100%], shadow: 2s, watch: 4s,
                              alarmRate: [0.05, 0.5], escalationRate: 0.4, expect: rolled_back}
                """, "r.yaml");
        ScenarioFleet.RolloutEvent e = ScenarioFleet.of(s).rolloutEvents().get(0);
        assertEquals(List.of("tank-01", "tank-02"), e.devices(), "default target: every device");
        assertEquals(3, e.spec().plan().waves().size());
        assertEquals(java.time.Duration.ofSeconds(2), e.spec().plan().waves().get(1).gate().shadowTime());
        assertEquals(java.time.Duration.ofSeconds(4), e.spec().settings().watch());
        assertEquals(0.05, e.spec().settings().alarmRate().min());
        assertEquals(0.4, e.spec().settings().escalationRate().max());
        assertEquals("t-0", e.name("t"));
        assertEquals(4, ScenarioLoader.parse(TYPES, "x.yaml", 4).devices().size(), "--devices replaces the count");
    }

    @Test
    void badRollouts_areRefused_namingTheLineAndTheField() {
        String at = "timeline:\n  - at: 8m\n    rollout: ";
        TandemException recipe = bad(TYPES + at + "{recipe: \"default:smoothness=3\"}\n");
        assertTrue(recipe.getMessage().startsWith("bad.yaml:13:") && recipe.getMessage().contains("timeline[0]")
                && recipe.getMessage().contains("unknown recipe parameter 'smoothness'"), recipe.getMessage());
        TandemException waves = bad(TYPES + at + "{recipe: default, waves: [3, 2, 100%]}\n");
        assertTrue(waves.getMessage().contains("bad.yaml:13:") && waves.getMessage().contains("wave"), waves.getMessage());
        TandemException notAWave = bad(TYPES + at + "{recipe: default, waves: [1, half]}\n");
        assertTrue(notAWave.getMessage().contains("\"5%\"") && notAWave.getMessage().contains("half"), notAWave.getMessage());
        TandemException expect = bad(TYPES + at + "{recipe: default, expect: success}\n");
        assertTrue(expect.getMessage().contains("expect is one of"), expect.getMessage());
        TandemException band = bad(TYPES + at + "{recipe: default, alarmRate: [0.5, 0.1]}\n");
        assertTrue(band.getMessage().contains("band"), band.getMessage());
        TandemException unknown = bad(TYPES + at + "{recipe: default, wave: [1]}\n");
        assertTrue(unknown.getMessage().contains("unknown field 'wave'"), unknown.getMessage());
        TandemException noRecipe = bad(TYPES + at + "{waves: [1, 100%]}\n");
        assertTrue(noRecipe.getMessage().contains("recipe"), noRecipe.getMessage());
        TandemException device = bad(TYPES + at + "{recipe: default, devices: [pump-01]}\n");
        assertTrue(device.getMessage().contains("timeline[0].rollout.devices") && device.getMessage().contains("pump-01"),
                device.getMessage());
        TandemException scaled = assertThrows(TandemException.class, () -> ScenarioLoader.parse(TYPES
                + "  - {type: pump, count: 2}\n", "two.yaml", 5));
        assertTrue(scaled.getMessage().contains("--devices scales a fleet of one entry"), scaled.getMessage());
    }
}
