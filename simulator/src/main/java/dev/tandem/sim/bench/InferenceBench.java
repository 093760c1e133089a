package dev.tandem.sim.bench;

import dev.tandem.hub.fit.DeviceFitter;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.fit.FittedDevice;
import dev.tandem.hub.large.LargeModel;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Sample;
import dev.tandem.hub.tiny.TinyModelTf;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.factory.SimConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Tiny-model inferences per second on one thread: the pure-Java runtime beside the same model run
 * through TensorFlow Java one window at a time (what a user would otherwise reach for).
 */
final class InferenceBench {
    /** Figures of one run. */
    record Result(int channels, int windowSize, int parameters, long javaWindows, double javaPerSecond,
                  double javaMicrosPerWindow, long tfWindows, double tfPerSecond, double tfMicrosPerWindow,
                  double speedup, double maxAbsDifference) {
    }

    /** Where the scores go, so that the JIT cannot drop the loops that compute them. */
    static volatile double blackhole;

    private InferenceBench() {
    }

    static Result run(long seed, double seconds) {
        FactoryLine line = new FactoryLine(SimConfig.defaults(seed, 1));
        MachineSimulator machine = line.machine(line.deviceIds().get(0));
        int commissioning = line.config().commissioningSamples();
        List<Sample> samples = new ArrayList<>(commissioning);
        for (int i = 0; i < commissioning; i++) {
            samples.add(machine.next().sample());
        }
        // fitted as the hub fits a device (one fit path); only the tiny model is benchmarked here
        TinyModel model;
        FittedDevice fitted = DeviceFitter.fit(Commissioning.of("bench", line.deviceIds().get(0), samples),
                FitSettings.defaults());
        try (LargeModel unused = fitted.large()) {
            model = fitted.tiny();
        }
        int w = model.windowSize();
        List<double[][]> windows = new ArrayList<>();
        double[][] stream = new double[4096 + w][];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = machine.next().sample().values();
        }
        for (int i = 0; i + w <= stream.length && windows.size() < 4096; i++) {
            double[][] win = new double[w][];
            System.arraycopy(stream, i, win, 0, w);
            windows.add(win);
        }

        TinyScorer scorer = model.scorer();
        double sink = 0;
        for (int i = 0; i < 200_000; i++) {
            sink += scorer.score(windows.get(i & 4095));
        }
        long javaCount = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 10_000; i++) {
                sink += scorer.score(windows.get((int) (javaCount++ & 4095)));
            }
        }
        double javaSeconds = (System.nanoTime() - start) / 1e9;

        long tfCount = 0;
        double maxDiff = 0;
        double tfSeconds;
        try (TinyModelTf tf = new TinyModelTf(model)) {
            for (int i = 0; i < 2_000; i++) {
                // the TF twin has no smoothing or level-shift state: compare the window statistic alone
                double a = tf.score(windows.get(i & 4095));
                maxDiff = Math.max(maxDiff, Math.abs(a - scorer.windowScore(windows.get(i & 4095))));
            }
            start = System.nanoTime();
            deadline = start + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 200; i++) {
                    sink += tf.score(windows.get((int) (tfCount++ & 4095)));
                }
            }
            tfSeconds = (System.nanoTime() - start) / 1e9;
        }
        blackhole = sink;
        double javaRate = javaCount / javaSeconds;
        double tfRate = tfCount / tfSeconds;
        return new Result(model.channels(), w, model.parameterCount(), javaCount, javaRate, 1e6 / javaRate,
                tfCount, tfRate, 1e6 / tfRate, javaRate / tfRate, maxDiff);
    }
}
