package dev.tandem.sim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./tandem broker}: the embedded broker on its own, secured by default, its state kept with --broker-data. */
class BrokerCommandTest {
    @TempDir
    Path dir;

    @Test
    void runsASitesBroker_keepingItsStateInBrokerData() throws Exception {
        Path site = dir.resolve("site");
        assertEquals(0, TandemCli.execute("provision", "--site", "plant", "--agents", "1", "--out", site.toString()));
        Path data = dir.resolve("broker-data");
        assertEquals(0, TandemCli.execute("broker", "--site-dir", site.toString(), "--port", "0", "--broker-data",
                data.toString(), "--duration", "1"));
        try (Stream<Path> files = Files.walk(data)) {
            assertTrue(files.anyMatch(Files::isRegularFile), "HiveMQ's files kept in " + data);
        }
    }

    @Test
    void refusesToRunOpen_orWithContradictoryOptions() throws Exception {
        assertEquals(2, TandemCli.execute("broker", "--port", "0", "--duration", "1"), "no site and not --insecure");
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        assertEquals(2, TandemCli.execute("broker", "--insecure", "--port", "0", "--broker-data", notADir.toString(),
                "--duration", "1"));
        assertEquals(2, TandemCli.execute("broker", "--insecure", "--port", "70000"));
    }
}
