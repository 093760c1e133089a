package dev.tandem.shared.signing;

import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.wire.ModelAssignment;

/**
 * The hub's side of a model assignment: the artifact's bytes, the manifest naming the device, its
 * class and the generation, signed, and the assignment carrying both. Thread-safe.
 */
public final class AssignmentSigner {
    private final ManifestSigner signer;

    public AssignmentSigner(ManifestSigner signer) {
        this.signer = signer;
    }

    public AssignmentSigner(HubKey key) {
        this(new ManifestSigner(key));
    }

    /**
     * @param generation    above every generation this device was sent before
     * @param parentVersion the version this model replaces, or null
     * @param contextSize   the samples of history the hub's model reads per verdict
     */
    public ModelAssignment assign(String site, String device, String deviceClass, long generation, TinyModel model,
                                  String parentVersion, int contextSize) {
        byte[] bytes = TinyModelCodec.encode(model);
        ModelManifest manifest = ModelManifest.of(site, device, deviceClass, generation,
                TinyModelCodec.manifest(model, bytes), parentVersion);
        return ModelAssignment.of(site, device, signer.sign(manifest), bytes, contextSize);
    }

    public String keyId() {
        return signer.keyId();
    }
}
