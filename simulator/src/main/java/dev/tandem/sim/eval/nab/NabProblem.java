package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

/**
 * Why a NAB file could not be loaded or evaluated: the file (or the labels entry) concerned, the
 * stable code and the reason, which names the place ({@code path:line}) where one applies. The
 * other files are still evaluated.
 */
public record NabProblem(String file, ErrorCode code, String message) {
    public static NabProblem of(String file, TandemException e) {
        return new NabProblem(file, e.code(), e.getMessage());
    }

    @Override
    public String toString() {
        return "[" + code + "] " + (message.startsWith(file) ? message : file + ": " + message);
    }
}
