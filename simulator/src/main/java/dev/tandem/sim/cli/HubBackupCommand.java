package dev.tandem.sim.cli;

import dev.tandem.hub.store.HubStore;
import dev.tandem.hub.store.StoreBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Writes the hub's whole store to one file (gzip, JSON lines; the same format for the embedded "
                + "database and PostgreSQL, so a backup of one restores into the other).",
                "Reads one consistent snapshot; hub instances may keep running. The embedded database is one process's "
                        + "at a time: stop the hub that uses it first."})
final class HubBackupCommand implements Callable<Integer> {
    @Mixin
    StoreOptions store;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The backup file to write.")
    Path out;

    @Override
    public Integer call() {
        try (HubStore s = HubStore.open(store.settings())) {
            StoreBackup.Summary summary = StoreBackup.backup(s, out);
            System.out.printf("backup of %s (schema %s) written to %s: %d rows %s%n", s.settings().displayUrl(),
                    summary.schemaVersion(), out, summary.totalRows(), summary.rows());
        }
        return 0;
    }
}
