package dev.tandem.edge;

import dev.tandem.edge.alarm.EpisodeTracker;
import dev.tandem.edge.commissioning.Commissioner;
import dev.tandem.edge.detect.DeviceDetector;
import dev.tandem.edge.detect.SequenceGuard;
import dev.tandem.edge.detect.Timers;
import dev.tandem.edge.detect.WindowDecision;
import dev.tandem.edge.uplink.DropReason;
import dev.tandem.edge.uplink.MessageClass;
import dev.tandem.edge.uplink.Outbox;
import dev.tandem.edge.uplink.OutboxStats;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One device of the agent at run time: its {@link DeviceDetector}, its {@link Commissioner}, the
 * version of the model it runs and its state. Its QoS 1 messages (alarms, escalations, the
 * commissioning set, model states) go out through the agent's {@link Outbox}.
 *
 * <p>Readings pass its {@link SequenceGuard} first (epochs, duplicates, a bounded look-ahead). A device
 * that accepted a model in an earlier run {@linkplain #holdReadingsForModel() holds} its readings (bounded)
 * until that model is active again, so that readings queued by the broker while the agent was down are
 * scored rather than lost to a device without a model.
 *
 * <p>Used on the agent's event loop; {@link #state()}, {@link #modelVersion()} and {@link #status()}
 * are safe from any thread.
 */
final class EdgeDevice implements DeviceDetector.Output {
    private static final Logger log = LoggerFactory.getLogger(EdgeDevice.class);

    private final String site;
    private final String deviceClass;
    private final String id;
    private final DeviceDetector detector;
    private final EpisodeTracker episodes;
    private final Commissioner commissioner;
    private final EdgeMetrics metrics;
    private final Outbox outbox;
    private final Consumer<WindowDecision> decisions;
    /** A device with a model that receives readings but takes none for this long is STALLED. */
    static final long STALLED_AFTER_MILLIS = 10_000;

    private final SequenceGuard sequence = new SequenceGuard();
    private final ArrayDeque<ReadingBatch> held = new ArrayDeque<>();
    private int heldSamples;
    private boolean holding;
    private volatile long lastReceived;
    /** The channel names the readings last gave (null until a batch names them): they name the alarms' channels. */
    private volatile List<String> channelNames;
    private volatile boolean stopped;
    private volatile String modelVersion;

    /**
     * @param timers    where its verdict timeouts run
     * @param decisions receives every final window decision
     */
    EdgeDevice(EdgeConfig config, String id, Timers timers, EdgeMetrics metrics, Outbox outbox,
               Consumer<WindowDecision> decisions) {
        this.site = config.site();
        this.deviceClass = config.deviceClass();
        this.id = id;
        this.metrics = metrics;
        this.outbox = outbox;
        this.decisions = decisions;
        this.detector = new DeviceDetector(timers, site, id, config.verdictTimeout().toMillis(), config.alarms(),
                metrics, this);
        this.episodes = detector.episodes();
        this.detector.coverUncertainWindows(config.verdictCover());
        this.commissioner = new Commissioner(config.commissioningSamples());
    }

    String id() {
        return id;
    }

    DeviceDetector detector() {
        return detector;
    }

    /**
     * COMMISSIONING until it has a model, then DETECTING, or STALLED while readings arrive and none is
     * taken (every one refused or a duplicate) for {@value #STALLED_AFTER_MILLIS} ms; OFFLINE after the agent stopped.
     */
    DeviceStatus.State state() {
        if (stopped) {
            return DeviceStatus.State.OFFLINE;
        }
        if (modelVersion == null) {
            return DeviceStatus.State.COMMISSIONING;
        }
        return lastReceived - Math.max(sequence.lastTaken(), activatedAt) > STALLED_AFTER_MILLIS
                ? DeviceStatus.State.STALLED : DeviceStatus.State.DETECTING;
    }

    private volatile long activatedAt;

    SequenceGuard sequence() {
        return sequence;
    }

    /** Holds readings (bounded) until a model is active or {@link #releaseHeldReadings()} (the agent's model wait). */
    void holdReadingsForModel() {
        holding = modelVersion == null;
    }

    boolean holding() {
        return holding;
    }

    /** Stops holding: the held readings go on as if they had just arrived (to commissioning, without a model). */
    void releaseHeldReadings() {
        if (!holding) {
            return;
        }
        holding = false;
        if (!held.isEmpty()) {
            log.info("device {}: {} readings held for a model go on{}", id, heldSamples,
                    modelVersion == null ? " to commissioning (no model came)" : " to model " + modelVersion);
        }
        while (!held.isEmpty()) {
            ReadingBatch b = held.pollFirst();
            heldSamples -= b.samples().size();
            try {
                onReadings(b);
            } catch (TandemException e) {
                log.warn("{} (held reading of device {} dropped)", e, id);
                metrics.error(e.code());
            }
        }
    }

    private void hold(ReadingBatch batch) {
        ReadingBatch first = held.peekFirst();
        if (first != null && first.samples().get(0).channels() != batch.samples().get(0).channels()) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "device " + id + " streams "
                    + first.samples().get(0).channels() + " channels, reading has " + batch.samples().get(0).channels());
        }
        held.addLast(batch);
        heldSamples += batch.samples().size();
        while (heldSamples > EdgeConfig.MAX_HELD_READINGS && held.size() > 1) {
            ReadingBatch oldest = held.pollFirst();
            heldSamples -= oldest.samples().size();
            oldest.samples().forEach(x -> metrics.heldReadingDropped());
        }
    }

    /** The version of the model it runs, or null. */
    String modelVersion() {
        return modelVersion;
    }

    DeviceStatus status() {
        return new DeviceStatus(DeviceStatus.VERSION, site, id, state(), modelVersion, detector.windows(),
                episodes.onsets(), episodes.clears(), episodes.rebaselines(), episodes.episode(),
                detector.escalations(), System.currentTimeMillis(), outboxStatus(outbox.stats()),
                new DeviceStatus.Sequence(sequence.epoch(), sequence.epochs(), sequence.refused(), sequence.gaps(),
                        sequence.lastTaken()));
    }

    static DeviceStatus.Outbox outboxStatus(OutboxStats o) {
        Map<String, Long> by = new LinkedHashMap<>();
        for (MessageClass c : MessageClass.values()) {
            for (DropReason r : DropReason.values()) {
                long n = o.dropped(c, r);
                if (n > 0) {
                    by.put(c.label() + "/" + r.label(), n);
                }
            }
        }
        return new DeviceStatus.Outbox(o.durable(), o.degraded(), o.queued(), o.queuedBytes(), o.replayed(),
                o.droppedTotal(), by);
    }

    /**
     * Each new sample goes into the window, the commissioning set while it is collected, and is scored;
     * held instead while the device waits for its model.
     */
    void onReadings(ReadingBatch batch) {
        long now = System.currentTimeMillis();
        lastReceived = now;
        if (batch.channels() != null) {
            channelNames = batch.channels();
        }
        if (holding) {
            hold(batch);
            return;
        }
        detector.checkChannels(batch.samples().get(0).channels());
        for (Sample sensor : batch.samples()) {
            long seq = sequence.take(batch.epoch(), sensor.seq(), now);
            if (seq == SequenceGuard.DUPLICATE) {
                metrics.duplicate();
                continue;
            }
            if (seq == SequenceGuard.REFUSED) {
                metrics.refusedReading();
                continue;
            }
            Sample s = seq == sensor.seq() ? sensor : new Sample(seq, sensor.ts(), sensor.values());
            if (!detector.add(s)) {
                metrics.duplicate();
                continue;
            }
            metrics.reading();
            List<Sample> commissioningSet = commissioner.offer(s);
            if (commissioningSet != null) {
                sendCommissioning(commissioningSet);
            }
            detector.scoreNewest();
        }
    }

    void onVerdict(Verdict v) {
        switch (detector.onVerdict(v)) {
            case APPLIED -> {
            }
            case REVIEW -> log.debug("device {}: verdict {} on a review: the hub holds through {}", id, v.id(),
                    v.heldThroughSeq());
            case LATE -> log.debug("device {}: verdict {} came after its timeout; the edge decision stood", id, v.id());
            case UNKNOWN -> metrics.badInputLog().log(ErrorCode.UNEXPECTED_TOPIC, "device " + id + ": verdict " + v.id()
                    + " matches no escalation of this agent; ignored");
        }
    }

    /** Runs {@code model} from now on (hot swap); commissioning, if still going, is over. */
    void activate(TinyModel model, int contextSize) {
        detector.install(model, contextSize);
        activated(model);
    }

    /** Runs the candidate in shadow from the next window on (its scorer goes on). */
    void promote(int contextSize) {
        detector.promoteShadow(contextSize);
        activated(detector.model());
    }

    private void activated(TinyModel model) {
        commissioner.complete();
        activatedAt = System.currentTimeMillis();
        modelVersion = model.version();
        releaseHeldReadings();
    }

    /** The agent stops: OFFLINE, no verdict timeout fires any more. */
    void stop() {
        stopped = true;
        detector.close();
    }

    /** Queues one QoS 1 message on this device's topic of {@code kind}. */
    void publish(Topics.Kind kind, Object message) {
        publish(kind, Wire.encode(message));
    }

    private void publish(Topics.Kind kind, byte[] payload) {
        outbox.offer(MessageClass.of(kind), Topics.of(site, id, kind), payload, false);
    }

    private void sendCommissioning(List<Sample> samples) {
        byte[] payload = Wire.encode(Commissioning.of(site, id, deviceClass, samples));
        if (payload.length > Wire.MAX_PAYLOAD_BYTES) {
            log.warn("[{}] device {}: commissioning set of {} samples is {} bytes, over the {} byte limit; the hub "
                            + "will refuse it (lower commissioningSamples)", ErrorCode.OVERSIZED_PAYLOAD, id,
                    samples.size(), payload.length, Wire.MAX_PAYLOAD_BYTES);
            metrics.error(ErrorCode.OVERSIZED_PAYLOAD);
        }
        publish(Topics.Kind.COMMISSIONING, payload);
        metrics.commissioning();
        log.info("device {}: commissioning set of {} samples (seq {}..{}) sent to the hub", id, samples.size(),
                samples.get(0).seq(), samples.get(samples.size() - 1).seq());
    }

    @Override
    public void alarm(Alarm alarm) {
        if (alarm.phase() == Alarm.Phase.UPDATE) {
            log.debug("device {}: alarm {} holding for {} ms", id, alarm.episode(), alarm.heldMillis());
        } else {
            log.info("device {}: alarm {} {} at window {} (score {}, channels {}, held {} ms)", id, alarm.episode(),
                    alarm.phase(), alarm.windowId(), alarm.score(), alarm.channels(), alarm.heldMillis());
        }
        publish(Topics.Kind.ALARMS, alarm.named(channelNames));
    }

    @Override
    public void escalate(Escalation escalation) {
        publish(Topics.Kind.ESCALATIONS, escalation);
    }

    @Override
    public void decided(WindowDecision decision) {
        decisions.accept(decision);
    }
}
