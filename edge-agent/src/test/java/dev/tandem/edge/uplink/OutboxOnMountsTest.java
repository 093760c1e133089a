package dev.tandem.edge.uplink;

import dev.tandem.shared.topic.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The outbox on real file systems that fail: a small tmpfs that fills up, and one remounted
 * read-only under it (root ignores file modes, so only a mount makes a directory truly read-only).
 * Needs root's right to mount; skipped, with a message, where it is missing.
 */
class OutboxOnMountsTest {
    private static final Executor DIRECT = Runnable::run;
    private static final String ALARMS = Topics.of("s", "d", Topics.Kind.ALARMS);
    private static final String READINGS = Topics.of("s", "d", Topics.Kind.COMMISSIONING);

    @TempDir
    Path base;
    private Path mount;
    private boolean mounted;

    @BeforeEach
    void mountTmpfs() throws Exception {
        mount = base.resolve("tmpfs");
        java.nio.file.Files.createDirectories(mount);
        mounted = run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString());
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): the outbox's full and "
                + "read-only disks are covered by DurableOutboxTest through /dev/full and /proc instead");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", "-l", mount.toString());
        }
    }

    @Test
    void aTmpfsThatFillsUp_degradesTheOutboxToMemory_andLosesNoMessage() {
        Outbox o = Outbox.open(mount, 100_000, 8, OutboxSettings.defaults(), DIRECT, (c, r) -> { });
        assertTrue(o.durable());
        byte[] reading = new byte[1024];
        int offered = 0;
        while (!o.stats().degraded() && offered < 2_000) { // 2 MB against 256 KB: the disk fills
            Arrays.fill(reading, (byte) offered);
            o.offer(READINGS, reading, false);
            offered++;
            if (offered % 50 == 0) {
                o.awaitDisk();
            }
        }
        o.awaitDisk();
        assertTrue(o.stats().degraded(), "ENOSPC on the tmpfs degrades the outbox (after " + offered + " readings)");
        assertFalse(o.durable());
        o.offer(ALARMS, "alarm".getBytes(StandardCharsets.UTF_8), false);
        List<Outbox.Message> queued = o.queued();
        assertEquals("alarm", new String(queued.get(0).payload(), StandardCharsets.UTF_8), "the alarm first, in memory");
        long dropped = o.stats().dropped(MessageClass.READINGS, DropReason.BUDGET)
                + o.stats().dropped(MessageClass.READINGS, DropReason.CAPACITY);
        assertEquals(offered + 1, queued.size() + dropped, "every message held or counted as dropped");
        o.close(1_000);
    }

    @Test
    void aDiskThatComesBackReadOnly_opensInMemoryWithAFlag_readsWhatItHeld_andTakesNewMessages() throws Exception {
        Outbox o = Outbox.open(mount, 10_000, 8, OutboxSettings.defaults(), DIRECT, (c, r) -> { });
        o.offer(ALARMS, "a1".getBytes(StandardCharsets.UTF_8), false);
        o.awaitDisk();
        assertTrue(o.durable());
        o.close(1_000);
        // the disk comes back read-only after a restart (a file system error, a card that wore out)
        assertTrue(run("mount", "-o", "remount,ro", mount.toString()), "remount read-only");
        Outbox again = Outbox.open(mount, 10_000, 8, OutboxSettings.defaults(), DIRECT, (c, r) -> { });
        assertTrue(again.stats().degraded(), "opened on a read-only disk: in memory, flagged");
        assertFalse(again.durable());
        again.offer(ALARMS, "a2".getBytes(StandardCharsets.UTF_8), false);
        again.offer(READINGS, "r1".getBytes(StandardCharsets.UTF_8), false);
        List<String> queued = again.queued().stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList();
        System.out.println("outbox reopened read-only holds " + queued);
        assertEquals(List.of("a1", "a2", "r1"), queued, "the alarm synced before is read from the read-only disk, "
                + "the new messages are held in memory");
        again.close(1_000);
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
