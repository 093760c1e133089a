package dev.tandem.sim.junit;

import dev.tandem.sim.fleet.LocalFleetOptions;
import dev.tandem.sim.fleet.LocalFleet;
import dev.tandem.sim.scenario.Scenario;
import dev.tandem.sim.scenario.ScenarioLoader;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The extension behind {@link TandemFleet}: starts a {@link LocalFleet} before each test, injects it
 * into parameters of type {@code LocalFleet}, and closes it after the test (start and stop bounded).
 */
public final class TandemFleetExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TandemFleetExtension.class);
    private static final String KEY = "fleet";

    @Override
    public void beforeEach(ExtensionContext context) {
        TandemFleet spec = context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, TandemFleet.class))
                .or(() -> context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, TandemFleet.class)))
                .orElseThrow(() -> new IllegalStateException("TandemFleetExtension needs @TandemFleet on the test or its class"));
        context.getStore(NS).put(KEY, LocalFleet.start(options(spec)));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LocalFleet fleet = context.getStore(NS).remove(KEY, LocalFleet.class);
        if (fleet != null) {
            fleet.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalFleet.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        LocalFleet fleet = context.getStore(NS).get(KEY, LocalFleet.class);
        if (fleet == null) {
            throw new ParameterResolutionException("no Tandem fleet for " + context.getDisplayName()
                    + " (a LocalFleet parameter is for test methods, under @TandemFleet)");
        }
        return fleet;
    }

    static LocalFleetOptions options(TandemFleet spec) {
        return LocalFleetOptions.builder().devices(spec.devices()).scenario(scenario(spec.scenario()))
                .broker(spec.broker() == TandemFleet.Broker.MOSQUITTO ? LocalFleetOptions.BrokerKind.MOSQUITTO
                        : LocalFleetOptions.BrokerKind.EMBEDDED)
                .secured(spec.secured()).hub(spec.hub()).edge(spec.edge()).rate(spec.rate())
                .commissioning(spec.commissioning()).seed(spec.seed()).site(spec.site())
                .startupTimeout(Duration.ofSeconds(spec.startupSeconds())).build();
    }

    private static Scenario scenario(String nameOrFile) {
        if (nameOrFile.isBlank()) {
            return null;
        }
        Path file = Path.of(nameOrFile);
        return Files.isRegularFile(file) ? ScenarioLoader.load(file) : ScenarioLoader.builtIn(nameOrFile);
    }
}
