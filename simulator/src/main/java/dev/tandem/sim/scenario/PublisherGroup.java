package dev.tandem.sim.scenario;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.sim.factory.FactoryLine;
import dev.tandem.sim.factory.MachineSimulator;
import dev.tandem.sim.publish.PublisherConfig;
import dev.tandem.sim.publish.SensorPublisher;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The devices of a scenario that share one MQTT connection (one device, or a site's devices of one
 * type), published by a {@link SensorPublisher}. The connection may be lost (a network event, a
 * broker outage): the group then reconnects with a fresh publisher after a pause. Devices have no
 * buffer, as plain sensors: in a paced run the readings due while offline are generated and lost
 * (counted); at full speed nothing is due while offline, so nothing is lost.
 */
final class PublisherGroup {
    private static final Logger LOG = LoggerFactory.getLogger(PublisherGroup.class);
    static final long RECONNECT_PAUSE_MS = 1000;

    private final Vertx vertx;
    private final FactoryLine line;
    private final String site;
    private final String clientId;
    private final BrokerAddress broker;
    private final dev.tandem.shared.identity.BrokerLogin login;
    private final double speed;
    private final long referenceSamples;
    private final int qos;
    private final long startNanos;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong silenced = new AtomicLong();
    private final AtomicLong lostOffline = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private volatile SensorPublisher current;
    private volatile boolean done;
    private volatile boolean stopped;

    /**
     * @param referenceSamples samples per device at the line's reference rate (1 Hz): the scenario's seconds
     * @param speed            simulated seconds per wall second; infinite: as fast as the broker takes them
     */
    PublisherGroup(Vertx vertx, FactoryLine line, String site, String clientId, BrokerAddress broker,
                   dev.tandem.shared.identity.BrokerLogin login, double speed, long referenceSamples, int qos,
                   long startNanos) {
        this.vertx = vertx;
        this.line = line;
        this.site = site;
        this.login = login;
        this.clientId = login.clientId(clientId);
        this.broker = broker;
        this.speed = speed;
        this.referenceSamples = referenceSamples;
        this.qos = qos;
        this.startNanos = startNanos;
    }

    String clientId() {
        return clientId;
    }

    FactoryLine line() {
        return line;
    }

    /** Connects and publishes; reconnects after a lost connection until done or stopped. */
    void start() {
        if (stopped || done) {
            return;
        }
        long remaining = remainingReferenceSamples();
        if (remaining <= 0) {
            done = true;
            return;
        }
        PublisherConfig.Builder b = PublisherConfig.builder(site, broker).login(login).clientId(clientId).qos(qos)
                .samplesPerDevice(remaining);
        PublisherConfig config = Double.isInfinite(speed) ? b.asFastAsPossible().build() : b.ratePerDevice(speed).build();
        SensorPublisher p = new SensorPublisher(vertx, line, config);
        current = p;
        p.start(); // a failed connect fails the completion too: that is where the group retries
        p.completion().onComplete(ar -> {
            absorb(p);
            if (ar.succeeded() && !stopped) {
                done = true;
            } else if (ar.failed()) {
                retry(ar.cause().getMessage());
            }
        });
    }

    private synchronized void absorb(SensorPublisher p) {
        if (current == p) {
            published.addAndGet(p.published());
            failed.addAndGet(p.failed());
            silenced.addAndGet(p.silenced());
            current = null;
        }
    }

    private void retry(String why) {
        if (stopped || done) {
            return;
        }
        LOG.debug("{}: connection lost ({}); reconnecting in {} ms", clientId, why, RECONNECT_PAUSE_MS);
        vertx.setTimer(RECONNECT_PAUSE_MS, t -> {
            if (stopped || done) {
                return;
            }
            reconnects.incrementAndGet();
            catchUpWithTheClock();
            start();
        });
    }

    /** A paced run's devices skip what fell due while they were offline: generated, lost. */
    private void catchUpWithTheClock() {
        if (Double.isInfinite(speed)) {
            return;
        }
        double simSeconds = (System.nanoTime() - startNanos) / 1e9 * speed;
        for (MachineSimulator m : line.machines()) {
            long due = Math.min(total(m), (long) Math.floor(simSeconds * m.rateHz()));
            while (m.nextSeq() < due) {
                m.next();
                lostOffline.incrementAndGet();
            }
        }
    }

    private long total(MachineSimulator m) {
        return Math.round(referenceSamples * m.rateHz());
    }

    /** Samples per device still to go, at the reference rate (devices of a group share one rate). */
    private long remainingReferenceSamples() {
        MachineSimulator first = line.machines().get(0);
        return Math.round((total(first) - first.nextSeq()) / first.rateHz());
    }

    /** Stops publishing (bounded wait by the publisher's own drain timeout). */
    io.vertx.core.Future<Void> stop() {
        stopped = true;
        SensorPublisher p = current;
        return p == null ? io.vertx.core.Future.succeededFuture() : p.stop().onComplete(ar -> absorb(p));
    }

    boolean isDone() {
        return done;
    }

    long published() {
        SensorPublisher p = current;
        return published.get() + (p == null ? 0 : p.published());
    }

    long failed() {
        SensorPublisher p = current;
        return failed.get() + (p == null ? 0 : p.failed());
    }

    long silenced() {
        SensorPublisher p = current;
        return silenced.get() + (p == null ? 0 : p.silenced());
    }

    long lostOffline() {
        return lostOffline.get();
    }

    long reconnects() {
        return reconnects.get();
    }

    /** Simulated seconds the slowest device of the group has reached. */
    double simulatedSeconds() {
        double min = Double.MAX_VALUE;
        for (MachineSimulator m : line.machines()) {
            min = Math.min(min, m.nextSeq() / m.rateHz());
        }
        return min;
    }
}
