package dev.tandem.sim.provision;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.PasswordHash;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A provisioned site ({@code site.json}): every identity allowed on the broker and its password's
 * hash (never the password). The embedded broker's security extension reads it directly; the
 * mosquitto configuration is generated from it ({@link DynsecConfig}).
 */
public record SiteRegistry(int v, String site, List<Account> accounts) {
    public static final int VERSION = 1;
    /** Accounts per site (agents, sensors, hubs): bounds what a file can make the broker hold. */
    public static final int MAX_ACCOUNTS = 100_000;
    private static final int MAX_FILE_BYTES = 64 * 1024 * 1024;

    /** One identity and its password hash. */
    public record Account(Identity identity, PasswordHash password) {
        public Account {
            if (identity == null || password == null) {
                throw TandemException.invalid("an account has an identity and a password hash");
            }
        }

        public String username() {
            return identity.username();
        }
    }

    public SiteRegistry {
        Checks.version("SiteRegistry", v, VERSION);
        Checks.id("site", site);
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
        if (accounts.size() > MAX_ACCOUNTS) {
            throw TandemException.invalid("site " + site + " has " + accounts.size() + " accounts, at most " + MAX_ACCOUNTS);
        }
        Set<String> names = new HashSet<>();
        Set<String> devices = new HashSet<>();
        for (Account a : accounts) {
            if (!a.identity().site().equals(site)) {
                throw TandemException.invalid("account " + a.username() + " is not of site " + site);
            }
            if (!names.add(a.identity().name())) {
                throw TandemException.invalid("site " + site + " has two identities named " + a.identity().name());
            }
            if (a.identity().role() == dev.tandem.shared.identity.Role.AGENT) {
                for (String d : a.identity().devices()) {
                    if (!devices.add(d)) {
                        throw TandemException.invalid("device " + d + " is served by two agents");
                    }
                }
            }
        }
    }

    public static SiteRegistry empty(String site) {
        return new SiteRegistry(VERSION, site, List.of());
    }

    public Optional<Account> account(String username) {
        return accounts.stream().filter(a -> a.username().equals(username)).findFirst();
    }

    public SiteRegistry with(Account account) {
        List<Account> next = new ArrayList<>(accounts);
        next.add(account);
        return new SiteRegistry(v, site, next);
    }

    /** Without the identity of that name; {@link ErrorCode#INVALID_CONFIG} if there is none. */
    public SiteRegistry without(String name) {
        List<Account> next = new ArrayList<>(accounts);
        if (!next.removeIf(a -> a.identity().name().equals(name))) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "site " + site + " has no identity named " + name);
        }
        return new SiteRegistry(v, site, next);
    }

    public static SiteRegistry load(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, file + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return Wire.decode(Files.readAllBytes(file), SiteRegistry.class, MAX_FILE_BYTES);
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot read site registry " + file + ": " + e, e);
        } catch (TandemException e) {
            throw e.code() == ErrorCode.INVALID_CONFIG ? e
                    : new TandemException(ErrorCode.INVALID_CONFIG, "site registry " + file + ": " + e.getMessage());
        }
    }

    /** Writes the file atomically (a reader sees the old or the new registry, never half of one). */
    public void save(Path file) {
        SecretFiles.writeAtomically(file, Wire.encode(this), false);
    }

    static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
