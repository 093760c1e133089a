package dev.tandem.sim.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.nio.file.Path;

/**
 * {@code --verbose} and {@code --log-file}, taken by every command ({@code ./tandem hub --verbose}).
 * By default the log holds warnings and errors only, on stderr (logback.xml; stdout carries only what
 * the command prints for the user); {@code --verbose} adds Tandem's INFO lines; {@code --log-file}
 * sends the log to a file instead (appended). Applied once the command line is parsed, before the
 * command runs (the JVM's first log line comes later).
 */
final class LogOptions {
    private static final String TANDEM = "dev.tandem";
    private static final String STDERR = "STDERR";
    private static final String FILE = "FILE";
    /** dev.tandem's level as logback.xml set it (WARN, or -Dtandem.log.level), before any command changed it. */
    private static Level configured;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Log Tandem's INFO lines too (default: warnings and errors only), on stderr or --log-file.")
    boolean verbose;

    @Option(names = "--log-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Write the log to FILE (appended) instead of stderr.")
    Path logFile;

    /** Sets the levels and the log's destination (a no-op where logback is not the slf4j binding). */
    void apply() {
        if (!LOGBACK || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        synchronized (LogOptions.class) {
            Logger tandem = ctx.getLogger(TANDEM);
            if (configured == null) {
                configured = tandem.getEffectiveLevel();
            }
            tandem.setLevel(verbose && configured.isGreaterOrEqual(Level.INFO) ? Level.INFO : configured);
            Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            Appender<ILoggingEvent> file = root.getAppender(FILE);
            if (file != null) {
                root.detachAppender(file);
                file.stop();
            }
            Appender<ILoggingEvent> stderr = root.getAppender(STDERR);
            if (logFile == null) {
                if (stderr == null && detached != null) {
                    root.addAppender(detached);
                }
                return;
            }
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(ctx);
            encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n");
            encoder.start();
            FileAppender<ILoggingEvent> out = new FileAppender<>();
            out.setName(FILE);
            out.setContext(ctx);
            out.setFile(logFile.toAbsolutePath().toString());
            out.setAppend(true);
            out.setEncoder(encoder);
            out.start();
            root.addAppender(out);
            if (stderr != null) {
                root.detachAppender(stderr);
                detached = stderr;
            }
        }
    }

    /** Whether logback is on the class path at all. */
    private static final boolean LOGBACK = present("ch.qos.logback.classic.LoggerContext");

    private static boolean present(String type) {
        try {
            Class.forName(type, false, LogOptions.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The stderr appender while the log goes to a file (put back by a later command without --log-file). */
    private static Appender<ILoggingEvent> detached;
}
