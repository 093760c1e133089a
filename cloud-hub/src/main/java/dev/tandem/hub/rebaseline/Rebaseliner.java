package dev.tandem.hub.rebaseline;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Decides when the hub re-baselines a device. It follows the devices' alarm episodes from their
 * {@code alarms} messages (handed on by the hub's {@link dev.tandem.hub.alarm.AlarmListener}), and after each batch of a device's escalations (a held episode's reviews
 * among them) it checks: an episode holds, it has held {@link RebaselineSettings#heldFor()}, and the
 * hub holds {@link RebaselineSettings#samples()} contiguous recent readings of the device, all after
 * the onset. Then it hands those readings to the re-baseline (judged, re-fitted, signed and sent by
 * the commissioning service: see {@link NewNormal}); at most once per episode for each set of
 * readings (a device judged not settled is judged again once the recent readings have all been
 * renewed; one judgement at a time per device). The edge ends the episode (REBASELINED) when the new model goes active; the hub never
 * decides for the edge what is an alarm.
 */
public final class Rebaseliner {
    private static final Logger LOG = LoggerFactory.getLogger(Rebaseliner.class);

    /**
     * Judges (unless an operator already did: {@code judge} false), re-fits and sends (runs elsewhere;
     * must not block the caller); runs {@code done} when finished.
     */
    public interface Action {
        void rebaseline(DeviceId id, String episode, List<Sample> recent, boolean judge, Runnable done);
    }

    /** What an operator's "normal" label did to the device's held alarm. */
    public enum LabelOutcome {
        /** Re-fitting on the labelled readings (the large model's judgement is not asked). */
        REBASELINING,
        /** The device holds no alarm episode: the label is kept, nothing else to do. */
        NO_HELD_ALARM,
        /** The hub holds too few of the device's readings inside the label since the episode's onset. */
        TOO_FEW_READINGS,
        /** A re-baseline of the device is under way already. */
        BUSY
    }

    private record Attempt(String episode, long throughSeq) {
    }

    private final RebaselineSettings settings;
    private final Action action;
    private final Map<DeviceId, Alarm> held = new ConcurrentHashMap<>();
    private final Map<DeviceId, Attempt> attempts = new ConcurrentHashMap<>();
    private final java.util.Set<DeviceId> inFlight = ConcurrentHashMap.newKeySet();

    public Rebaseliner(RebaselineSettings settings, Action action) {
        this.settings = settings;
        this.action = action;
    }

    public RebaselineSettings settings() {
        return settings;
    }

    /** An episode message of a device. */
    public void onAlarm(Alarm a) {
        DeviceId id = new DeviceId(a.site(), a.device());
        if (a.phase().ends()) {
            held.computeIfPresent(id, (k, old) -> old.episode().equals(a.episode()) ? null : old);
            attempts.computeIfPresent(id, (k, old) -> old.episode().equals(a.episode()) ? null : old);
        } else {
            held.put(id, a);
        }
    }

    /** A re-baseline of this episode was sent: none again for it. */
    public void sent(DeviceId id, String episode) {
        attempts.put(id, new Attempt(episode, Long.MAX_VALUE));
    }

    /** The episode the hub last heard holding on a device, if any. */
    public Alarm held(DeviceId id) {
        return held.get(id);
    }

    /**
     * After a device's escalations were judged: starts a re-baseline if it is due.
     *
     * @param recent the device's recent readings the hub holds (oldest first, contiguous)
     * @return whether one was started
     */
    public boolean consider(DeviceId id, Function<DeviceId, List<Sample>> recent, int recentCount) {
        if (!settings.enabled()) {
            return false;
        }
        Alarm a = held.get(id);
        if (a == null || recentCount < settings.samples() || inFlight.contains(id)) {
            return false;
        }
        List<Sample> r = recent.apply(id);
        if (r.size() < settings.samples()) {
            return false;
        }
        List<Sample> last = r.subList(r.size() - settings.samples(), r.size());
        Sample first = last.get(0), newest = last.get(last.size() - 1);
        long heldMillis = Math.max(a.heldMillis(), newest.ts() - a.onsetTs());
        if (heldMillis < settings.heldFor().toMillis() || first.ts() < a.onsetTs()) {
            return false;
        }
        Attempt prior = attempts.get(id);
        if (prior != null && prior.episode().equals(a.episode())
                && (prior.throughSeq() == Long.MAX_VALUE || newest.seq() - prior.throughSeq() < settings.samples())) {
            return false; // judged on (part of) these readings already
        }
        attempts.put(id, new Attempt(a.episode(), newest.seq()));
        inFlight.add(id);
        LOG.info("{}: alarm {} has held {} s; judging its {} recent readings (seq {}..{}) for a re-baseline", id,
                a.episode(), heldMillis / 1000, last.size(), first.seq(), newest.seq());
        action.rebaseline(id, a.episode(), List.copyOf(last), true, () -> inFlight.remove(id));
        return true;
    }

    /**
     * An operator labelled {@code [fromMs, toMs)} of the device normal: if it holds an alarm episode, the
     * hub re-baselines it on the recent readings inside the label and after the onset (at least
     * {@link RebaselineSettings#samples()} of them, the newest that many), without asking the large
     * model: the operator's word wins.
     */
    public LabelOutcome labelledNormal(DeviceId id, long fromMs, long toMs, List<Sample> recent) {
        Alarm a = held.get(id);
        if (a == null) {
            return LabelOutcome.NO_HELD_ALARM;
        }
        if (inFlight.contains(id)) {
            return LabelOutcome.BUSY;
        }
        long from = Math.max(fromMs, a.onsetTs());
        List<Sample> inside = recent.stream().filter(x -> x.ts() >= from && x.ts() < toMs).toList();
        int need = Math.max(1, settings.samples());
        if (inside.size() < need) {
            LOG.info("{}: labelled normal, but the hub holds {} of its readings inside the label after the onset of {}, "
                    + "{} needed; no re-baseline", id, inside.size(), a.episode(), need);
            return LabelOutcome.TOO_FEW_READINGS;
        }
        List<Sample> last = List.copyOf(inside.subList(inside.size() - need, inside.size()));
        attempts.put(id, new Attempt(a.episode(), last.get(last.size() - 1).seq()));
        inFlight.add(id);
        LOG.info("{}: alarm {} labelled normal by an operator; re-fitting on {} readings (seq {}..{})", id, a.episode(),
                last.size(), last.get(0).seq(), last.get(last.size() - 1).seq());
        action.rebaseline(id, a.episode(), last, false, () -> inFlight.remove(id));
        return LabelOutcome.REBASELINING;
    }
}
