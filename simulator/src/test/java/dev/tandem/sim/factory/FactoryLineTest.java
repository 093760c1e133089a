package dev.tandem.sim.factory;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FactoryLineTest {
    private static final int VIB = SensorChannel.VIBRATION_RMS.index();
    private static final int CUR = SensorChannel.MOTOR_CURRENT.index();
    private static final int TMP = SensorChannel.TEMPERATURE.index();
    private static final int PRS = SensorChannel.PRESSURE.index();
    private static final int FLW = SensorChannel.FLOW.index();

    @Test
    void deviceIds_areNumberedMachines() {
        FactoryLine line = new FactoryLine(SimConfig.defaults(1, 12));
        assertEquals(12, line.deviceIds().size());
        assertEquals("machine-01", line.deviceIds().get(0));
        assertEquals("machine-12", line.deviceIds().get(11));
        assertEquals("machine-03", line.machine("machine-03").deviceId());
        TandemException e = assertThrows(TandemException.class, () -> line.machine("machine-13"));
        assertEquals(ErrorCode.UNKNOWN_DEVICE, e.code());
    }

    @Test
    void channels_areInContractOrderWithUnits() {
        assertEquals(List.of("vibration_rms", "motor_current", "temperature", "pressure", "flow"),
                java.util.Arrays.stream(SensorChannel.values()).map(SensorChannel::wireName).toList());
        assertEquals(List.of("mm/s", "A", "°C", "bar", "l/min"),
                java.util.Arrays.stream(SensorChannel.values()).map(SensorChannel::unit).toList());
        assertEquals(5, SensorChannel.COUNT);
    }

    @Test
    void sameSeed_givesIdenticalStreams_whateverTheInterleaving() {
        FactoryLine a = new FactoryLine(SimConfig.defaults(7, 3));
        FactoryLine b = new FactoryLine(SimConfig.defaults(7, 3));
        List<List<LabeledSample>> fromA = new ArrayList<>();
        for (String d : a.deviceIds()) {
            fromA.add(take(a.machine(d), 3000)); // device by device
        }
        List<List<LabeledSample>> fromB = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < 3000; i++) { // round robin, reversed
            for (int d = 2; d >= 0; d--) {
                fromB.get(d).add(b.machines().get(d).next());
            }
        }
        assertEquals(fromA, fromB);
    }

    @Test
    void differentSeeds_giveDifferentStreams() {
        List<LabeledSample> one = take(new FactoryLine(SimConfig.defaults(1, 1)).machine("machine-01"), 500);
        List<LabeledSample> two = take(new FactoryLine(SimConfig.defaults(2, 1)).machine("machine-01"), 500);
        long same = 0;
        for (int i = 0; i < 500; i++) {
            if (java.util.Arrays.equals(one.get(i).sample().values(), two.get(i).sample().values())) {
                same++;
            }
        }
        assertEquals(0, same);
        // and machines of one line differ from each other
        FactoryLine line = new FactoryLine(SimConfig.defaults(1, 2));
        assertNotEquals(take(line.machine("machine-01"), 50), take(line.machine("machine-02"), 50));
    }

    @Test
    void seqStartsAtZero_andTimestampsFollowThePeriod() {
        Instant start = Instant.parse("2024-06-01T12:00:00Z");
        SimConfig config = SimConfig.builder(3, 2).samplePeriod(Duration.ofMillis(250)).start(start).build();
        MachineSimulator m = new FactoryLine(config).machine("machine-02");
        for (int i = 0; i < 100; i++) {
            LabeledSample s = m.next();
            assertEquals(i, s.seq());
            assertEquals(start.toEpochMilli() + i * 250L, s.sample().ts());
            assertEquals(SensorChannel.COUNT, s.sample().channels());
        }
        assertEquals(100, m.nextSeq());
    }

    @Test
    void wallClock_stampsEveryOnePerRate_fromTheOrigin_andLeavesTheDynamicsAlone() {
        SimConfig config = SimConfig.defaults(7, 2);
        FactoryLine simulated = new FactoryLine(config);
        FactoryLine wall = new FactoryLine(config);
        Instant origin = Instant.parse("2026-12-07T14:00:00.123Z");
        wall.stampWallClock(origin, 25); // one simulated second per sample, published at 25 Hz: 40 ms apart
        for (String id : wall.deviceIds()) {
            MachineSimulator w = wall.machine(id);
            MachineSimulator s = simulated.machine(id);
            for (int i = 0; i < 500; i++) {
                assertEquals(origin.plusMillis(40L * i), w.timestamp(i), "announced stamp of " + id + " " + i);
                LabeledSample a = w.next();
                LabeledSample b = s.next();
                assertEquals(origin.toEpochMilli() + 40L * i, a.sample().ts(), id + " " + i);
                assertEquals(config.start().toEpochMilli() + 1000L * i, b.sample().ts(), id + " " + i);
                assertArrayEquals(b.sample().values(), a.sample().values(), "same process, only the stamps move");
                assertEquals(b.kind(), a.kind());
            }
        }
        // a rate that does not divide a second: stamps round to the millisecond without drifting
        FactoryLine third = new FactoryLine(config);
        third.stampWallClock(origin, 3);
        assertEquals(origin.plusMillis(333), third.machine("machine-01").timestamp(1));
        assertEquals(origin.plusMillis(667), third.machine("machine-01").timestamp(2));
        assertEquals(origin.plusMillis(333_333_000), third.machine("machine-01").timestamp(999_999));
    }

    @Test
    void wallClock_isSetBeforeTheFirstSample_aStartedMachineKeepsItsClock() {
        FactoryLine line = new FactoryLine(SimConfig.defaults(1, 1));
        MachineSimulator m = line.machine("machine-01");
        long first = m.next().sample().ts();
        TandemException e = assertThrows(TandemException.class, () -> m.stampFrom(Instant.now(), 25));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        line.stampWallClock(Instant.parse("2030-01-01T00:00:00Z"), 25); // a publisher started again: no jump
        assertEquals(first + 1000, m.next().sample().ts());
        TandemException bad = assertThrows(TandemException.class,
                () -> new FactoryLine(SimConfig.defaults(1, 1)).machine("machine-01").stampFrom(Instant.now(), 0));
        assertEquals(ErrorCode.INVALID_CONFIG, bad.code());
    }

    @Test
    void noAnomaly_duringCommissioning() {
        for (int commissioning : new int[]{0, 400, 1000}) {
            SimConfig config = SimConfig.builder(11, 5).commissioningSamples(commissioning).anomalyRate(0.5).build();
            FactoryLine line = new FactoryLine(config);
            for (MachineSimulator m : line.machines()) {
                long firstAnomaly = -1;
                for (LabeledSample s : take(m, commissioning + 1500)) {
                    if (s.anomalous() && firstAnomaly < 0) {
                        firstAnomaly = s.seq();
                    }
                    if (s.seq() < commissioning) {
                        assertFalse(s.anomalous(), m.deviceId() + " seq " + s.seq() + " is in commissioning");
                    }
                }
                assertTrue(firstAnomaly >= commissioning, "anomalies do start after commissioning: " + firstAnomaly);
            }
        }
    }

    @Test
    void longRun_containsEveryKind_withLabelsMatchingEpisodes() {
        SimConfig config = SimConfig.defaults(2024, 3);
        FactoryLine line = new FactoryLine(config);
        GroundTruth truth = line.groundTruth();
        Map<String, List<LabeledSample>> streams = new java.util.HashMap<>();
        for (MachineSimulator m : line.machines()) {
            List<LabeledSample> samples = take(m, 8000);
            samples.forEach(s -> truth.record(m.deviceId(), s));
            streams.put(m.deviceId(), samples);
        }
        Map<AnomalyKind, Integer> episodesByKind = new EnumMap<>(AnomalyKind.class);
        for (AnomalyEpisode e : truth.episodes()) {
            episodesByKind.merge(e.kind(), 1, Integer::sum);
            assertTrue(e.startSeq() >= config.commissioningSamples());
            if (e.kind() == AnomalyKind.SPIKE) {
                assertTrue(e.length() <= 5, "a spike lasts a few samples: " + e);
            } else if (e.endSeq() < 7999) {
                assertTrue(e.length() >= 15, "episodes other than spikes last tens of samples: " + e);
            }
            List<LabeledSample> stream = streams.get(e.device());
            for (long seq = e.startSeq(); seq <= e.endSeq(); seq++) {
                assertEquals(e.kind(), stream.get((int) seq).kind());
            }
            if (e.startSeq() > 0) {
                assertFalse(stream.get((int) e.startSeq() - 1).anomalous(), "episodes are separated: " + e);
            }
        }
        assertEquals(AnomalyKind.RANDOM, episodesByKind.keySet(), "every kind the random planner draws occurs: " + episodesByKind);
        long labelled = streams.values().stream().flatMap(List::stream).filter(LabeledSample::anomalous).count();
        long inEpisodes = truth.episodes().stream().mapToLong(AnomalyEpisode::length).sum();
        assertEquals(labelled, inEpisodes, "every anomalous sample belongs to exactly one episode");
        assertEquals(labelled, truth.anomalous());
        assertEquals(3 * 8000, truth.recorded());
    }

    @Test
    void anomalousFraction_followsTheConfiguredRate() {
        for (double rate : new double[]{0.10, 0.20}) {
            FactoryLine line = new FactoryLine(SimConfig.builder(5, 10).anomalyRate(rate).build());
            long anomalous = 0;
            long post = 0;
            for (MachineSimulator m : line.machines()) {
                for (LabeledSample s : take(m, 6000)) {
                    if (s.seq() >= 400) {
                        post++;
                        anomalous += s.anomalous() ? 1 : 0;
                    }
                }
            }
            double fraction = (double) anomalous / post;
            assertTrue(fraction > rate * 0.6 && fraction < rate * 1.5, "rate " + rate + " gave " + fraction);
        }
        FactoryLine healthy = new FactoryLine(SimConfig.builder(5, 3).healthy().build());
        healthy.machines().forEach(m -> assertTrue(take(m, 3000).stream().noneMatch(LabeledSample::anomalous)));
    }

    @Test
    void onlyEnabledKinds_areInjected() {
        FactoryLine line = new FactoryLine(SimConfig.builder(9, 4).kinds(Set.of(AnomalyKind.SPIKE, AnomalyKind.STUCK_SENSOR)).build());
        Set<AnomalyKind> seen = EnumSet.noneOf(AnomalyKind.class);
        line.machines().forEach(m -> take(m, 6000).stream().filter(LabeledSample::anomalous).forEach(s -> seen.add(s.kind())));
        assertEquals(EnumSet.of(AnomalyKind.SPIKE, AnomalyKind.STUCK_SENSOR), seen);
    }

    @Test
    void values_areFiniteAndPlausible() {
        FactoryLine line = new FactoryLine(SimConfig.builder(77, 10).anomalyRate(0.3).build());
        for (MachineSimulator m : line.machines()) {
            for (LabeledSample s : take(m, 5000)) {
                for (SensorChannel c : SensorChannel.values()) {
                    double v = s.sample().value(c.index());
                    assertTrue(c.isPlausible(v), m.deviceId() + " " + c + " = " + v);
                }
                if (!s.anomalous()) {
                    double[] v = s.sample().values();
                    assertTrue(v[CUR] > 1 && v[CUR] < 40, "current " + v[CUR]);
                    assertTrue(v[TMP] > 10 && v[TMP] < 90, "temperature " + v[TMP]);
                    assertTrue(v[PRS] > 0.3 && v[PRS] < 8, "pressure " + v[PRS]);
                    assertTrue(v[FLW] > 10 && v[FLW] < 250, "flow " + v[FLW]);
                    assertTrue(v[VIB] >= 0 && v[VIB] < 12, "vibration " + v[VIB]);
                }
            }
        }
    }

    @Test
    void healthyDynamics_currentVibrationAndPumpFollowLoad_temperatureLagsCurrent() {
        SimConfig config = SimConfig.builder(13, 3).healthy().build();
        for (MachineSimulator m : new FactoryLine(config).machines()) {
            List<LabeledSample> samples = take(m, 4000);
            double[] cur = channel(samples, CUR);
            assertTrue(correlation(cur, channel(samples, VIB), 0) > 0.8, "vibration follows load");
            assertTrue(correlation(cur, channel(samples, FLW), 0) > 0.8, "flow follows pump speed");
            assertTrue(correlation(channel(samples, PRS), channel(samples, FLW), 0) > 0.8, "pressure and flow on the pump curve");
            double[] tmp = channel(samples, TMP);
            double now = correlation(cur, tmp, 0);
            double lagged = correlation(cur, tmp, 30);
            assertTrue(lagged > now, "temperature lags current: corr(lag 0)=" + now + ", corr(lag 30)=" + lagged);
            // a load cycle: current swings between idle and load levels
            double range = java.util.Arrays.stream(cur).max().orElseThrow() - java.util.Arrays.stream(cur).min().orElseThrow();
            assertTrue(range > 8, "load cycles move the current by amps, got " + range);
        }
    }

    @Test
    void anomalies_leaveTheHealthySignalUntouchedOutsideEpisodes() {
        SimConfig faulty = SimConfig.defaults(21, 2);
        SimConfig healthy = faulty.toBuilder().healthy().build();
        FactoryLine a = new FactoryLine(faulty);
        FactoryLine b = new FactoryLine(healthy);
        for (String d : a.deviceIds()) {
            List<LabeledSample> withFaults = take(a.machine(d), 4000);
            List<LabeledSample> clean = take(b.machine(d), 4000);
            for (int i = 0; i < 4000; i++) {
                if (!withFaults.get(i).anomalous()) {
                    assertArrayEquals(clean.get(i).sample().values(), withFaults.get(i).sample().values(), 0.0);
                }
            }
        }
    }

    @Test
    void magnitudes_mixSubtleAndObvious() {
        SimConfig faulty = SimConfig.builder(8, 6).kinds(Set.of(AnomalyKind.LEVEL_SHIFT, AnomalyKind.SPIKE)).build();
        FactoryLine a = new FactoryLine(faulty);
        FactoryLine b = new FactoryLine(faulty.toBuilder().healthy().build());
        int subtle = 0;
        int obvious = 0;
        for (String d : a.deviceIds()) {
            MachineSimulator m = a.machine(d);
            List<LabeledSample> withFaults = take(m, 6000);
            List<LabeledSample> clean = take(b.machine(d), 6000);
            GroundTruth truth = new GroundTruth();
            withFaults.forEach(s -> truth.record(d, s));
            for (AnomalyEpisode e : truth.episodes(d)) {
                int seq = (int) e.startSeq();
                double worst = 0;
                for (SensorChannel c : SensorChannel.values()) {
                    double diff = Math.abs(withFaults.get(seq).sample().value(c.index()) - clean.get(seq).sample().value(c.index()));
                    worst = Math.max(worst, diff / m.sigma(c));
                }
                if (worst < 7) {
                    subtle++;
                } else {
                    obvious++;
                }
            }
        }
        assertTrue(subtle >= 10 && obvious >= 10, "subtle=" + subtle + ", obvious=" + obvious);
    }

    @Test
    void stuckSensor_freezesOneChannelAtItsValue() {
        FactoryLine line = new FactoryLine(SimConfig.builder(4, 3).kinds(Set.of(AnomalyKind.STUCK_SENSOR)).build());
        int episodes = 0;
        for (MachineSimulator m : line.machines()) {
            List<LabeledSample> samples = take(m, 5000);
            GroundTruth truth = new GroundTruth();
            samples.forEach(s -> truth.record(m.deviceId(), s));
            for (AnomalyEpisode e : truth.episodes(m.deviceId())) {
                if (e.endSeq() == 4999) {
                    continue;
                }
                episodes++;
                int frozen = 0;
                for (SensorChannel c : SensorChannel.values()) {
                    double first = samples.get((int) e.startSeq()).sample().value(c.index());
                    boolean constant = true;
                    for (long s = e.startSeq(); s <= e.endSeq(); s++) {
                        constant &= samples.get((int) s).sample().value(c.index()) == first;
                    }
                    frozen += constant ? 1 : 0;
                }
                assertEquals(1, frozen, "exactly one channel frozen in " + e);
            }
        }
        assertTrue(episodes >= 5, "episodes: " + episodes);
    }

    @Test
    void degradation_growsOverItsDuration() {
        SimConfig faulty = SimConfig.builder(31, 6).kinds(Set.of(AnomalyKind.DEGRADATION)).build();
        FactoryLine a = new FactoryLine(faulty);
        FactoryLine b = new FactoryLine(faulty.toBuilder().healthy().build());
        int growing = 0;
        int total = 0;
        for (String d : a.deviceIds()) {
            List<LabeledSample> withFaults = take(a.machine(d), 5000);
            List<LabeledSample> clean = take(b.machine(d), 5000);
            GroundTruth truth = new GroundTruth();
            withFaults.forEach(s -> truth.record(d, s));
            for (AnomalyEpisode e : truth.episodes(d)) {
                if (e.endSeq() >= 4999) {
                    continue;
                }
                total++;
                double early = deviation(withFaults, clean, e.startSeq(), e.startSeq() + 4);
                double late = deviation(withFaults, clean, e.endSeq() - 4, e.endSeq());
                growing += late > 3 * early ? 1 : 0;
            }
        }
        assertTrue(total >= 10 && growing >= total * 0.9, growing + " of " + total + " degradations grow");
    }

    @Test
    void invalidConfig_isRefusedWithInvalidConfig() {
        SimConfig ok = SimConfig.defaults(1, 1);
        for (Runnable bad : List.<Runnable>of(
                () -> ok.toBuilder().devices(0).build(),
                () -> ok.toBuilder().commissioningSamples(-1).build(),
                () -> ok.toBuilder().samplePeriod(Duration.ZERO).build(),
                () -> ok.toBuilder().anomalyRate(0.9).build(),
                () -> ok.toBuilder().anomalyRate(Double.NaN).build(),
                () -> ok.toBuilder().kinds(Set.of()).build())) {
            TandemException e = assertThrows(TandemException.class, bad::run);
            assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        }
    }

    @Test
    void labeledSample_kindIsNullExactlyWhenNormal() {
        LabeledSample s = new FactoryLine(SimConfig.defaults(1, 1)).machine("machine-01").next();
        assertFalse(s.anomalous());
        assertNull(s.kind());
        assertThrows(IllegalArgumentException.class, () -> new LabeledSample(s.sample(), true, null));
        assertThrows(IllegalArgumentException.class, () -> new LabeledSample(s.sample(), false, AnomalyKind.SPIKE));
    }

    static List<LabeledSample> take(MachineSimulator m, int n) {
        List<LabeledSample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(m.next());
        }
        return out;
    }

    private static double deviation(List<LabeledSample> a, List<LabeledSample> b, long from, long to) {
        double sum = 0;
        for (long s = from; s <= to; s++) {
            double[] x = a.get((int) s).sample().values();
            double[] y = b.get((int) s).sample().values();
            for (int c = 0; c < x.length; c++) {
                sum += Math.abs(x[c] - y[c]);
            }
        }
        return sum;
    }

    private static double[] channel(List<LabeledSample> samples, int c) {
        return samples.stream().mapToDouble(s -> s.sample().value(c)).toArray();
    }

    /** Pearson correlation of x[t] with y[t + lag]. */
    private static double correlation(double[] x, double[] y, int lag) {
        int n = x.length - lag;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i + lag];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i + lag] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
