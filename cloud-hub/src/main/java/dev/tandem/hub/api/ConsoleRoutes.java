package dev.tandem.hub.api;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The operator's console: a static page (classpath {@code console/}) at {@code /} and {@code /console/},
 * and the charting library from its WebJar ({@code org.webjars.npm:uplot}) at {@code /vendor/uplot/}, so
 * that it works without an internet connection. The page itself needs no token; everything it shows
 * comes from {@code /api/v1} with the operator's token, which the page asks for.
 */
final class ConsoleRoutes {
    static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    void mount(Router router) {
        router.get("/").handler(ctx -> ctx.redirect("/console/"));
        router.route("/console/*").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer");
            ctx.next();
        });
        router.route("/console/*").handler(StaticHandler.create("console").setCachingEnabled(false)
                .setDirectoryListing(false));
        router.route("/vendor/uplot/*").handler(StaticHandler.create("META-INF/resources/webjars/uplot/"
                + uplotVersion() + "/dist").setDirectoryListing(false));
    }

    /** The uPlot WebJar's version (from its Maven metadata on the classpath). */
    static String uplotVersion() {
        try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, "the console's charting WebJar (uplot) is not on "
                        + "the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "reading " + UPLOT_POM + ": " + e.getMessage(), e);
        }
    }
}
