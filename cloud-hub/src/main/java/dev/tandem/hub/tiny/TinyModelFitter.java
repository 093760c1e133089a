package dev.tandem.hub.tiny;

import dev.tandem.shared.tiny.TinyModel;

/** SKELETON: fits a device's tiny model (PCA over window features) on its commissioning rows. */
public final class TinyModelFitter {
    private TinyModelFitter() {
    }

    public static TinyModel fit(double[][] rows, TinyFitConfig config, String version) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
