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

    /** Exit code, stdout and stderr apart. */
    public record Split(int exit, String out, String err) {
    }

    /** Runs the command line with stdout and stderr captured apart. */
    public static synchronized Split split(String... args) {
        PrintStream was = System.out;
        PrintStream wasErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = TandemCli.execute(args);
            return new Split(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(was);
            System.setErr(wasErr);
        }
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
