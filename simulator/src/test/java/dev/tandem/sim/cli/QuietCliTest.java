package dev.tandem.sim.cli;

import dev.tandem.shared.config.BrokerAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's common behaviour: its version, its log options, the broker URLs it takes. */
class QuietCliTest {
    @Test
    void version_namesTheBuildsVersionAndCommit() {
        TandemCliProbe.Result r = TandemCliProbe.run("--version");
        assertEquals(0, r.exit());
        assertTrue(r.out().matches("(?s)tandem \\d+\\.\\d+\\.\\d+\\S* \\(commit [0-9a-f]{7,}(-dirty)?\\)\\s*"), r.out());
        assertFalse(r.out().contains("dev"), r.out());
        assertEquals(r.out(), TandemCliProbe.run("hub", "--version").out(), "every command knows it");
    }

    @Test
    void logs_areWarningsOnlyByDefault_infoWithVerbose_andGoToTheLogFile(@TempDir Path dir) throws Exception {
        Logger log = LoggerFactory.getLogger("dev.tandem.sim.cli.QuietCliTest");
        Path file = dir.resolve("tandem.log");
        try {
            LogOptions quiet = new LogOptions();
            quiet.logFile = file;
            quiet.apply();
            log.info("info-when-quiet");
            log.warn("warning-when-quiet");
            LogOptions verbose = new LogOptions();
            verbose.verbose = true;
            verbose.logFile = file;
            verbose.apply();
            log.info("info-when-verbose");
        } finally {
            new LogOptions().apply(); // back to the defaults on stderr
        }
        log.warn("after-reset"); // on stderr again, not in the file
        String text = Files.readString(file);
        assertFalse(text.contains("info-when-quiet"), text);
        assertTrue(text.contains("warning-when-quiet"), text);
        assertTrue(text.contains("info-when-verbose"), text);
        assertFalse(text.contains("after-reset"), text);
        assertFalse(log.isInfoEnabled(), "quiet again");
    }

    @Test
    void everyCommandsHelp_printsCleanly_withoutAFormattingWarning() {
        java.util.List<String[]> all = new java.util.ArrayList<>();
        collect(new CommandLine(new TandemCli()), new java.util.ArrayList<>(), all);
        assertTrue(all.size() > 20, "the whole tree: " + all.size());
        for (String[] path : all) {
            String[] args = java.util.Arrays.copyOf(path, path.length + 1);
            args[path.length] = "--help";
            TandemCliProbe.Split r = TandemCliProbe.split(args);
            String name = String.join(" ", path);
            assertEquals(0, r.exit(), name + " --help\n" + r.err());
            assertTrue(r.out().contains("Usage: tandem"), name + ": " + r.out());
            assertFalse(r.err().contains("picocli WARN") || r.out().contains("picocli WARN"),
                    name + " --help formats its text (a bare % is written %%):\n" + r.err());
        }
    }

    private static void collect(CommandLine c, java.util.List<String> path, java.util.List<String[]> into) {
        if (!path.isEmpty()) {
            into.add(path.toArray(String[]::new));
        }
        for (java.util.Map.Entry<String, CommandLine> sub : c.getSubcommands().entrySet()) {
            if (sub.getValue().getCommandName().equals(sub.getKey())) { // aliases once
                java.util.List<String> next = new java.util.ArrayList<>(path);
                next.add(sub.getKey());
                collect(sub.getValue(), next, into);
            }
        }
    }

    @Test
    void logOptions_areTakenByEveryCommand() {
        CommandLine cli = new CommandLine(new TandemCli());
        for (String[] args : new String[][]{{"demo", "--verbose"}, {"hub", "--log-file", "x.log"},
                {"bench", "sim", "--verbose"}, {"fleet", "list", "--token-file", "t", "--verbose"}}) {
            cli.parseArgs(args); // throws on an unknown option
        }
    }

    @Test
    void edgeOnlyDistribution_checksTheSameOptions_andKnowsTheVersion() {
        assertEquals(2, EdgeCli.execute("edge", "--device", "d1", "--hub-key", "hub.pub", "--duration", "-5"));
        assertEquals(2, EdgeCli.execute("edge", "--device", "d1", "--hub-key", "hub.pub", "--verdict-timeout", "0"));
        assertEquals(0, EdgeCli.execute("--version"));
        new CommandLine(new EdgeCli()).parseArgs("edge", "--device", "d1", "--hub-key", "k", "--verbose", "--log-file", "f");
    }

    @Test
    void brokerUrls_ofTheFourDocumentedSchemes_areAccepted_andOthersRefused() {
        BrokerOption option = new BrokerOption();
        assertEquals(new BrokerAddress("h", 1883, false), option.convert("mqtt://h"));
        assertEquals(new BrokerAddress("h", 1884, false), option.convert("tcp://h:1884"));
        assertEquals(new BrokerAddress("h", 8883, true), option.convert("mqtts://h"));
        assertEquals(new BrokerAddress("h", 8884, true), option.convert("ssl://h:8884"));
        assertEquals(new BrokerAddress("h", 1883, false), option.convert("MQTT://h"));
        TandemCliProbe.Result r = TandemCliProbe.run("sim", "--broker", "http://h:1883");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("mqtt://host:port"), r.out());
    }
}
