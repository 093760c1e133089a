package dev.tandem.shared.tiny;

import dev.tandem.shared.wire.ArtifactManifest;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;

/**
 * The tiny model's artifact: canonical JSON bytes, hashed into an {@link ArtifactManifest}; an int8
 * variant ({@link TinyModel#FORMAT_Q8}) as its compact {@link QuantizedArtifact}.
 */
public final class TinyModelCodec {
    private TinyModelCodec() {
    }

    public static byte[] encode(TinyModel model) {
        return model.int8() ? Wire.encode(QuantizedArtifact.of(model)) : Wire.encode(model);
    }

    public static TinyModel decode(byte[] bytes) {
        try {
            com.fasterxml.jackson.databind.JsonNode tree = Wire.mapper().readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw new TandemException(ErrorCode.ARTIFACT_INVALID, "a tiny model is a JSON object");
            }
            if (TinyModel.FORMAT_Q8.equals(tree.path("format").asText())) {
                return Wire.mapper().treeToValue(tree, QuantizedArtifact.class).model();
            }
            return Wire.mapper().treeToValue(tree, TinyModel.class);
        } catch (IOException | IllegalArgumentException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof TandemException t) {
                    throw new TandemException(ErrorCode.ARTIFACT_INVALID, t.getMessage());
                }
            }
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "cannot decode tiny model: " + e.getMessage());
        }
    }

    public static ArtifactManifest manifest(TinyModel model, byte[] bytes) {
        return ArtifactManifest.of(model.version(), model.format(), bytes);
    }

    /** Verifies the bytes against the manifest, then decodes them. */
    public static TinyModel verifyAndDecode(ArtifactManifest manifest, byte[] bytes) {
        manifest.verify(bytes);
        if (!TinyModel.knownFormat(manifest.format())) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "manifest format '" + manifest.format() + "' is not " + TinyModel.FORMAT);
        }
        TinyModel model = decode(bytes);
        if (!model.format().equals(manifest.format())) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID,
                    "artifact format " + model.format() + " does not match manifest " + manifest.format());
        }
        if (!model.version().equals(manifest.version())) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID,
                    "artifact version " + model.version() + " does not match manifest " + manifest.version());
        }
        return model;
    }
}
