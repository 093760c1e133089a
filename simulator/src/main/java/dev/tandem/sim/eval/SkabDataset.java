package dev.tandem.sim.eval;

import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A folder of SKAB-format files, one device per file, in the loader's deterministic order
 * (see {@link SkabCsvLoader}). Device ids are unique.
 */
public record SkabDataset(Path root, List<SkabFile> files) {
    public SkabDataset {
        files = Checks.nonEmpty("files", files);
        Set<String> ids = new HashSet<>();
        for (SkabFile f : files) {
            if (!ids.add(f.deviceId())) {
                throw TandemException.invalid("device id '" + f.deviceId() + "' appears twice in " + root);
            }
        }
    }

    /** Loads {@code root} recursively, skipping (and counting) malformed rows. */
    public static SkabDataset load(Path root) {
        return new SkabCsvLoader().loadFolder(root);
    }

    /** The files with an {@code anomaly} column: the ones the protocol scores. */
    public List<SkabFile> labelled() {
        return files.stream().filter(SkabFile::labelled).toList();
    }

    /** The files without labels (e.g. {@code anomaly-free.csv}): never scored. */
    public List<SkabFile> unlabelled() {
        return files.stream().filter(f -> !f.labelled()).toList();
    }

    public Optional<SkabFile> find(String deviceId) {
        return files.stream().filter(f -> f.deviceId().equals(deviceId)).findFirst();
    }

    public SkabFile file(String deviceId) {
        return find(deviceId).orElseThrow(() -> new TandemException(ErrorCode.UNKNOWN_DEVICE,
                "no file for device '" + deviceId + "' in " + root));
    }

    public long totalRows() {
        return files.stream().mapToLong(SkabFile::rowCount).sum();
    }

    public long skippedRows() {
        return files.stream().mapToLong(f -> f.report().skippedRows()).sum();
    }

    /** Channel names, if every file has the same ones (in the same order); empty otherwise. */
    public Optional<List<String>> commonChannels() {
        List<String> first = files.get(0).channels();
        return files.stream().allMatch(f -> f.channels().equals(first)) ? Optional.of(first) : Optional.empty();
    }
}
