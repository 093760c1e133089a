package dev.tandem.sim.provision;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.OperatorToken;
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
 * hash (never the password), and the operators of the hub's REST API with their token's hash
 * (never the token). The embedded broker's security extension reads it directly; the mosquitto
 * configuration is generated from it ({@link DynsecConfig}); the hub reads its operators.
 */
public record SiteRegistry(int v, String site, List<Account> accounts, List<OperatorToken> operators) {
    /** Version 2 added {@code operators}; a version 1 file is read as one without operators. */
    public static final int VERSION = 2;
    /** Operators per site. */
    public static final int MAX_OPERATORS = 1000;
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
        operators = operators == null ? List.of() : List.copyOf(operators);
        if (operators.size() > MAX_OPERATORS) {
            throw TandemException.invalid("site " + site + " has " + operators.size() + " operators, at most "
                    + MAX_OPERATORS);
        }
        if (operators.stream().map(OperatorToken::name).distinct().count() != operators.size()) {
            throw TandemException.invalid("site " + site + " has two operators of the same name");
        }
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
        return new SiteRegistry(VERSION, site, List.of(), List.of());
    }

    public Optional<OperatorToken> operator(String name) {
        return operators.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    public SiteRegistry withOperator(OperatorToken operator) {
        List<OperatorToken> next = new ArrayList<>(operators);
        next.add(operator);
        return new SiteRegistry(v, site, accounts, next);
    }

    /** Without the operator of that name; {@link ErrorCode#INVALID_CONFIG} if there is none. */
    public SiteRegistry withoutOperator(String name) {
        List<OperatorToken> next = new ArrayList<>(operators);
        if (!next.removeIf(o -> o.name().equals(name))) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "site " + site + " has no operator named " + name);
        }
        return new SiteRegistry(v, site, accounts, next);
    }

    public Optional<Account> account(String username) {
        return accounts.stream().filter(a -> a.username().equals(username)).findFirst();
    }

    public SiteRegistry with(Account account) {
        List<Account> next = new ArrayList<>(accounts);
        next.add(account);
        return new SiteRegistry(v, site, next, operators);
    }

    /** Without the identity of that name; {@link ErrorCode#INVALID_CONFIG} if there is none. */
    public SiteRegistry without(String name) {
        List<Account> next = new ArrayList<>(accounts);
        if (!next.removeIf(a -> a.identity().name().equals(name))) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "site " + site + " has no identity named " + name);
        }
        return new SiteRegistry(v, site, next, operators);
    }

    public static SiteRegistry load(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, file + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return Wire.decode(upgraded(Files.readAllBytes(file)), SiteRegistry.class, MAX_FILE_BYTES);
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot read site registry " + file + ": " + e, e);
        } catch (TandemException e) {
            throw e.code() == ErrorCode.INVALID_CONFIG ? e
                    : new TandemException(ErrorCode.INVALID_CONFIG, "site registry " + file + ": " + e.getMessage());
        }
    }

    /** A version 1 registry as version 2 (no operators); anything else as it is. */
    private static byte[] upgraded(byte[] bytes) {
        try {
            JsonNode tree = Wire.mapper().readTree(bytes);
            if (tree instanceof ObjectNode o && o.path("v").asInt() == 1 && !o.has("operators")) {
                o.put("v", VERSION);
                o.putArray("operators");
                return Wire.mapper().writeValueAsBytes(o);
            }
        } catch (IOException e) {
            // not JSON: Wire.decode says so with its code
        }
        return bytes;
    }

    /** Writes the file atomically (a reader sees the old or the new registry, never half of one). */
    public void save(Path file) {
        SecretFiles.writeAtomically(file, Wire.encode(this), false);
    }

    static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
