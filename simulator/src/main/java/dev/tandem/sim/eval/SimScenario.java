package dev.tandem.sim.eval;

import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.factory.AnomalyEpisode;
import dev.tandem.sim.factory.AnomalyKind;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.LabeledSample;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.factory.SensorChannel;
import dev.tandem.sim.factory.SimConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * The simulator's evaluation scenario: a factory line of {@code devices} machines with every
 * anomaly kind injected after the commissioning period (deterministic by seed), each machine
 * read for its commissioning samples and then {@code testSamples} more, with the ground truth.
 */
public final class SimScenario {
    /** Default machines of the scenario. */
    public static final int DEFAULT_DEVICES = 4;
    /** Default test samples per machine (after its commissioning). */
    public static final int DEFAULT_TEST_SAMPLES = 3000;

    private SimScenario() {
    }

    /** The simulator config of the scenario: defaults (every kind, 15% anomalous) for the seed. */
    public static SimConfig config(long seed, int devices) {
        return SimConfig.builder(seed, devices).kinds(EnumSet.allOf(AnomalyKind.class)).build();
    }

    /** One stream per machine: commissioning + {@code testSamples} test samples, labelled, with episodes by kind. */
    public static List<EvalStream> streams(long seed, int devices, int testSamples) {
        if (devices < 1 || testSamples < 10) {
            throw TandemException.invalid("need devices >= 1 and testSamples >= 10, got " + devices + ", " + testSamples);
        }
        SimConfig config = config(seed, devices);
        FactoryLine line = new FactoryLine(config);
        int commissioning = config.commissioningSamples();
        List<String> names = Arrays.stream(SensorChannel.values()).map(SensorChannel::wireName).toList();
        List<EvalStream> out = new ArrayList<>(devices);
        for (MachineSimulator m : line.machines()) {
            List<Sample> com = new ArrayList<>(commissioning);
            List<Sample> test = new ArrayList<>(testSamples);
            boolean[] labels = new boolean[testSamples];
            for (int i = 0; i < commissioning + testSamples; i++) {
                LabeledSample s = m.next();
                line.groundTruth().record(m.deviceId(), s);
                if (i < commissioning) {
                    com.add(s.sample());
                } else {
                    test.add(s.sample());
                    labels[i - commissioning] = s.anomalous();
                }
            }
            List<Episode> episodes = new ArrayList<>();
            for (AnomalyEpisode e : line.groundTruth().episodes(m.deviceId())) {
                if (e.endSeq() >= commissioning) {
                    episodes.add(new Episode(m.deviceId(), e.kind().name(), Math.max(e.startSeq(), commissioning), e.endSeq()));
                }
            }
            out.add(new EvalStream(m.deviceId(), names, com, test, labels, episodes));
        }
        return out;
    }
}
