package dev.tandem.sim.eval;

import dev.tandem.shared.error.ErrorCode;

/** A data row the loader skipped: its 1-based line number in the file, the stable code and why. */
public record RowProblem(int line, ErrorCode code, String message) {
    @Override
    public String toString() {
        return "[" + code + "] line " + line + ": " + message;
    }
}
