package dev.tandem.sim.provision;

import dev.tandem.hub.api.OperatorAuthenticator;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.sim.broker.security.RegistryWatcher;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The operators of a site's registry, for a hub's REST API, followed while the hub runs: an operator
 * added or revoked by {@code ./tandem provision} is accepted or refused within a second.
 */
public final class SiteOperators implements OperatorAuthenticator, AutoCloseable {
    private final AtomicReference<OperatorAuthenticator> current;
    private final RegistryWatcher watcher;
    private final int count;

    private SiteOperators(Path registry, SiteRegistry first) {
        this.current = new AtomicReference<>(OperatorAuthenticator.of(first.operators()));
        this.count = first.operators().size();
        this.watcher = RegistryWatcher.start(registry, r -> {
            if (r.site().equals(first.site())) {
                current.set(OperatorAuthenticator.of(r.operators()));
            }
        });
    }

    /**
     * Follows the registry {@code file}; {@link ErrorCode#INVALID_CONFIG} if it is of another site than
     * {@code site} (null: any) or has no operator.
     */
    public static SiteOperators follow(Path file, String site) {
        SiteRegistry r = SiteRegistry.load(file);
        if (site != null && !site.equals(r.site())) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, file + " is site " + r.site() + ", this hub serves "
                    + site);
        }
        if (r.operators().isEmpty()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, file + " has no operator to accept on the REST API "
                    + "(./tandem provision --out DIR --add --operator NAME=admin)");
        }
        return new SiteOperators(file, r);
    }

    /** Operators when the hub started following the file. */
    public int count() {
        return count;
    }

    @Override
    public Optional<OperatorToken> authenticate(String token) {
        return current.get().authenticate(token);
    }

    @Override
    public void close() {
        watcher.close();
    }
}
