package dev.tandem.hub.rollout;

import java.util.Objects;

/**
 * A device's {@link DeviceAction} with what the hub sent it: the candidate's manifest generation (null
 * until sent), the candidate's version and artifact (sha256 in the store), the model it ran before (its
 * last good model, to go back to) and, once the hub sent it back there, that manifest's generation.
 */
public record ActionRecord(DeviceAction action, Long generation, String candidateVersion, String candidateSha256,
                           String previousVersion, String previousSha256, Long rollbackGeneration) {
    public ActionRecord {
        Objects.requireNonNull(action, "action");
    }

    public static ActionRecord of(DeviceAction action) {
        return new ActionRecord(action, null, null, null, null, null, null);
    }

    public boolean sent() {
        return generation != null;
    }

    public boolean sentBack() {
        return rollbackGeneration != null;
    }

    public ActionRecord with(DeviceAction next) {
        return new ActionRecord(next, generation, candidateVersion, candidateSha256, previousVersion, previousSha256,
                rollbackGeneration);
    }

    public ActionRecord sent(long generation, String candidateVersion, String candidateSha256, String previousVersion,
                             String previousSha256) {
        return new ActionRecord(action, generation, candidateVersion, candidateSha256, previousVersion, previousSha256,
                rollbackGeneration);
    }

    public ActionRecord sentBack(long generation) {
        return new ActionRecord(action, this.generation, candidateVersion, candidateSha256, previousVersion,
                previousSha256, generation);
    }
}
