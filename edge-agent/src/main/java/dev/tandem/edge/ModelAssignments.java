package dev.tandem.edge;

import dev.tandem.edge.commissioning.AssignmentVerifier;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ModelState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * A device's model updates. An assignment of the version already running is ignored (the retained
 * assignment comes again on every subscription). Any other is answered on {@code model/state}:
 * RECEIVED at once, then, once verified ({@link AssignmentVerifier}), ACTIVE (hot-swapped in) or
 * REJECTED with the {@link dev.tandem.shared.error.ErrorCode} that refused it, the running model
 * untouched.
 *
 * <p>Used on the agent's event loop.
 */
final class ModelAssignments {
    private static final Logger log = LoggerFactory.getLogger(ModelAssignments.class);

    private final String site;
    private final EdgeMetrics metrics;
    private final Consumer<EdgeDevice> activated;

    /** @param activated called after a device switched to a new model */
    ModelAssignments(String site, EdgeMetrics metrics, Consumer<EdgeDevice> activated) {
        this.site = site;
        this.metrics = metrics;
        this.activated = activated;
    }

    /** @param a an assignment naming the device {@code d} (checked by the router) */
    void onAssignment(EdgeDevice d, ModelAssignment a) {
        String version = a.manifest().version();
        TinyModel current = d.detector().model();
        if (current != null && current.version().equals(version)) {
            log.debug("device {}: model {} already active", d.id(), version);
            return;
        }
        d.publish(Topics.Kind.MODEL_STATE, ModelState.received(site, d.id(), version));
        TinyModel model;
        try {
            model = AssignmentVerifier.verify(a, d.detector().channels());
        } catch (TandemException e) {
            String reason = InboundRouter.oneLine(e);
            log.warn("{} (model {} for device {} rejected; keeping {})", reason, version, d.id(),
                    current == null ? "no model" : "model " + current.version());
            metrics.error(e.code());
            d.publish(Topics.Kind.MODEL_STATE, ModelState.rejected(site, d.id(), version, e.code(), reason));
            return;
        }
        d.activate(model, a.contextSize());
        metrics.modelActivated();
        d.publish(Topics.Kind.MODEL_STATE, ModelState.active(site, d.id(), version));
        log.info("device {}: model {} active ({} parameters, window {}, context {}){}", d.id(), model.version(),
                model.parameterCount(), model.windowSize(), d.detector().contextSize(),
                current == null ? "" : ", replacing " + current.version());
        activated.accept(d);
    }
}
