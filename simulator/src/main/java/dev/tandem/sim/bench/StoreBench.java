package dev.tandem.sim.bench;

import dev.tandem.hub.store.Escalations.EscalationRecord;
import dev.tandem.hub.store.HubStore;
import dev.tandem.hub.store.LocalPostgres;
import dev.tandem.hub.store.StoreSettings;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * {@code ./tandem bench store}: how fast the hub's store records escalations, on the embedded H2
 * (a file, as the hub keeps it) and on PostgreSQL side by side, through the hub's own
 * {@link dev.tandem.hub.store.Escalations#insert} (one transaction per call): latency per single-row
 * insert and per batch (p50, p99) and rows/s of each, after preloading the table to a given size.
 * PostgreSQL is a throwaway local cluster with fsync on (or {@code --db URL}).
 */
public final class StoreBench {
    public static final int DEFAULT_SINGLES = 3_000;
    public static final int DEFAULT_BATCHES = 200;
    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final int DEFAULT_PRELOAD = 100_000;
    private static final int WARMUP = 500;
    private static final int PRELOAD_BATCH = 2_000;

    /** @param postgresUrl a PostgreSQL to measure (null: a throwaway local cluster; skipped if not installed) */
    public record Options(int singles, int batches, int batchSize, int preload, String postgresUrl, Path report) {
    }

    /** One database's figures. */
    public record Result(String database, long rowsBefore, double singleP50Ms, double singleP99Ms,
                         double singleRowsPerSecond, int batchSize, double batchP50Ms, double batchP99Ms,
                         double batchRowsPerSecond, long rowsAfter) {
    }

    private StoreBench() {
    }

    public static List<Result> run(Options o, PrintStream out) {
        return run(o, out, out);
    }

    /** Prints the table on {@code out}, and where it is (database by database) on {@code progress}. */
    public static List<Result> run(Options o, PrintStream out, PrintStream progress) {
        List<Result> results = new ArrayList<>();
        byte[] payload = Wire.encode(escalation());
        Path tmp;
        try {
            tmp = Files.createTempDirectory("tandem-bench-store");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            progress.println("store bench: " + o.preload() + " escalations preloaded, then " + o.singles()
                    + " single-row inserts and " + o.batches() + " batches of " + o.batchSize() + " (payload "
                    + payload.length + " bytes)");
            results.add(measure("H2 " + org.h2.engine.Constants.VERSION + " (embedded file)", StoreSettings.h2File(tmp),
                    o, payload, progress));
            if (o.postgresUrl() != null) {
                results.add(measure("PostgreSQL", StoreSettings.of(o.postgresUrl(),
                        dev.tandem.hub.store.DbCredentials.fromEnvironment()), o, payload, progress));
            } else if (LocalPostgres.binaries().isPresent()) {
                try (LocalPostgres pg = LocalPostgres.start(true)) {
                    results.add(measure("PostgreSQL " + pg.version() + " (local, fsync on)",
                            StoreSettings.of(pg.newDatabase("bench"), null), o, payload, progress));
                }
            } else {
                progress.println("PostgreSQL: not measured (no server binaries: apt-get install -y postgresql, or --db URL)");
            }
        } finally {
            deleteTree(tmp);
        }
        print(results, out);
        if (o.report() != null) {
            try {
                Files.write(o.report(), Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(results));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return results;
    }

    private static Result measure(String name, StoreSettings settings, Options o, byte[] payload, PrintStream out) {
        try (HubStore store = HubStore.open(settings)) {
            long[] seq = {0};
            long t0 = System.nanoTime();
            while (seq[0] < o.preload()) {
                store.escalations().insert(records(seq, (int) Math.min(PRELOAD_BATCH, o.preload() - seq[0]), payload));
            }
            if (o.preload() > 0) {
                out.printf(Locale.ROOT, "%s: preloaded %d rows in %.1f s%n", name, seq[0], (System.nanoTime() - t0) / 1e9);
            }
            long before = store.escalations().count();
            for (int i = 0; i < WARMUP; i++) {
                store.escalations().insert(records(seq, 1, payload));
            }
            double[] single = new double[o.singles()];
            long s0 = System.nanoTime();
            for (int i = 0; i < single.length; i++) {
                List<EscalationRecord> one = records(seq, 1, payload);
                long a = System.nanoTime();
                store.escalations().insert(one);
                single[i] = (System.nanoTime() - a) / 1e6;
            }
            double singleSeconds = (System.nanoTime() - s0) / 1e9;
            double[] batch = new double[o.batches()];
            long b0 = System.nanoTime();
            for (int i = 0; i < batch.length; i++) {
                List<EscalationRecord> rows = records(seq, o.batchSize(), payload);
                long a = System.nanoTime();
                store.escalations().insert(rows);
                batch[i] = (System.nanoTime() - a) / 1e6;
            }
            double batchSeconds = (System.nanoTime() - b0) / 1e9;
            Result r = new Result(name, before, quantile(single, 0.5), quantile(single, 0.99),
                    single.length / singleSeconds, o.batchSize(), quantile(batch, 0.5), quantile(batch, 0.99),
                    (double) batch.length * o.batchSize() / batchSeconds, store.escalations().count());
            out.printf(Locale.ROOT, "%s: single p50 %.3f ms p99 %.3f ms; batch p50 %.1f ms p99 %.1f ms%n", name,
                    r.singleP50Ms(), r.singleP99Ms(), r.batchP50Ms(), r.batchP99Ms());
            return r;
        }
    }

    private static List<EscalationRecord> records(long[] seq, int n, byte[] payload) {
        List<EscalationRecord> out = new ArrayList<>(n);
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            long s = seq[0]++;
            String device = "machine-" + (s % 50);
            out.add(new EscalationRecord("bench", device, device + "-" + s, s, 10, "tiny-0123456789ab", 0.93, now,
                    "bench", payload, s % 7 == 0, 0.81, "large-0123456789ab", now + 2));
        }
        return out;
    }

    /** A typical first escalation: a 12-sample context of 5 channels. */
    private static Escalation escalation() {
        Random random = new Random(42);
        List<Sample> samples = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            double[] v = new double[5];
            for (int c = 0; c < v.length; c++) {
                v[c] = 20 + c + random.nextGaussian();
            }
            samples.add(new Sample(1_000 + t, 1_700_000_000_000L + t * 40L, v));
        }
        return new Escalation(Escalation.VERSION, "machine-1-1011", "bench", "machine-1", 1_011, 10, 12,
                "tiny-0123456789ab", 0.93, samples, 1_700_000_000_500L);
    }

    static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static void print(List<Result> results, PrintStream out) {
        out.println();
        out.println("| database | rows before | single p50 ms | single p99 ms | single rows/s | batch | batch p50 ms "
                + "| batch p99 ms | batch rows/s |");
        out.println("|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            out.printf(Locale.ROOT, "| %s | %,d | %.3f | %.3f | %,.0f | %d | %.1f | %.1f | %,.0f |%n", r.database(),
                    r.rowsBefore(), r.singleP50Ms(), r.singleP99Ms(), r.singleRowsPerSecond(), r.batchSize(),
                    r.batchP50Ms(), r.batchP99Ms(), r.batchRowsPerSecond());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
