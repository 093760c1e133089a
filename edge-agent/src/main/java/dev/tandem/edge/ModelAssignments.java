package dev.tandem.edge;

import dev.tandem.edge.commissioning.AssignmentVerifier;
import dev.tandem.edge.trust.AcceptedModels;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.ManifestVerifier;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ModelState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A device's model updates. The assignment's manifest must be signed by the pinned hub key and
 * name this device and class ({@link AssignmentVerifier}); its generation must be above the one the
 * device has accepted, except that the accepted generation of the accepted version is taken again
 * after a restart (the retained assignment of the model the device ran). A manifest for the version
 * already running is taken silently (a higher generation is recorded). Any other is answered on
 * {@code model/state}: RECEIVED once its origin is proven, then ACTIVE (hot-swapped in, the new
 * generation recorded on disk first) or REJECTED with the {@link ErrorCode} that refused it, the
 * running model untouched. An assignment whose origin cannot be proven is REJECTED at once.
 *
 * <p>Used on the agent's event loop.
 */
final class ModelAssignments {
    private static final Logger log = LoggerFactory.getLogger(ModelAssignments.class);

    private final String site;
    private final String deviceClass;
    private final ManifestVerifier pinned;
    /** The key the agent trusts now: the pinned one, or where the hub's signed rotations lead from it. */
    private ManifestVerifier verifier;
    private final AcceptedModels accepted;
    private final EdgeMetrics metrics;
    private final Consumer<EdgeDevice> activated;
    /** Per device, the last assignment refused for its signing key: tried again after a key rotation. */
    private final Map<String, Map.Entry<EdgeDevice, ModelAssignment>> unknownKey = new HashMap<>();
    /** Per device, the generation accepted in this run (the disk holds it across runs). */
    private final Map<String, Long> generations = new HashMap<>();

    /** @param activated called after a device switched to a new model */
    ModelAssignments(EdgeConfig config, AcceptedModels accepted, EdgeMetrics metrics, Consumer<EdgeDevice> activated) {
        this.site = config.site();
        this.deviceClass = config.deviceClass();
        this.pinned = new ManifestVerifier(config.hubKey());
        this.accepted = accepted;
        this.verifier = accepted.trustChain().map(c -> c.follow(pinned)).orElse(pinned);
        if (verifier != pinned) {
            log.info("trusting hub key {} (rotated from the pinned {})", verifier.trusted().keyId(),
                    pinned.trusted().keyId());
        }
        this.metrics = metrics;
        this.activated = activated;
    }

    /** @param a an assignment naming the device {@code d} (checked by the router) */
    void onAssignment(EdgeDevice d, ModelAssignment a) {
        TinyModel current = d.detector().model();
        ModelManifest manifest;
        try {
            manifest = AssignmentVerifier.origin(a, verifier, new ManifestVerifier.Device(site, d.id(), deviceClass));
        } catch (TandemException e) {
            if (e.code() == ErrorCode.UNKNOWN_SIGNING_KEY) {
                unknownKey.put(d.id(), Map.entry(d, a));
            }
            reject(d, a.manifest() == null ? "unsigned" : "unverified", e, current);
            return;
        }
        unknownKey.remove(d.id());
        String version = manifest.version();
        long have = acceptedGeneration(d.id());
        if (current != null && current.version().equals(version)) {
            if (manifest.generation() > have) {
                record(d.id(), manifest); // the same model re-issued (another hub instance, a rollback to it)
            }
            log.debug("device {}: model {} already active", d.id(), version);
            return;
        }
        boolean restartOfAccepted = current == null && manifest.generation() == have
                && accepted.load(d.id()).map(x -> x.version().equals(version)).orElse(false);
        d.publish(Topics.Kind.MODEL_STATE, ModelState.verifying(site, d.id(), version));
        AssignmentVerifier.Verified verified;
        try {
            if (!restartOfAccepted) {
                ManifestVerifier.checkGeneration(manifest, new ManifestVerifier.Device(site, d.id(), deviceClass), have);
            }
            verified = AssignmentVerifier.artifact(a, manifest, d.detector().channels());
            record(d.id(), manifest);
        } catch (TandemException e) {
            reject(d, version, e, current);
            return;
        }
        TinyModel model = verified.model();
        d.activate(model, a.contextSize());
        metrics.modelActivated();
        d.publish(Topics.Kind.MODEL_STATE, ModelState.active(site, d.id(), version));
        log.info("device {}: model {} active (generation {}, {} parameters, window {}, context {}){}", d.id(),
                model.version(), manifest.generation(), model.parameterCount(), model.windowSize(),
                d.detector().contextSize(), current == null ? "" : ", replacing " + current.version());
        activated.accept(d);
    }

    /**
     * The hub's key history: followed from the pinned key (never from a key only a chain vouched
     * for), kept on disk, and trusted from then on. A chain with a link that does not verify is
     * refused whole, the trusted key unchanged.
     */
    void onTrust(TrustChain chain) {
        ManifestVerifier next;
        try {
            next = chain.follow(pinned);
        } catch (TandemException e) {
            log.warn("{} (key rotation refused; still trusting hub key {})", InboundRouter.oneLine(e),
                    verifier.trusted().keyId());
            metrics.error(e.code());
            return;
        }
        if (next.trusted().equals(verifier.trusted())) {
            return;
        }
        accepted.keepTrustChain(chain);
        log.info("hub key rotated: {} -> {}", verifier.trusted().keyId(), next.trusted().keyId());
        verifier = next;
        for (Map.Entry<EdgeDevice, ModelAssignment> waiting : java.util.List.copyOf(unknownKey.values())) {
            onAssignment(waiting.getKey(), waiting.getValue());
        }
    }

    private long acceptedGeneration(String device) {
        Long inMemory = generations.get(device);
        return inMemory != null ? inMemory : accepted.generation(device);
    }

    private void record(String device, ModelManifest m) {
        generations.put(device, m.generation());
        accepted.accept(device, m.generation(), m.version());
    }

    private void reject(EdgeDevice d, String version, TandemException e, TinyModel current) {
        String reason = InboundRouter.oneLine(e);
        log.warn("{} (model {} for device {} rejected; keeping {})", reason, version, d.id(),
                current == null ? "no model" : "model " + current.version());
        metrics.error(e.code());
        d.publish(Topics.Kind.MODEL_STATE, ModelState.failed(site, d.id(), version, e.code(), reason));
    }
}
