package dev.tandem.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.shared.wire.Wire;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The CLI's side of the hub's REST API: GETs under {@code /api/v1} with the operator's token,
 * JSON back, and each way of failing as a {@link Failure} with the exit code the fleet commands use.
 */
final class HubClient {
    /** Exit codes of the commands that call the hub (2, usage, is picocli's). */
    static final int EXIT_REFUSED = 1;
    static final int EXIT_UNREACHABLE = 3;
    static final int EXIT_UNAUTHORIZED = 4;
    private static final int MAX_TOKEN_FILE_BYTES = 4096;
    private static final int MAX_RESPONSE_CHARS = 64 * 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A call that did not succeed: what to print and the exit code. */
    static final class Failure extends RuntimeException {
        final int exit;

        Failure(int exit, String message) {
            super(message, null, false, false);
            this.exit = exit;
        }
    }

    private final URI base;
    private final String token;
    private final Path tokenFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    HubClient(String hubUrl, Path tokenFile) {
        this.base = parse(hubUrl);
        this.tokenFile = tokenFile;
        this.token = readToken(tokenFile);
    }

    /** GET {@code /api/v1/<path>}: the JSON body of a 200. */
    JsonNode get(String path) {
        return call(path, HttpRequest.newBuilder().GET());
    }

    /** POST {@code body} (JSON) to {@code /api/v1/<path>}: the JSON body of a 200. */
    JsonNode post(String path, JsonNode body) {
        return call(path, HttpRequest.newBuilder().header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Wire.encode(body))));
    }

    private JsonNode call(String path, HttpRequest.Builder request) {
        URI uri = base.resolve("/api/v1/" + path);
        HttpResponse<String> r;
        try {
            r = http.send(request.uri(uri).timeout(TIMEOUT).header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure(EXIT_UNREACHABLE, "hub unreachable at " + base + ": " + describe(e)
                    + " (is it running with --http?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(EXIT_UNREACHABLE, "interrupted while calling " + base);
        }
        if (r.body().length() > MAX_RESPONSE_CHARS) {
            throw new Failure(EXIT_REFUSED, "the hub's answer is larger than " + MAX_RESPONSE_CHARS + " characters");
        }
        JsonNode body = parseJson(r.body());
        if (r.statusCode() / 100 == 2 && body != null) {
            return body;
        }
        String code = body == null ? "HTTP " + r.statusCode() : body.path("code").asText("HTTP " + r.statusCode());
        String message = body == null ? r.body() : body.path("message").asText("");
        String field = body == null || !body.hasNonNull("field") ? "" : " (field " + body.get("field").asText() + ")";
        throw switch (r.statusCode()) {
            case 401 -> new Failure(EXIT_UNAUTHORIZED, "the hub at " + base + " refused the token in "
                    + tokenFile + " [" + code + "]: " + message);
            case 403 -> new Failure(EXIT_UNAUTHORIZED, "not allowed [" + code + "]: " + message);
            default -> new Failure(EXIT_REFUSED, "[" + code + "] " + message + field);
        };
    }

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode parseJson(String text) {
        try {
            return text.isEmpty() ? null : Wire.mapper().readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " " + m);
    }

    private static URI parse(String url) {
        try {
            URI u = new URI(url);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw invalid("--hub must be http://HOST:PORT or https://HOST:PORT, got '" + url + "'");
            }
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), "/", null, null);
        } catch (java.net.URISyntaxException e) {
            throw invalid("--hub is not a URL: '" + url + "'");
        }
    }

    private static String readToken(Path file) {
        try {
            if (Files.size(file) > MAX_TOKEN_FILE_BYTES) {
                throw invalid(file + " is larger than " + MAX_TOKEN_FILE_BYTES + " bytes: not a token file");
            }
            String t = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (t.isEmpty() || t.length() > OperatorToken.MAX_TOKEN_CHARS || t.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw invalid(file + " holds no operator token (operators/NAME.token from ./tandem provision)");
            }
            return t;
        } catch (IOException e) {
            throw invalid("cannot read the token file " + file + ": " + e.getMessage());
        }
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, message);
    }
}
