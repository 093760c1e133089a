package dev.tandem.sim.cli;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import picocli.CommandLine;

/**
 * Prints a bad configuration or flag as one line with its stable code, not a stack trace. Exit codes:
 * 2 for bad input or configuration, 3 when the broker cannot be reached or is lost, 1 for any other failure.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof TandemException te) {
                cmd.getErr().println("tandem " + cmd.getCommandName() + ": " + te);
                return te.code() == ErrorCode.BROKER_UNAVAILABLE ? SimCommand.BROKER_LOST : 2;
            }
        }
        cmd.getErr().println("tandem " + cmd.getCommandName() + ": failed: " + ex);
        ex.printStackTrace(cmd.getErr());
        return 1;
    }
}
