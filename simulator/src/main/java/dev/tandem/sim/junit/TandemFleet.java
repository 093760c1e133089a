package dev.tandem.sim.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Starts a Tandem fleet for each test of the annotated class (or the annotated test method) and
 * injects it as a {@link dev.tandem.sim.fleet.LocalFleet} parameter: a broker on a free loopback
 * port (secured by default with a throwaway provisioned site), the hub and one edge agent per device
 * if asked, the simulator publishing, and an alarm recorder. Every device has its model before the
 * test starts (with hub and edge); the fleet is closed after the test. A method's annotation wins
 * over its class's.
 *
 * <pre>{@code
 * @TandemFleet(devices = 3)
 * class PumpAlarmsTest {
 *     @Test
 *     void levelShift_raisesAnAlarm(LocalFleet fleet) throws Exception {
 *         fleet.device("machine-01").inject(Fault.levelShift("motor_current", 30).lasting(Duration.ofMinutes(10)))
 *                 .awaitAlarm(Duration.ofSeconds(5)); // an AssertionError if none within 5 s
 *     }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(TandemFleetExtension.class)
public @interface TandemFleet {
    /** Where the broker runs. */
    enum Broker {
        /** HiveMQ CE embedded in the test's JVM. */
        EMBEDDED,
        /** A mosquitto process of its own (the {@code mosquitto} binary must be installed). */
        MOSQUITTO
    }

    /** Healthy pumps {@code machine-01}...; ignored when {@link #scenario()} is given. */
    int devices() default 3;

    /** A built-in scenario's name ({@code line}, {@code drift}...) or a scenario file's path; empty: {@link #devices()} pumps. */
    String scenario() default "";

    Broker broker() default Broker.EMBEDDED;

    /** Identities and ACLs of a throwaway provisioned site (false: anonymous clients). */
    boolean secured() default true;

    /** Start the hub. */
    boolean hub() default true;

    /** Start one edge agent per device (needs the hub). */
    boolean edge() default true;

    /** Readings per second per device (wall time). */
    double rate() default 50;

    /** Readings each edge agent commissions on. */
    int commissioning() default 400;

    long seed() default 42;

    /** The site of the devices when no scenario names one. */
    String site() default "plant";

    /** Bound of the whole start, models delivered included. */
    long startupSeconds() default 120;
}
