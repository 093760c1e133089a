package dev.tandem.edge;

import dev.tandem.edge.commissioning.AssignmentVerifier;
import dev.tandem.edge.delivery.ArtifactDownloads;
import dev.tandem.edge.delivery.Blocking;
import dev.tandem.edge.detect.ManualTimers;
import dev.tandem.edge.detect.Shadow;
import dev.tandem.edge.detect.Timers;
import dev.tandem.edge.detect.Watch;
import dev.tandem.edge.trust.AcceptedModels;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.ManifestVerifier;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.signing.RolloutRules;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Hashing;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.wire.ShadowReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A device's model updates. The assignment's manifest must be signed by the pinned hub key and
 * name this device and class ({@link AssignmentVerifier}); its generation must be above the one the
 * device has accepted, except that the accepted generation of the accepted version is taken again
 * after a restart (the retained assignment of the model the device ran). A manifest for the version
 * already running is taken silently (a higher generation is recorded). Any other is answered on
 * {@code model/state}, every report naming the manifest it is about (generation, rollout):
 * VERIFYING once its origin is proven, then FAILED with the {@link ErrorCode} that refused it (the
 * running model untouched), or:
 * <ul>
 *   <li>outside a rollout (no {@link RolloutRules}), or on a device without a model: ACTIVE at once
 *       (hot-swapped in, the new generation recorded on disk first);</li>
 *   <li>in a rollout: SHADOW. The candidate scores every window beside the active model without
 *       deciding ({@link Shadow}); SHADOW reports its figures when it starts and then at most every
 *       {@value #SHADOW_REPORT_MILLIS} ms while they change. After {@code shadowMs}: with at least
 *       {@code minVerdicts} judged escalations, it goes ACTIVE if it matched the large model's
 *       verdicts at least as often as the active model; with fewer, if it agreed with the active
 *       model on at least {@code minAgreement} of the windows; else ROLLED_BACK (SHADOW_WORSE) and
 *       dropped. The candidate is accepted (its generation recorded) only when it goes ACTIVE, so a
 *       device restarted in SHADOW runs its kept model again and shadows the retained candidate
 *       anew;</li>
 *   <li>ACTIVE in a rollout: swapped in between two windows (the candidate's scorer goes on), then
 *       {@linkplain Watch watched} for {@code watchMs}. A watchdog that trips puts the previous model
 *       back before the next window, pins the bad version on disk (refused as MODEL_PINNED, even
 *       retained or with a higher generation, across restarts, until a model of another version is
 *       taken) and reports ROLLED_BACK (WATCHDOG_TRIPPED) about the bad manifest.</li>
 * </ul>
 * A manifest for the running version while a candidate is in SHADOW (the hub going back) drops
 * the candidate: ROLLED_BACK "reassigned by the hub" about the candidate's manifest; so does an
 * assignment of yet another version. An assignment whose origin cannot be proven is FAILED at once.
 *
 * <p>Used on the agent's event loop (its timers included).
 */
final class ModelAssignments {
    private static final Logger log = LoggerFactory.getLogger(ModelAssignments.class);
    /** SHADOW figures go to the hub at most this often (and when the shadow starts and ends). */
    static final long SHADOW_REPORT_MILLIS = 2_000;
    /**
     * A candidate that has scored fewer than its rules' {@code watchMinWindows} windows when its shadow
     * time is over shadows on, one more shadow time (at least {@link #MIN_SHADOW_EXTENSION_MILLIS}) at a
     * time, at most this many times; then it is judged on what it has.
     */
    static final int MAX_SHADOW_EXTENSIONS = 9;
    static final long MIN_SHADOW_EXTENSION_MILLIS = 1_000;
    static final String REASSIGNED = "reassigned by the hub";

    private final String site;
    private final String deviceClass;
    private final ManifestVerifier pinned;
    /** The key the agent trusts now: the pinned one, or where the hub's signed rotations lead from it. */
    private ManifestVerifier verifier;
    private final AcceptedModels accepted;
    private final EdgeMetrics metrics;
    private final Timers timers;
    private final Consumer<EdgeDevice> activated;
    private final ArtifactDownloads downloads;
    /** Per device, the last assignment refused for its signing key: tried again after a key rotation. */
    private final Map<String, Map.Entry<EdgeDevice, ModelAssignment>> unknownKey = new HashMap<>();
    /** Per device, the generation accepted in this run (the disk holds it across runs). */
    private final Map<String, Long> generations = new HashMap<>();
    /** Per device, the version pinned away in this run (empty: none; the disk holds it across runs). */
    private final Map<String, Optional<String>> pins = new HashMap<>();
    /** Per device, the candidate in SHADOW. */
    private final Map<String, Candidate> candidates = new HashMap<>();
    /** Per device, the model activated in a rollout and watched, with the one to go back to. */
    private final Map<String, Watching> watching = new HashMap<>();
    /** Per device, the last candidate judged worse in shadow in this run (version@generation): not shadowed again. */
    private final Map<String, String> judged = new HashMap<>();

    private static final class Candidate {
        final EdgeDevice device;
        final ModelAssignment assignment;
        final ModelManifest manifest;
        final Shadow shadow;
        Timers.Handle end;
        Timers.Handle report;
        ShadowReport reported;
        /** Shadow times added because the candidate had scored too few windows to be judged. */
        int extensions;

        Candidate(EdgeDevice device, ModelAssignment assignment, ModelManifest manifest, Shadow shadow) {
            this.device = device;
            this.assignment = assignment;
            this.manifest = manifest;
            this.shadow = shadow;
        }
    }

    private static final class Watching {
        final ModelManifest manifest;
        final TinyModel previous;
        final int previousContext;
        final long until;
        Watch watch;
        Timers.Handle end;

        Watching(ModelManifest manifest, TinyModel previous, int previousContext, long until) {
            this.manifest = manifest;
            this.previous = previous;
            this.previousContext = previousContext;
            this.until = until;
        }
    }

    /** Without timers of its own (shadows and watches end only when a test advances them). */
    ModelAssignments(EdgeConfig config, AcceptedModels accepted, EdgeMetrics metrics, Consumer<EdgeDevice> activated) {
        this(config, accepted, metrics, new ManualTimers(), activated, null);
    }

    /**
     * @param timers    where shadows and watches end (on the event loop)
     * @param activated called after a device switched to a new model
     * @param downloads where artifacts of manifest-only assignments are fetched (null: none fetched, in memory)
     */
    ModelAssignments(EdgeConfig config, AcceptedModels accepted, EdgeMetrics metrics, Timers timers,
                     Consumer<EdgeDevice> activated, ArtifactDownloads downloads) {
        this.downloads = downloads != null ? downloads : new ArtifactDownloads(config.site(), config.delivery(), null,
                timers, Blocking.inline(), (topic, payload) -> false, metrics);
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
        this.timers = timers;
        this.activated = activated;
    }

    private ManifestVerifier.Device who(EdgeDevice d) {
        return new ManifestVerifier.Device(site, d.id(), deviceClass);
    }

    /** @param a an assignment naming the device {@code d} (checked by the router) */
    void onAssignment(EdgeDevice d, ModelAssignment a) {
        TinyModel current = d.detector().model();
        ModelManifest manifest;
        try {
            manifest = AssignmentVerifier.origin(a, verifier, who(d));
        } catch (TandemException e) {
            if (e.code() == ErrorCode.UNKNOWN_SIGNING_KEY) {
                unknownKey.put(d.id(), Map.entry(d, a));
            }
            reject(d, a.manifest() == null ? "unsigned" : "unverified", e, current, null);
            return;
        }
        unknownKey.remove(d.id());
        String version = manifest.version();
        RolloutRules rules = manifest.rules();
        long have = acceptedGeneration(d.id());
        Candidate candidate = candidates.get(d.id());
        if (current != null && current.version().equals(version)) {
            downloads.cancel(d.id()); // the hub went back to the running model
            if (manifest.generation() > have) {
                record(d.id(), manifest); // the same model re-issued (another hub instance, a rollback to it)
            }
            if (candidate != null && manifest.generation() > candidate.manifest.generation()) {
                dropCandidate(candidate, REASSIGNED + " (back to model " + version + ")");
            }
            log.debug("device {}: model {} already active", d.id(), version);
            return;
        }
        if (candidate != null && candidate.shadow.candidate().version().equals(version)
                && manifest.generation() <= candidate.manifest.generation()) {
            log.debug("device {}: model {} already in shadow", d.id(), version);
            return; // the retained assignment again (a reconnection)
        }
        if ((version + "@" + manifest.generation()).equals(judged.get(d.id()))) {
            log.debug("device {}: model {} (generation {}) was already judged worse in shadow", d.id(), version,
                    manifest.generation());
            return;
        }
        String pin = pinned(d.id());
        if (current == null && (rules != null || version.equals(pin))) {
            // restarted in a rollout (or after a rollback): the model it ran comes back first, from its disk
            activateKept(d, version);
            current = d.detector().model();
        }
        boolean restartOfAccepted = current == null && manifest.generation() == have
                && accepted.load(d.id()).map(x -> x.version().equals(version)).orElse(false);
        if (!a.inline()) {
            a = withKeptArtifact(d, a, manifest); // the device may hold these bytes already (a restart, a rollback)
        }
        if (a.inline()) {
            d.publish(Topics.Kind.MODEL_STATE, about(ModelState.verifying(site, d.id(), version), manifest));
        }
        if (version.equals(pin)) {
            reject(d, version, new TandemException(ErrorCode.MODEL_PINNED, "model " + version + " of device " + d.id()
                    + " was rolled back by its watchdog and is pinned away until another model is assigned"),
                    current, manifest);
            return;
        }
        AssignmentVerifier.Verified verified;
        try {
            if (!restartOfAccepted) {
                ManifestVerifier.checkGeneration(manifest, who(d),
                        Math.max(have, candidate == null ? 0 : candidate.manifest.generation()));
            }
            if (!a.inline()) {
                if (manifest.sizeBytes() > downloads.settings().maxArtifactBytes()) {
                    metrics.download("too_large");
                    throw new TandemException(ErrorCode.ARTIFACT_TOO_LARGE, "model " + version + " is signed as "
                            + manifest.sizeBytes() + " bytes, above this device's limit of "
                            + downloads.settings().maxArtifactBytes() + ": not fetched");
                }
                fetch(d, a, manifest);
                return;
            }
            downloads.cancel(d.id());
            verified = AssignmentVerifier.artifact(a, manifest, d.detector().channels());
        } catch (TandemException e) {
            reject(d, version, e, current, manifest);
            return;
        }
        if (candidate != null) {
            dropCandidate(candidate, REASSIGNED + " (model " + version + " instead)");
        }
        endWatch(d);
        if (pin != null) {
            unpin(d.id(), pin);
        }
        if (rules == null || current == null) {
            long watchUntil = restartOfAccepted && rules != null && rules.watchMs() > 0
                    ? accepted.load(d.id()).map(AcceptedModels.Accepted::watchUntil).orElse(0L) : 0;
            record(d.id(), manifest);
            activateNow(d, a, manifest, verified.model(), current);
            if (watchUntil > System.currentTimeMillis()) {
                resumeWatch(d, manifest, watchUntil);
            }
        } else {
            startShadow(d, a, manifest, verified.model());
        }
    }

    /**
     * Fetches the artifact of a manifest-only assignment in chunks (DOWNLOADING with the progress), then
     * takes the assignment as if it had come with its artifact inline: VERIFYING, the artifact checked
     * against the manifest, then activated or shadowed. A download that gives up is FAILED with its code.
     */
    private void fetch(EdgeDevice d, ModelAssignment a, ModelManifest manifest) {
        String version = manifest.version();
        downloads.start(d.id(), manifest, new ArtifactDownloads.Listener() {
            @Override
            public void progress(long have, long total, boolean resumed) {
                d.publish(Topics.Kind.MODEL_STATE, about(ModelState.downloading(site, d.id(), version, have, total,
                        resumed), manifest));
            }

            @Override
            public void complete(byte[] artifact) {
                onAssignment(d, a.withArtifact(artifact));
            }

            @Override
            public void failed(TandemException e) {
                reject(d, version, e, d.detector().model(), manifest);
            }
        });
    }

    /** A chunk of an artifact on the device's {@code model/chunk} topic. */
    void onChunk(EdgeDevice d, byte[] payload) {
        downloads.onChunk(d.id(), payload);
    }

    ArtifactDownloads downloads() {
        return downloads;
    }

    /** The assignment with the artifact's bytes inline if the device kept them (current or previous model). */
    private ModelAssignment withKeptArtifact(EdgeDevice d, ModelAssignment a, ModelManifest manifest) {
        try {
            for (Optional<ModelAssignment> kept : java.util.List.of(accepted.kept(d.id()), accepted.keptPrevious(d.id()))) {
                if (kept.isPresent() && kept.get().inline()) {
                    byte[] bytes = kept.get().artifactBytes();
                    if (bytes.length == manifest.sizeBytes() && Hashing.sha256Hex(bytes).equals(manifest.sha256())) {
                        log.debug("device {}: model {} taken from its disk, not fetched", d.id(), manifest.version());
                        return a.withArtifact(bytes);
                    }
                }
            }
        } catch (TandemException e) {
            log.debug("device {}: kept models not read ({}); fetching", d.id(), e.getMessage());
        }
        return a;
    }

    private void activateNow(EdgeDevice d, ModelAssignment a, ModelManifest manifest, TinyModel model,
                             TinyModel replaced) {
        d.activate(model, a.contextSize());
        accepted.keep(d.id(), a);
        metrics.modelActivated();
        d.publish(Topics.Kind.MODEL_STATE, about(ModelState.active(site, d.id(), model.version()), manifest));
        log.info("device {}: model {} active (generation {}, {} parameters, window {}, context {}){}", d.id(),
                model.version(), manifest.generation(), model.parameterCount(), model.windowSize(),
                d.detector().contextSize(), replaced == null ? "" : ", replacing " + replaced.version());
        activated.accept(d);
    }

    /**
     * The agent's model wait ran out without an assignment for a device that ran a model before (a
     * broker that lost its retained messages): it runs the model kept on its disk again, verified again
     * and not pinned away; false if there is none, and the device then commissions afresh.
     */
    boolean resumeKept(EdgeDevice d) {
        if (d.detector().model() != null) {
            return true;
        }
        boolean resumed = activateKept(d, pinned(d.id()));
        if (resumed) {
            log.info("device {}: no model assignment within the model wait; running the model kept on its disk", d.id());
        }
        return resumed;
    }

    /**
     * Runs the model the device kept on its disk (verified again: signature and artifact), unless it
     * is {@code except}; false if there is none or it does not verify.
     */
    private boolean activateKept(EdgeDevice d, String except) {
        Optional<ModelAssignment> kept;
        try {
            kept = accepted.kept(d.id());
        } catch (TandemException e) {
            return false;
        }
        if (kept.isEmpty()) {
            return false;
        }
        Optional<AssignmentVerifier.Verified> v = open(d, kept.get());
        if (v.isEmpty() || v.get().manifest().version().equals(except)) {
            return false;
        }
        TinyModel model = v.get().model();
        d.activate(model, kept.get().contextSize());
        metrics.modelActivated();
        log.info("device {}: model {} active again from its disk (generation {})", d.id(), model.version(),
                v.get().manifest().generation());
        activated.accept(d);
        return true;
    }

    /** A model kept on the device's disk, verified again (signature and artifact); empty if it does not verify. */
    private Optional<AssignmentVerifier.Verified> open(EdgeDevice d, ModelAssignment kept) {
        try {
            ModelManifest m = AssignmentVerifier.origin(kept, verifier, who(d));
            return Optional.of(AssignmentVerifier.artifact(kept, m, d.detector().channels()));
        } catch (TandemException e) {
            log.warn("{} (the model kept on the disk of device {} is not run)", InboundRouter.oneLine(e), d.id());
            metrics.error(e.code());
            return Optional.empty();
        }
    }

    // ---- shadow ----------------------------------------------------------------------------------

    private void startShadow(EdgeDevice d, ModelAssignment a, ModelManifest manifest, TinyModel model) {
        RolloutRules rules = manifest.rules();
        Shadow shadow = d.detector().startShadow(model);
        Candidate c = new Candidate(d, a, manifest, shadow);
        candidates.put(d.id(), c);
        c.reported = shadow.report(System.currentTimeMillis());
        d.publish(Topics.Kind.MODEL_STATE, about(ModelState.shadow(site, d.id(), model.version(), c.reported), manifest));
        log.info("device {}: model {} in shadow beside {} for {} ms (rollout {}, generation {})", d.id(),
                model.version(), d.detector().model().version(), rules.shadowMs(), rules.rollout(),
                manifest.generation());
        c.end = timers.schedule(rules.shadowMs(), () -> endShadow(c));
        c.report = timers.schedule(SHADOW_REPORT_MILLIS, () -> reportShadow(c));
    }

    private void reportShadow(Candidate c) {
        if (candidates.get(c.device.id()) != c) {
            return;
        }
        ShadowReport now = c.shadow.report(System.currentTimeMillis());
        if (now.windows() != c.reported.windows() || now.verdicts() != c.reported.verdicts()) {
            c.reported = now;
            c.device.publish(Topics.Kind.MODEL_STATE, about(ModelState.shadow(site, c.device.id(),
                    c.manifest.version(), now), c.manifest));
        }
        c.report = timers.schedule(SHADOW_REPORT_MILLIS, () -> reportShadow(c));
    }

    /** The shadow time is over: the candidate goes active if it is at least as good, else it is dropped. */
    private void endShadow(Candidate c) {
        EdgeDevice d = c.device;
        if (candidates.get(d.id()) != c) {
            return;
        }
        RolloutRules rules = c.manifest.rules();
        ShadowReport r = c.shadow.report(System.currentTimeMillis());
        if (r.windows() < rules.watchMinWindows() && c.extensions < MAX_SHADOW_EXTENSIONS) {
            // a share of a handful of windows is noise (one disagreement in 15 is 0.93): judge on as many
            // windows as the watchdog judges rates on, a shadow time more at a time, within bounds
            c.extensions++;
            long more = Math.max(MIN_SHADOW_EXTENSION_MILLIS, rules.shadowMs());
            log.info("device {}: model {} has {} shadow windows of the {} it is judged on; shadowing {} ms more ({}/{})",
                    d.id(), c.manifest.version(), r.windows(), rules.watchMinWindows(), more, c.extensions,
                    MAX_SHADOW_EXTENSIONS);
            c.end = timers.schedule(more, () -> endShadow(c));
            return;
        }
        candidates.remove(d.id());
        c.report.cancel();
        boolean byVerdicts = r.verdicts() >= rules.minVerdicts();
        boolean good = byVerdicts ? r.candidateMatches() >= r.activeMatches() : r.agreement() >= rules.minAgreement();
        String figures = byVerdicts
                ? String.format(Locale.ROOT, "matched %d of %d verdicts, the active model %d (%d windows, agreement %.4f)",
                r.candidateMatches(), r.verdicts(), r.activeMatches(), r.windows(), r.agreement())
                : String.format(Locale.ROOT, "agreement with the active model %.4f on %d windows (minimum %s; %d "
                        + "verdicts, fewer than %d)", r.agreement(), r.windows(), rules.minAgreement(), r.verdicts(),
                rules.minVerdicts());
        String version = c.manifest.version();
        if (!good) {
            d.detector().endShadow();
            judged.put(d.id(), version + "@" + c.manifest.generation());
            metrics.error(ErrorCode.SHADOW_WORSE);
            metrics.modelRolledBack();
            String reason = "worse than model " + d.detector().model().version() + " in shadow: candidate " + figures;
            log.warn("[{}] device {}: model {} {}; dropped", ErrorCode.SHADOW_WORSE, d.id(), version, reason);
            d.publish(Topics.Kind.MODEL_STATE, about(ModelState.rolledBack(site, d.id(), version,
                    ErrorCode.SHADOW_WORSE, reason).withShadow(r), c.manifest));
            return;
        }
        TinyModel previous = d.detector().model();
        int previousContext = d.detector().contextSize();
        record(d.id(), c.manifest);
        d.promote(c.assignment.contextSize());
        accepted.keep(d.id(), c.assignment);
        metrics.modelActivated();
        if (rules.watchMs() > 0) {
            startWatch(d, c.manifest, previous, previousContext, System.currentTimeMillis() + rules.watchMs());
        }
        d.publish(Topics.Kind.MODEL_STATE, about(ModelState.active(site, d.id(), version).withShadow(r), c.manifest));
        log.info("device {}: model {} active after its shadow ({}), replacing {}", d.id(), version, figures,
                previous.version());
        activated.accept(d);
    }

    private void dropCandidate(Candidate c, String reason) {
        EdgeDevice d = c.device;
        candidates.remove(d.id());
        c.end.cancel();
        c.report.cancel();
        if (d.detector().shadow() == c.shadow) {
            d.detector().endShadow();
        }
        metrics.modelRolledBack();
        ShadowReport r = c.shadow.report(System.currentTimeMillis());
        log.info("device {}: model {} in shadow dropped: {}", d.id(), c.manifest.version(), reason);
        d.publish(Topics.Kind.MODEL_STATE, about(ModelState.rolledBack(site, d.id(), c.manifest.version(), null,
                reason).withShadow(r), c.manifest));
    }

    // ---- watchdog --------------------------------------------------------------------------------

    /** Watches the model of {@code manifest} until {@code until} (epoch ms), kept on disk for a restart. */
    private void startWatch(EdgeDevice d, ModelManifest manifest, TinyModel previous, int previousContext, long until) {
        String version = manifest.version();
        Watching w = new Watching(manifest, previous, previousContext, until);
        w.watch = new Watch(version, manifest.rules(), reason -> tripped(d, w, reason));
        watching.put(d.id(), w);
        accepted.accept(d.id(), acceptedGeneration(d.id()), version, pinned(d.id()), until);
        d.detector().startWatch(w.watch, previous); // after a restart the previous model is the reference too
        long ms = Math.max(0, until - System.currentTimeMillis());
        w.end = timers.schedule(ms, () -> {
            if (watching.get(d.id()) == w) {
                watching.remove(d.id());
                d.detector().endWatch(w.watch);
                log.info("device {}: model {} watched until its watch ended ({} windows) without a trip{}", d.id(),
                        version, w.watch.windows(), w.watch.excused() == 0 ? "" : " (its alarm rate out of the band at "
                                + w.watch.excused() + " windows, as the previous model's beside it: the machine's, not the model's)");
            }
        });
    }

    /** A device restarted while it watched its model: the watch goes on until its end, against the previous model on disk. */
    private void resumeWatch(EdgeDevice d, ModelManifest manifest, long until) {
        Optional<ModelAssignment> previous = accepted.keptPrevious(d.id());
        Optional<AssignmentVerifier.Verified> v = previous.flatMap(p -> open(d, p));
        if (v.isEmpty()) {
            log.warn("device {}: model {} was being watched, but no previous model on disk to go back to: not watched",
                    d.id(), manifest.version());
            return;
        }
        startWatch(d, manifest, v.get().model(), previous.get().contextSize(), until);
        log.info("device {}: watching model {} again after a restart, {} ms left, model {} to go back to", d.id(),
                manifest.version(), until - System.currentTimeMillis(), v.get().model().version());
    }

    private void endWatch(EdgeDevice d) {
        Watching w = watching.remove(d.id());
        if (w != null) {
            w.end.cancel();
            d.detector().endWatch(w.watch);
        }
    }

    /** Between two windows: the previous model back, the bad one pinned away. */
    private void tripped(EdgeDevice d, Watching w, String rates) {
        if (watching.get(d.id()) != w) {
            return;
        }
        watching.remove(d.id());
        w.end.cancel();
        String bad = w.manifest.version();
        d.activate(w.previous, w.previousContext);
        pins.put(d.id(), Optional.of(bad));
        accepted.revert(d.id());
        accepted.accept(d.id(), acceptedGeneration(d.id()), w.previous.version(), bad, 0);
        metrics.error(ErrorCode.WATCHDOG_TRIPPED);
        metrics.modelRolledBack();
        String reason = "watchdog: " + rates + "; back to model " + w.previous.version();
        log.warn("[{}] device {}: model {} {}; {} pinned away", ErrorCode.WATCHDOG_TRIPPED, d.id(), bad, reason, bad);
        d.publish(Topics.Kind.MODEL_STATE, about(ModelState.rolledBack(site, d.id(), bad, ErrorCode.WATCHDOG_TRIPPED,
                reason), w.manifest));
        activated.accept(d);
    }

    private String pinned(String device) {
        Optional<String> inMemory = pins.get(device);
        if (inMemory != null) {
            return inMemory.orElse(null);
        }
        try {
            return accepted.pinned(device).orElse(null);
        } catch (TandemException damaged) {
            return null; // the generation check refuses every model until the file is fixed
        }
    }

    private void unpin(String device, String version) {
        pins.put(device, Optional.empty());
        log.info("device {}: model {} no longer pinned away (another model assigned)", device, version);
    }

    private static ModelState about(ModelState s, ModelManifest m) {
        return m == null ? s : s.about(m.generation(), m.rules() == null ? null : m.rules().rollout());
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
        Watching w = watching.get(device);
        accepted.accept(device, m.generation(), m.version(), pinned(device), w == null ? 0 : w.until);
    }

    private void reject(EdgeDevice d, String version, TandemException e, TinyModel current, ModelManifest manifest) {
        String reason = InboundRouter.oneLine(e);
        log.warn("{} (model {} for device {} rejected; keeping {})", reason, version, d.id(),
                current == null ? "no model" : "model " + current.version());
        metrics.error(e.code());
        d.publish(Topics.Kind.MODEL_STATE, about(ModelState.failed(site, d.id(), version, e.code(), reason), manifest));
    }
}
