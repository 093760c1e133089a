package dev.tandem.hub.retrain;

import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.commissioning.CommissioningService;
import dev.tandem.hub.escalation.EscalationWorker;
import dev.tandem.hub.fit.DeviceFitter;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.fleet.DeviceModels;
import dev.tandem.hub.fleet.FleetRegistry;
import dev.tandem.hub.store.HubStore;
import dev.tandem.hub.store.Labels;
import dev.tandem.hub.store.RetrainingRuns;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Retrains one device on what the hub holds of it, when asked ({@code POST /devices/{id}/retrain},
 * {@code ./tandem hub retrain --device ID}): its recent contiguous readings (what its escalations and
 * the reviews of a held alarm brought), the newest {@link #GATE_SHARE} held back for the gate and the
 * rest the training set (readings an operator labelled anomalous left out: labels win). The candidate
 * is fitted through the one fit path ({@link DeviceFitter}, the class's variant), judged by the
 * {@link RetrainGate} against the active model on the held-back slice (labels, else the teacher's
 * verdicts), and only if it passes is the device commissioned on the training set and the new model
 * published signed, naming the active one as parent ({@link CommissioningService#refit}). Every run is
 * kept in the store with its outcome and the gate's figures, a refused one with its reason, and
 * counted ({@code tandem.hub.retrains{outcome}}).
 */
public final class RetrainService {
    private static final Logger LOG = LoggerFactory.getLogger(RetrainService.class);
    /** Fewest recent readings a retraining takes: a fit's worth and a slice to judge it on. */
    public static final int MIN_READINGS = 200;
    /** The newest share of the readings held back for the gate. */
    public static final double GATE_SHARE = 0.3;

    public enum Status {
        PUBLISHED, REFUSED, FAILED
    }

    /** What one run did. */
    public record Run(String id, DeviceId device, String reason, Status status, String code, String message,
                      String parentVersion, String candidateVersion, int readings, int trainReadings,
                      int teacherDropped, RetrainGate.Result gate, long requestedAt, long finishedAt, boolean stored) {
    }

    private final FleetRegistry fleet;
    private final EscalationWorker escalations;
    private final CommissioningService commissioning;
    private final HubStore store;
    private final HubMetrics metrics;
    private final Executor executor;

    public RetrainService(FleetRegistry fleet, EscalationWorker escalations, CommissioningService commissioning,
                          HubStore store, HubMetrics metrics, Executor executor) {
        this.fleet = fleet;
        this.escalations = escalations;
        this.commissioning = commissioning;
        this.store = store;
        this.metrics = metrics;
        this.executor = executor;
    }

    /**
     * Retrains {@code id} (asked for {@code reason}); completes with the run, or exceptionally with
     * UNKNOWN_DEVICE for a device this hub holds no model of.
     */
    public CompletableFuture<Run> retrain(DeviceId id, String reason) {
        DeviceModels active = fleet.models(id).orElse(null);
        if (active == null) {
            return CompletableFuture.failedFuture(new TandemException(ErrorCode.UNKNOWN_DEVICE, "no model of " + id
                    + " in this hub: nothing to retrain"));
        }
        String why = reason == null || reason.isBlank() ? "operator" : reason.length() > 64 ? reason.substring(0, 64) : reason;
        long requested = System.currentTimeMillis();
        String runId = "rt-" + requested + "-" + UUID.randomUUID().toString().substring(0, 8);
        return escalations.withRecent(id, List::copyOf)
                .thenApplyAsync(recent -> run(runId, id, why, active, recent, requested), executor);
    }

    private Run run(String runId, DeviceId id, String reason, DeviceModels asked, List<Sample> recent, long requested) {
        DeviceModels active = fleet.models(id).orElse(asked); // a run queued behind another judges what is active now
        String parent = active.tiny().version();
        try {
            if (recent.size() < MIN_READINGS) {
                return finish(new Run(runId, id, reason, Status.REFUSED, "TOO_FEW_READINGS", "the hub holds "
                        + recent.size() + " contiguous recent readings of " + id + ", " + MIN_READINGS + " needed (its "
                        + "escalations and the reviews of a held alarm bring them)", parent, null, recent.size(), 0, 0, null,
                        requested, System.currentTimeMillis(), false));
            }
            RetrainGate.Labels labels = labels(id);
            int gateSize = Math.max((int) Math.ceil(GATE_SHARE * recent.size()),
                    active.large().contextSize() + active.tiny().windowSize());
            List<Sample> slice = recent.subList(recent.size() - gateSize, recent.size());
            List<Sample> head = recent.subList(0, recent.size() - gateSize);
            // distillation: the teacher judges the training readings on the verdict worker (it owns the large model)
            RetrainGate.Truth taught = escalations.withRecent(id, ignored -> RetrainGate.truth(id, active.tiny(),
                    active.large(), head, labels, active.large().contextSize() - 1)).join();
            List<Sample> train = new ArrayList<>();
            for (int i = 0; i < head.size(); i++) {
                if (!taught.anomaly()[i]) {
                    train.add(head.get(i));
                }
            }
            int teacherDropped = taught.teacherAnomalies();
            if (train.size() < dev.tandem.hub.rebaseline.RebaselineSettings.MIN_SAMPLES) {
                return finish(new Run(runId, id, reason, Status.REFUSED, "TOO_FEW_READINGS", train.size()
                        + " readings of " + head.size() + " left to train on after those labelled anomalous ("
                        + (head.size() - train.size() - teacherDropped) + ") and those the teacher judged anomalous ("
                        + teacherDropped + "), " + dev.tandem.hub.rebaseline.RebaselineSettings.MIN_SAMPLES + " needed",
                        parent, null, recent.size(), train.size(), teacherDropped, null, requested,
                        System.currentTimeMillis(), false));
            }
            TinyModel candidate = DeviceFitter.fitTiny(Commissioning.of(id.site(), id.device(), active.deviceClass(), train),
                    commissioning.settings());
            // the teacher judges on the verdict worker, which owns the device's large model (and its retirement)
            RetrainGate.Result gate = escalations.withRecent(id, ignored -> RetrainGate.judge(id, active.tiny(),
                    active.large(), candidate, slice, labels)).join();
            if (!gate.passed()) {
                return finish(new Run(runId, id, reason, Status.REFUSED, "GATE_REFUSED", gate.reason(), parent,
                        candidate.version(), recent.size(), train.size(), teacherDropped, gate, requested, System.currentTimeMillis(),
                        false));
            }
            boolean published = commissioning.refit(id, active, train);
            return finish(new Run(runId, id, reason, published ? Status.PUBLISHED : Status.FAILED,
                    published ? null : "NOT_PUBLISHED", published ? gate.reason()
                    : "the gate passed but the model was not published (a newer set of the device, or a rollout holds "
                    + "its assignment)", parent, candidate.version(), recent.size(), train.size(), teacherDropped, gate, requested,
                    System.currentTimeMillis(), false));
        } catch (RuntimeException e0) {
            RuntimeException e = e0 instanceof java.util.concurrent.CompletionException && e0.getCause() instanceof
                    RuntimeException c ? c : e0;
            String code = e instanceof TandemException t ? t.code().name() : ErrorCode.INTERNAL_ERROR.name();
            LOG.warn("{}: retraining {} failed: {}", id, runId, e.toString());
            return finish(new Run(runId, id, reason, Status.FAILED, code, String.valueOf(e.getMessage()), parent, null,
                    recent.size(), 0, 0, null, requested, System.currentTimeMillis(), false));
        }
    }

    /** The operator's labels of the device (none while the database is away: the teacher decides alone). */
    private RetrainGate.Labels labels(DeviceId id) {
        List<Labels.LabelRecord> all;
        try {
            all = store.labels().list(id.site(), id.device());
        } catch (TandemException e) {
            metrics.error(e.code(), "labels of " + id + " not read for its retraining: " + e.getMessage());
            return RetrainGate.Labels.NONE;
        }
        return ts -> {
            Boolean out = null;
            for (Labels.LabelRecord l : all) { // the newest label covering the reading wins
                if (ts >= l.fromMs() && ts < l.toMs()) {
                    out = l.anomaly();
                }
            }
            return out;
        };
    }

    private Run finish(Run r) {
        metrics.retrain(switch (r.status()) {
            case PUBLISHED -> HubMetrics.RETRAIN_PUBLISHED;
            case REFUSED -> HubMetrics.RETRAIN_REFUSED;
            case FAILED -> HubMetrics.RETRAIN_FAILED;
        });
        boolean stored;
        try {
            store.retraining().add(new RetrainingRuns.Run(r.id(), r.device().site(), r.device().device(), r.reason(),
                    r.status().name(), r.requestedAt(), r.requestedAt(), r.finishedAt(), r.parentVersion(),
                    r.candidateVersion(), new String(Wire.encode(detail(r)), java.nio.charset.StandardCharsets.UTF_8)));
            stored = true;
        } catch (TandemException e) {
            metrics.error(e.code(), "retraining run " + r.id() + " not kept: " + e.getMessage());
            stored = false;
        }
        LOG.info("{}: retraining {} ({}): {}{}", r.device(), r.id(), r.reason(), r.status(),
                r.message() == null ? "" : ": " + r.message());
        return new Run(r.id(), r.device(), r.reason(), r.status(), r.code(), r.message(), r.parentVersion(),
                r.candidateVersion(), r.readings(), r.trainReadings(), r.teacherDropped(), r.gate(), r.requestedAt(), r.finishedAt(), stored);
    }

    /** What the store keeps of a run besides its columns: the code, message, readings and the gate's figures. */
    public static Map<String, Object> detail(Run r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("code", r.code());
        d.put("message", r.message());
        d.put("readings", r.readings());
        d.put("trainReadings", r.trainReadings());
        d.put("teacherDropped", r.teacherDropped());
        d.put("gate", r.gate() == null ? null : gate(r.gate()));
        return d;
    }

    public static Map<String, Object> gate(RetrainGate.Result g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("passed", g.passed());
        m.put("reason", g.reason());
        m.put("windows", g.windows());
        m.put("labelledWindows", g.labelledWindows());
        m.put("teacherAnomalies", g.teacherAnomalies());
        m.put("active", figures(g.active()));
        m.put("candidate", figures(g.candidate()));
        return m;
    }

    private static Map<String, Object> figures(RetrainGate.Figures f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", f.version());
        m.put("agreement", f.agreement());
        m.put("f1", f.f1());
        m.put("far", f.far());
        return m;
    }
}
