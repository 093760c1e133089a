package dev.tandem.hub.live;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recent readings the hub has seen of each device and what it judged on them, for the console's
 * chart. The hub sees a device's raw readings only in its commissioning set (the first readings, which its
 * models are fitted on) and inside its escalations (each carries the samples the hub does not hold yet), so
 * a trail is the union of those samples, in sequence order, with gaps where the edge decided alone; beside
 * them the escalations and their verdicts. Bounded per device
 * ({@value #MAX_SAMPLES} samples, {@value #MAX_JUDGED} escalations, oldest dropped); devices are those
 * the hub accepted escalations from. Thread-safe.
 */
public final class DeviceTrails {
    public static final int MAX_SAMPLES = 1200;
    public static final int MAX_JUDGED = 500;

    /**
     * An escalation and the hub's verdict (null fields: the hub gave none).
     *
     * @param ts the escalated window's time (its newest sample's, epoch ms sample time)
     */
    public record Judged(String deviceId, String escalationId, long windowId, long ts, double edgeScore,
                         String edgeModelVersion, Boolean anomaly, Double score, String hubModelVersion,
                         Long decidedAt) {
    }

    /**
     * A device's trail, oldest first.
     *
     * @param commissionedThroughSeq the last sample of its newest commissioning set (-1: none seen)
     */
    public record Trail(List<Sample> samples, List<Judged> judged, long commissionedThroughSeq) {
    }

    private static final class Held {
        final ArrayDeque<Sample> samples = new ArrayDeque<>();
        final ArrayDeque<Judged> judged = new ArrayDeque<>();
        long commissionedThrough = -1;
    }

    /** Adds a device's commissioning set (a set that starts its sequence over starts the trail over). */
    public void commissioned(Commissioning c) {
        List<Sample> samples = c.samples();
        Held h = held.computeIfAbsent(new DeviceId(c.site(), c.device()), k -> new Held());
        synchronized (h) {
            Sample newest = samples.get(samples.size() - 1);
            if (!h.samples.isEmpty() && newest.seq() < h.samples.peekLast().seq()) {
                h.samples.clear();
            }
            merge(h.samples, samples);
            h.commissionedThrough = newest.seq();
        }
    }

    private final Map<DeviceId, Held> held = new ConcurrentHashMap<>();

    /** Adds an escalation's samples and the verdict on it (null: none); returns what was recorded. */
    public Judged record(Escalation e, Verdict v) {
        DeviceId id = new DeviceId(e.site(), e.device());
        List<Sample> samples = e.samples();
        Judged j = new Judged(e.site() + ":" + e.device(), e.id(), e.windowId(), samples.get(samples.size() - 1).ts(),
                e.edgeScore(), e.modelVersion(), v == null ? null : v.anomaly(), v == null ? null : v.score(),
                v == null ? null : v.hubModelVersion(), v == null ? null : v.decidedAt());
        Held h = held.computeIfAbsent(id, k -> new Held());
        synchronized (h) {
            merge(h.samples, samples);
            h.judged.addLast(j);
            while (h.judged.size() > MAX_JUDGED) {
                h.judged.removeFirst();
            }
        }
        return j;
    }

    /**
     * Keeps the deque in seq order without duplicates: samples before the first held go in front, after the
     * last held at the end, the others are held already (an overlap or a redelivery) or fill a gap (dropped).
     */
    private static void merge(ArrayDeque<Sample> into, List<Sample> samples) {
        Sample newest = samples.get(samples.size() - 1);
        if (!into.isEmpty() && (newest.channels() != into.peekLast().channels()
                || newest.seq() < into.peekLast().seq() - 10L * MAX_SAMPLES)) {
            into.clear(); // a new channel count, or a sequence that started over (a sensor restart): the old is history
        }
        if (!into.isEmpty()) {
            long first = into.peekFirst().seq();
            for (int i = samples.size() - 1; i >= 0; i--) {
                if (samples.get(i).seq() < first) {
                    into.addFirst(samples.get(i));
                }
            }
        }
        for (Sample s : samples) {
            if (into.isEmpty() || s.seq() > into.peekLast().seq()) {
                into.addLast(s);
            }
        }
        while (into.size() > MAX_SAMPLES) {
            into.removeFirst();
        }
    }

    /** The newest {@code limit} samples and the escalations judged since the first of them. */
    public Optional<Trail> of(DeviceId id, int limit) {
        Held h = held.get(id);
        if (h == null) {
            return Optional.empty();
        }
        synchronized (h) {
            List<Sample> all = new ArrayList<>(h.samples);
            List<Sample> samples = all.subList(Math.max(0, all.size() - limit), all.size());
            long from = samples.isEmpty() ? Long.MIN_VALUE : samples.get(0).seq();
            List<Judged> judged = new ArrayList<>();
            for (Judged j : h.judged) {
                if (j.windowId() >= from) {
                    judged.add(j);
                }
            }
            return Optional.of(new Trail(List.copyOf(samples), judged, h.commissionedThrough));
        }
    }
}
