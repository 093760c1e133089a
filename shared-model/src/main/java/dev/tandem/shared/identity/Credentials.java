package dev.tandem.shared.identity;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a component needs to log in: its username ({@code site/name}, also its MQTT client id) and
 * password. Written by {@code ./tandem provision} as one small JSON file per identity, readable by
 * its owner only; read with {@link #load}.
 */
public record Credentials(int v, String username, String password, Role role) {
    public static final int VERSION = 1;
    /** A credentials file is a few hundred bytes. */
    public static final int MAX_FILE_BYTES = 4096;

    public Credentials {
        Checks.version("Credentials", v, VERSION);
        Identity.splitUsername(username);
        Checks.nonBlank("password", password);
        if (password.length() > 256) {
            throw TandemException.invalid("password longer than 256 characters");
        }
        if (role == null) {
            throw TandemException.invalid("role is required");
        }
    }

    public static Credentials of(Identity identity, String password) {
        return new Credentials(VERSION, identity.username(), password, identity.role());
    }

    public String site() {
        return Identity.splitUsername(username)[0];
    }

    /** Loads a credentials file; {@link ErrorCode#INVALID_CONFIG} naming the file if it is missing or bad. */
    public static Credentials load(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, file + " is larger than " + MAX_FILE_BYTES
                        + " bytes: not a credentials file");
            }
            return Wire.decode(Files.readAllBytes(file), Credentials.class, MAX_FILE_BYTES);
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot read credentials " + file + ": " + e, e);
        } catch (TandemException e) {
            throw e.code() == ErrorCode.INVALID_CONFIG ? e
                    : new TandemException(ErrorCode.INVALID_CONFIG, "credentials " + file + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", " + role + "]"; // never the password
    }
}
