package dev.tandem.shared.signing;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/** Reads and writes DER objects as PEM blocks ({@code -----BEGIN label-----}), several to a file. */
final class PemFiles {
    /** A key file is a few hundred bytes; anything much larger is not one. */
    static final int MAX_BYTES = 16 * 1024;

    private PemFiles() {
    }

    /** One PEM block. */
    record Block(String label, byte[] der) {
    }

    static void write(Path file, boolean secret, Block... blocks) {
        StringBuilder pem = new StringBuilder();
        for (Block b : blocks) {
            pem.append("-----BEGIN ").append(b.label()).append("-----\n")
                    .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(b.der()))
                    .append("\n-----END ").append(b.label()).append("-----\n");
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, pem.toString(), StandardCharsets.US_ASCII);
            if (secret) {
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: the caller's umask applies
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The first block with this label. */
    static byte[] read(Path file, String label) {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, file + " is larger than " + MAX_BYTES
                        + " bytes: not a " + label + " file");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot read " + label + " file " + file + ": " + e, e);
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, file + " is not a PEM " + label + " file");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, file + ": bad base64 in the " + label + " block");
        }
    }
}
