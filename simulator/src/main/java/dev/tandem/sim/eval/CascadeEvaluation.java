package dev.tandem.sim.eval;

import dev.tandem.edge.EdgeConfig;
import dev.tandem.edge.EdgeMetrics;
import dev.tandem.edge.alarm.AlarmSettings;
import dev.tandem.edge.alarm.EpisodeTracker;
import dev.tandem.edge.detect.DeviceDetector;
import dev.tandem.edge.detect.ManualTimers;
import dev.tandem.edge.detect.WindowDecision;
import dev.tandem.hub.escalation.EscalationWorker;
import dev.tandem.hub.fit.DeviceFitter;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.fit.FittedDevice;
import dev.tandem.hub.fit.ModelVersions;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.large.LargeModel;
import dev.tandem.hub.rebaseline.NewNormal;
import dev.tandem.hub.rebaseline.RebaselineSettings;
import dev.tandem.hub.rebaseline.Rebaseliner;
import dev.tandem.hub.verdict.VerdictScorer;
import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three-mode evaluation through the real code path, device by device:
 * <ol>
 *   <li><b>Commissioning</b>, as the hub does on a {@link Commissioning} message: the device's
 *       commissioning samples fit its tiny and large models through the hub's {@link DeviceFitter}
 *       (the same settings, versions from {@link ModelVersions}); the tiny model travels as the hub
 *       ships it (codec, manifest, verification) and is loaded from those bytes.</li>
 *   <li><b>Detection</b> by the edge agent's own {@link DeviceDetector} (no broker: its output is
 *       wired straight to an in-process hub half): the commissioning samples are already in its
 *       window, then every test sample is added and the window ending at it is scored and decided.
 *       The mode only changes the escalation policy the model is installed with:
 *       <ul>
 *         <li>{@code edge}: {@link EscalationPolicy#edgeOnly} at the model's threshold, nothing escalated;</li>
 *         <li>{@code cloud}: a band covering every score, so every window is escalated and the large model decides;</li>
 *         <li>{@code collaborative}: the model's own band (derived from its escalation budget).</li>
 *       </ul></li>
 *   <li><b>Escalations</b> are answered as the hub's verdict worker answers them: the payload is
 *       encoded ({@link Wire#encode}; these bytes are the uplink) and decoded, and judged by the hub's
 *       {@link VerdictScorer} (context store, tracked view, large model, verdict rule) as a group of
 *       one; the hub's {@link Verdict} goes back to the detector before the next sample arrives (a
 *       verdict within one sampling period), so that the next escalation only carries the samples
 *       the hub does not hold.</li>
 *   <li><b>Re-baselining</b> in the modes with a hub (cloud, collaborative), as the hub does it: the
 *       hub's {@link Rebaseliner} follows the device's alarm episodes and, once one has held long
 *       enough and the hub holds enough of the device's readings after its onset (the edge's reviews
 *       send them), judges them with {@link NewNormal}; on a new normal the device is fitted on them
 *       through the one fit path and the new tiny model is installed (shipped and verified as the hub
 *       ships it), ending the episode REBASELINED. In the evaluation the new model goes active before
 *       the next sample (a live hub takes its fitting time).</li>
 * </ol>
 * Decisions are point-wise: the (final) decision of the window ending at a sample is that
 * sample's decision. rawUplinkBytes = the bytes of streaming every test reading to the cloud in
 * the same encoding, one {@link ReadingBatch} per reading.
 */
public final class CascadeEvaluation {
    /** Site id of the evaluated devices. */
    public static final String SITE = "eval";

    /** How a window is decided. */
    public enum Mode {
        EDGE, CLOUD, COLLABORATIVE;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * How the devices are run besides their fit settings: {@code alarms} holds the episodes,
     * {@code rebaseline} is when the hub re-baselines (cloud and collaborative modes), and
     * {@code deviceClass} is the class the devices name at commissioning (the hub ships that class's
     * variant of the tiny model).
     */
    public record Options(AlarmSettings alarms, RebaselineSettings rebaseline, String deviceClass) {
        public Options {
            java.util.Objects.requireNonNull(alarms, "alarms");
            java.util.Objects.requireNonNull(rebaseline, "rebaseline");
            dev.tandem.shared.wire.Checks.id("deviceClass", deviceClass);
        }

        public static Options defaults() {
            return new Options(AlarmSettings.defaults(), RebaselineSettings.defaults(), Commissioning.DEFAULT_CLASS);
        }

        public Options withDeviceClass(String newClass) {
            return new Options(alarms, rebaseline, newClass);
        }

        public Options withAlarms(AlarmSettings newAlarms) {
            return new Options(newAlarms, rebaseline, deviceClass);
        }
    }

    /** Where the evaluation is (for a progress line). */
    public interface Progress {
        void update(int device, int devices, String deviceId, String phase);

        Progress NONE = (device, devices, deviceId, phase) -> {
        };
    }

    /**
     * What one mode did on one device: its window decisions, and its alarm episodes ({@code held}: an
     * episode holds after the row; {@code onsets}: one was raised on the row).
     */
    public record ModeRun(Mode mode, boolean[] decisions, boolean[] escalated, double[] largeScores, long windows,
                          long escalations, long verdicts, long uplinkBytes, Confusion confusion, boolean[] held,
                          boolean[] onsets, Episodes episodes) {
    }

    /**
     * One device's evaluation: its models, the tiny model's score of every test window (identical
     * in every mode: the runtime is the same), and each mode's run.
     */
    public record DeviceResult(EvalStream stream, TinyModel tiny, String largeVersion, long largeParameters,
                               int largeContext, double[] tinyScores, long rawUplinkBytes, Map<Mode, ModeRun> modes) {
    }

    /** Totals over devices (micro-averaged). */
    public record ModeTotals(Mode mode, Confusion confusion, long windows, long escalations, long verdicts,
                             long uplinkBytes, long rawUplinkBytes, Map<String, DetectionDelay.KindSummary> delays,
                             Episodes episodes) {
        public double escalationRate() {
            return windows == 0 ? Double.NaN : (double) escalations / windows;
        }

        public double uplinkShare() {
            return rawUplinkBytes == 0 ? Double.NaN : (double) uplinkBytes / rawUplinkBytes;
        }
    }

    /** The whole run. */
    public record Result(List<DeviceResult> devices, Map<Mode, ModeTotals> modes, FitSettings settings, long millis) {
    }

    private CascadeEvaluation() {
    }

    /** Runs the three modes on every stream, alarm episodes as the edge agent's defaults hold them. */
    public static Result run(List<EvalStream> streams, FitSettings settings, Progress progress) {
        return run(streams, settings, AlarmSettings.defaults(), progress);
    }

    /**
     * Runs the three modes on every stream; {@code alarms} holds the episodes (in the edge mode without
     * reviews: there is no hub to review them).
     */
    public static Result run(List<EvalStream> streams, FitSettings settings, AlarmSettings alarms, Progress progress) {
        return run(streams, settings, Options.defaults().withAlarms(alarms), progress);
    }

    /** Runs the three modes on every stream, as {@code options} say. */
    public static Result run(List<EvalStream> streams, FitSettings settings, Options options, Progress progress) {
        long t0 = System.nanoTime();
        List<DeviceResult> devices = new ArrayList<>(streams.size());
        for (int i = 0; i < streams.size(); i++) {
            devices.add(device(streams.get(i), settings, options, i, streams.size(), progress));
        }
        return combine(devices, settings, (System.nanoTime() - t0) / 1_000_000);
    }

    /** A result of device runs made elsewhere (e.g. each chosen by {@link LeaveOneOut}), with their totals. */
    public static Result combine(List<DeviceResult> devices, FitSettings settings, long millis) {
        Map<Mode, ModeTotals> totals = new EnumMap<>(Mode.class);
        for (Mode mode : Mode.values()) {
            totals.put(mode, totals(devices, mode));
        }
        return new Result(List.copyOf(devices), totals, settings, millis);
    }

    private static ModeTotals totals(List<DeviceResult> devices, Mode mode) {
        List<Confusion> parts = new ArrayList<>();
        List<Episodes> episodeParts = new ArrayList<>();
        long windows = 0, escalations = 0, verdicts = 0, uplink = 0, raw = 0;
        List<Episode> episodes = new ArrayList<>();
        Map<String, DetectionDelay.Track> tracks = new LinkedHashMap<>();
        for (DeviceResult d : devices) {
            ModeRun r = d.modes().get(mode);
            parts.add(r.confusion());
            episodeParts.add(r.episodes());
            windows += r.windows();
            escalations += r.escalations();
            verdicts += r.verdicts();
            uplink += r.uplinkBytes();
            raw += d.rawUplinkBytes();
            if (!d.stream().episodes().isEmpty() && !d.stream().test().isEmpty()) {
                episodes.addAll(d.stream().episodes());
                long[] ts = d.stream().test().stream().mapToLong(Sample::ts).toArray();
                tracks.put(d.stream().deviceId(), new DetectionDelay.Track(d.stream().firstTestSeq(), r.decisions(), ts));
            }
        }
        Map<String, DetectionDelay.KindSummary> delays = episodes.isEmpty() ? Map.of()
                : DetectionDelay.byKind(DetectionDelay.measureTracks(episodes, tracks));
        return new ModeTotals(mode, Confusion.sum(parts), windows, escalations, verdicts, uplink, raw, delays,
                Episodes.sum(episodeParts));
    }

    private static DeviceResult device(EvalStream s, FitSettings settings, Options options, int index, int count,
                                       Progress progress) {
        AlarmSettings alarms = options.alarms();
        RebaselineSettings rebaseline = options.rebaseline();
        progress.update(index, count, s.deviceId(), "commissioning");
        FittedDevice fitted = fit(s, settings, options.deviceClass());
        try (LargeModel large = fitted.large()) {
            TinyModel tiny = shipped(fitted.tiny());
            long raw = 0;
            for (Sample sample : s.test()) {
                raw += Wire.encode(ReadingBatch.of(SITE, s.deviceId(), List.of(sample))).length;
            }
            Map<Mode, ModeRun> runs = new EnumMap<>(Mode.class);
            double[] tinyScores = null;
            for (Mode mode : Mode.values()) {
                progress.update(index, count, s.deviceId(), mode.key());
                double[] scores = new double[s.test().size()];
                runs.put(mode, mode == Mode.EDGE ? run(s, tiny, large, mode, alarms.withoutReviews(),
                        RebaselineSettings.off(), settings, options.deviceClass(), scores)
                        : run(s, tiny, large, mode, alarms, rebaseline, settings, options.deviceClass(), scores));
                if (tinyScores == null) {
                    tinyScores = scores;
                }
            }
            return new DeviceResult(s, tiny, large.version(), large.parameterCount(), large.contextSize(), tinyScores,
                    raw, runs);
        }
    }

    /** The tiny model as the edge loads it: from the bytes the hub ships, verified against their manifest. */
    private static TinyModel shipped(TinyModel fitted) {
        byte[] artifact = TinyModelCodec.encode(fitted);
        return TinyModelCodec.verifyAndDecode(TinyModelCodec.manifest(fitted, artifact), artifact);
    }

    /** A stream's device fitted as the hub fits it on the stream's commissioning set (the caller closes its large model). */
    static FittedDevice fit(EvalStream s, FitSettings settings) {
        return fit(s, settings, Commissioning.DEFAULT_CLASS);
    }

    /** The same, the device naming {@code deviceClass} at commissioning. */
    static FittedDevice fit(EvalStream s, FitSettings settings, String deviceClass) {
        return DeviceFitter.fit(Commissioning.of(SITE, s.deviceId(), deviceClass, s.commissioning()), settings);
    }

    /**
     * The hub's verdict on one escalation (a group of one, as a verdict arrives before the next sample);
     * a context the large model refuses fails the evaluation.
     */
    static Verdict judge(VerdictScorer scorer, DeviceId id, LargeModel large, Escalation received) {
        VerdictScorer.Judgement j = scorer.judge(id, large, List.of(received)).get(0);
        if (j.refused()) {
            throw j.refusal();
        }
        return j.verdict(large.version(), System.currentTimeMillis());
    }

    /**
     * A due re-baseline, as the hub's commissioning service does it: the readings judged by
     * {@link NewNormal}, and on a new normal the device fitted on them and the new tiny model installed
     * on the edge (which ends the held episode).
     */
    private static void rebaseline(EvalStream s, Mode mode, FitSettings settings, String deviceClass,
                                   RebaselineSettings rebaseline,
                                   Rebaseliner rebaseliner, HubHalf hub, DeviceId id, DeviceDetector detector) {
        List<Sample> recent = hub.due;
        hub.due = null;
        if (!NewNormal.judge(SITE, s.deviceId(), deviceClass, recent, settings).steady(rebaseline.maxAnomalousShare())) {
            return;
        }
        FittedDevice refit = DeviceFitter.fit(Commissioning.of(SITE, s.deviceId(), deviceClass, recent), settings);
        TinyModel next = shipped(refit.tiny());
        hub.replace(refit.large());
        rebaseliner.sent(id, hub.dueEpisode);
        detector.install(next.withPolicy(next.version(), policy(next, mode)), refit.large().contextSize());
    }

    /** The policy a mode installs the model with. */
    static EscalationPolicy policy(TinyModel model, Mode mode) {
        double threshold = model.policy().threshold();
        return switch (mode) {
            case EDGE -> EscalationPolicy.edgeOnly(threshold);
            case CLOUD -> new EscalationPolicy(-Double.MAX_VALUE, threshold, Double.MAX_VALUE);
            case COLLABORATIVE -> model.policy();
        };
    }

    /** The hub's half of one device in one mode: its large model now, and the re-baselines it sent. */
    private static final class HubHalf implements AutoCloseable {
        final LargeModel commissioned;
        LargeModel large;
        /** Readings a due re-baseline is to judge (set by the {@link Rebaseliner}'s action). */
        List<Sample> due;
        String dueEpisode;

        HubHalf(LargeModel commissioned) {
            this.commissioned = commissioned;
            this.large = commissioned;
        }

        void replace(LargeModel next) {
            if (large != commissioned) {
                large.close();
            }
            large = next;
        }

        @Override
        public void close() {
            replace(commissioned);
        }
    }

    private static ModeRun run(EvalStream s, TinyModel tiny, LargeModel commissionedLarge, Mode mode,
                               AlarmSettings alarms, RebaselineSettings rebaseline, FitSettings settings,
                               String deviceClass, double[] tinyScores) {
        int n = s.test().size();
        long first = s.firstTestSeq();
        boolean[] decisions = new boolean[n];
        boolean[] decided = new boolean[n];
        boolean[] escalated = new boolean[n];
        double[] largeScores = new double[n];
        Arrays.fill(largeScores, Double.NaN);
        boolean[] held = new boolean[n];
        boolean[] onsets = new boolean[n];
        List<Escalation> outbox = new ArrayList<>();
        HubHalf hub = new HubHalf(commissionedLarge);
        // judged and fitted after this batch, as the hub's fit pool would (the evaluation has no operator
        // labels, so every re-baseline is judged)
        Rebaseliner rebaseliner = new Rebaseliner(rebaseline, (id, episode, recent, judge, done) -> {
            hub.due = recent;
            hub.dueEpisode = episode;
            done.run();
        });
        DeviceDetector.Output output = new DeviceDetector.Output() {
            @Override
            public void alarm(Alarm alarm) {
                rebaseliner.onAlarm(alarm);
                int i = (int) (alarm.windowId() - first);
                if (alarm.phase() == Alarm.Phase.ONSET && i >= 0 && i < n) {
                    onsets[i] = true;
                }
            }

            @Override
            public void escalate(Escalation escalation) {
                outbox.add(escalation);
            }

            @Override
            public void decided(WindowDecision d) {
                int i = (int) (d.windowId() - first);
                if (i >= 0 && i < n) {
                    decisions[i] = d.finalAnomaly();
                    decided[i] = true;
                    escalated[i] = d.escalated();
                    tinyScores[i] = d.score();
                }
            }
        };
        // a verdict comes back before the next sample; the clock is never advanced, so no timeout fires;
        // alarm episodes through the edge's own tracker (inside the detector), on the rows' sample times
        DeviceDetector detector = new DeviceDetector(new ManualTimers(), SITE, s.deviceId(),
                EdgeConfig.DEFAULT_VERDICT_TIMEOUT.toMillis(), alarms,
                new EdgeMetrics("eval-" + s.deviceId()), output);
        for (Sample sample : s.commissioning()) {
            detector.add(sample);
        }
        if (mode == Mode.CLOUD) {
            detector.coverUncertainWindows(0); // the cloud mode sends every window to the hub
        }
        detector.install(tiny.withPolicy(tiny.version(), policy(tiny, mode)), commissionedLarge.contextSize());
        VerdictScorer scorer = rebaseline.enabled() ? new VerdictScorer(rebaseline.samples()) : new VerdictScorer();
        DeviceId id = new DeviceId(SITE, s.deviceId());
        long uplink = 0, escalations = 0, verdicts = 0;
        try (hub) {
            for (int row = 0; row < n; row++) {
                Sample sample = s.test().get(row);
                detector.add(sample);
                detector.scoreNewest();
                for (Escalation e : outbox) {
                    byte[] payload = Wire.encode(e);
                    uplink += payload.length;
                    escalations++;
                    Escalation received = Wire.decode(payload, Escalation.class, EscalationWorker.MAX_ESCALATION_BYTES);
                    Verdict v = judge(scorer, id, hub.large, received);
                    int i = (int) (received.windowId() - first);
                    if (i >= 0 && i < n) {
                        largeScores[i] = v.score();
                    }
                    DeviceDetector.VerdictOutcome outcome = detector.onVerdict(Wire.decode(Wire.encode(v), Verdict.class));
                    if (outcome == DeviceDetector.VerdictOutcome.APPLIED
                            || outcome == DeviceDetector.VerdictOutcome.REVIEW) {
                        verdicts++;
                    }
                }
                if (!outbox.isEmpty() && rebaseliner.consider(id, scorer::recent, scorer.recentCount(id))) {
                    rebaseline(s, mode, settings, deviceClass, rebaseline, rebaseliner, hub, id, detector);
                }
                outbox.clear();
                held[row] = detector.episodes().holding();
            }
        } finally {
            detector.close();
        }
        for (int i = 0; i < n; i++) {
            if (!decided[i]) {
                throw new IllegalStateException(s.deviceId() + ": no decision for test sample " + (first + i));
            }
        }
        boolean[] labels = s.testLabels();
        Confusion confusion = Confusion.count(labels, decisions);
        long heldRows = 0, trueOnsets = 0;
        for (int i = 0; i < n; i++) {
            heldRows += held[i] ? 1 : 0;
            trueOnsets += onsets[i] && labels[i] ? 1 : 0;
        }
        EpisodeTracker e = detector.episodes();
        Episodes episodes = new Episodes(e.onsets(), trueOnsets, e.clears(), e.rebaselines(), heldRows,
                e.heldMillisTotal(), Confusion.count(labels, held));
        return new ModeRun(mode, decisions, escalated, largeScores, n, escalations, verdicts, uplink, confusion, held,
                onsets, episodes);
    }
}
