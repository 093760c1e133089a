package dev.tandem.hub.api;

import dev.tandem.shared.identity.OperatorToken;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Who presents a bearer token: the site's operators (from the site registry), checked on every API request. */
@FunctionalInterface
public interface OperatorAuthenticator {
    /** The operator whose token this is, or empty (no such token, or too long to be one). */
    Optional<OperatorToken> authenticate(String token);

    /** A fixed set of operators, looked up by the hash of the presented token. */
    static OperatorAuthenticator of(List<OperatorToken> operators) {
        Map<String, OperatorToken> byHash = operators.stream()
                .collect(Collectors.toUnmodifiableMap(OperatorToken::sha256, Function.identity(), (a, b) -> a));
        return token -> {
            if (token == null || token.isEmpty() || token.length() > OperatorToken.MAX_TOKEN_CHARS) {
                return Optional.empty();
            }
            OperatorToken op = byHash.get(OperatorToken.hash(token));
            return op != null && op.matches(token) ? Optional.of(op) : Optional.empty();
        };
    }
}
