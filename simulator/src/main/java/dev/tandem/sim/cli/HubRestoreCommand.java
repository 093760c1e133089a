package dev.tandem.sim.cli;

import dev.tandem.hub.store.HubStore;
import dev.tandem.hub.store.StoreBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Replaces everything in the hub's store with a backup (one transaction: a damaged or truncated "
                + "file, or one of another schema, changes nothing).",
                "Stop the hub instances using the store first; start them again afterwards (they load the restored "
                        + "models)."})
final class HubRestoreCommand implements Callable<Integer> {
    @Mixin
    StoreOptions store;

    @Option(names = "--in", paramLabel = "FILE", required = true, description = "The backup file to read.")
    Path in;

    @Override
    public Integer call() {
        try (HubStore s = HubStore.open(store.settings())) {
            StoreBackup.Summary summary = StoreBackup.restore(s, in);
            System.out.printf("restored %s into %s (schema %s): %d rows %s%n", in, s.settings().displayUrl(),
                    summary.schemaVersion(), summary.totalRows(), summary.rows());
        }
        return 0;
    }
}
