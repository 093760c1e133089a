package dev.tandem.sim.eval;

import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.error.TandemException;

import java.util.List;
import java.util.Objects;

/**
 * One device's data for the three-mode evaluation: its commissioning samples (assumed normal,
 * labels never used), then its test samples with one label per test sample and, where known, the
 * anomaly episodes of the test part (for detection delays). Sequence numbers are consecutive
 * across both parts.
 *
 * @param channelNames one name per channel (for plots and reports)
 * @param testLabels   {@code testLabels[i]} is the truth of {@code test.get(i)}
 * @param episodes     anomaly episodes inside the test part (seq ranges), possibly empty
 */
public record EvalStream(String deviceId, List<String> channelNames, List<Sample> commissioning, List<Sample> test,
                         boolean[] testLabels, List<Episode> episodes) {
    public EvalStream {
        Checks.id("deviceId", deviceId);
        channelNames = List.copyOf(channelNames);
        commissioning = List.copyOf(commissioning);
        test = List.copyOf(test);
        Objects.requireNonNull(testLabels, "testLabels");
        if (commissioning.isEmpty()) {
            throw TandemException.invalid(deviceId + ": no commissioning samples");
        }
        if (testLabels.length != test.size()) {
            throw TandemException.invalid(deviceId + ": " + testLabels.length + " labels for " + test.size() + " test samples");
        }
        testLabels = testLabels.clone();
        episodes = List.copyOf(episodes);
    }

    /** A labelled SKAB file under the benchmark's protocol: the first 400 rows commission the device. */
    public static EvalStream fromSkab(SkabFile file) {
        if (!file.labelled()) {
            throw TandemException.invalid(file.deviceId() + " has no labels and is not scored");
        }
        int start = SkabProtocol.testStart(file);
        boolean[] all = file.labels();
        boolean[] labels = java.util.Arrays.copyOfRange(all, start, all.length);
        return new EvalStream(file.deviceId(), file.channels(), SkabProtocol.commissioning(file), SkabProtocol.test(file),
                labels, SkabProtocol.episodes(file, "anomaly"));
    }

    public int channels() {
        return commissioning.get(0).channels();
    }

    /** Seq of the first test sample. */
    public long firstTestSeq() {
        return test.isEmpty() ? commissioning.get(commissioning.size() - 1).seq() + 1 : test.get(0).seq();
    }

    @Override
    public boolean[] testLabels() {
        return testLabels.clone();
    }

    boolean label(int i) {
        return testLabels[i];
    }

    /** The commissioning samples as rows [t][channel]. */
    public double[][] commissioningRows() {
        double[][] rows = new double[commissioning.size()][];
        for (int t = 0; t < rows.length; t++) {
            rows[t] = commissioning.get(t).values();
        }
        return rows;
    }
}
