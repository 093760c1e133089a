package dev.tandem.sim.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in-process with its output captured (tests outside the cli package). */
public final class TandemCliProbe {
    /** Exit code and what was printed (stdout and stderr). */
    public record Result(int exit, String out) {
    }

    private TandemCliProbe() {
    }

    public static synchronized Result run(String... args) {
        PrintStream was = System.out;
        PrintStream wasErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(ps);
        System.setErr(ps);
        try {
            int exit = TandemCli.execute(args);
            return new Result(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(was);
            System.setErr(wasErr);
        }
    }
}
