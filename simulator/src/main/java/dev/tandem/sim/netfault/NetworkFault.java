package dev.tandem.sim.netfault;

import dev.tandem.shared.error.TandemException;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What the {@link FaultProxy} does to the connections a fault applies to, while it is on.
 *
 * @param kind       what it does
 * @param latency    LATENCY: added delay of every chunk of bytes, each direction
 * @param jitter     LATENCY: extra delay uniform in [0, jitter] (order is kept, as TCP keeps it)
 * @param loss       LOSS: share of chunks lost on the wire; TCP retransmits them, so each loss delays
 *                   the chunk (and what follows) by {@code retransmit}
 * @param retransmit LOSS: the retransmission timeout (default 200 ms, TCP's minimum RTO)
 * @param bandwidth  BANDWIDTH: bytes per second, per connection and direction
 */
public record NetworkFault(Kind kind, Duration latency, Duration jitter, double loss, Duration retransmit, long bandwidth) {
    public static final Duration DEFAULT_RETRANSMIT = Duration.ofMillis(200);

    /** The kinds of network fault. */
    public enum Kind {
        /** Every chunk delayed by latency + [0, jitter]. */
        LATENCY,
        /** Chunks lost with a probability and retransmitted after the timeout (a delay, as TCP sees it). */
        LOSS,
        /** Throughput capped at a number of bytes per second. */
        BANDWIDTH,
        /** The connections are closed at the start (both sides); reconnecting works at once. */
        DISCONNECT,
        /** The broker's side is closed; the client's side stays open and its bytes vanish (until its keep-alive notices). New connections work. */
        HALF_OPEN,
        /** Nothing passes either way and new connections hang; when it heals, the connections it cut are closed. */
        PARTITION,
        /** The broker is gone: every connection closed and new ones refused, for everyone. */
        BROKER_OUTAGE,
        /**
         * A one-way partition: what the client sends is lost, what the broker sends still reaches it (up to
         * the broker's inflight window, since the client's acknowledgements are lost too); when it heals,
         * the connections it cut are closed.
         */
        UPLINK_STALL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.wireName().equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw TandemException.invalid("unknown network event '" + s + "' (one of "
                    + Arrays.stream(values()).map(Kind::wireName).collect(Collectors.joining(", ")) + ")");
        }
    }

    public NetworkFault {
        Objects.requireNonNull(kind, "kind");
        latency = latency == null ? Duration.ZERO : latency;
        jitter = jitter == null ? Duration.ZERO : jitter;
        retransmit = retransmit == null ? DEFAULT_RETRANSMIT : retransmit;
        if (latency.isNegative() || jitter.isNegative() || retransmit.isNegative()) {
            throw TandemException.invalid("latency, jitter and retransmit must be >= 0");
        }
        switch (kind) {
            case LATENCY -> {
                if (latency.isZero() && jitter.isZero()) {
                    throw TandemException.invalid("latency needs a latency or a jitter > 0");
                }
            }
            case LOSS -> {
                if (!(loss > 0 && loss < 1)) {
                    throw TandemException.invalid("loss needs a loss share in (0, 1), got " + loss);
                }
            }
            case BANDWIDTH -> {
                if (bandwidth < 1) {
                    throw TandemException.invalid("bandwidth needs bytes per second >= 1, got " + bandwidth);
                }
            }
            default -> {
            }
        }
    }

    public static NetworkFault latency(Duration latency, Duration jitter) {
        return new NetworkFault(Kind.LATENCY, latency, jitter, 0, null, 0);
    }

    public static NetworkFault loss(double share) {
        return new NetworkFault(Kind.LOSS, null, null, share, null, 0);
    }

    public static NetworkFault bandwidth(long bytesPerSecond) {
        return new NetworkFault(Kind.BANDWIDTH, null, null, 0, null, bytesPerSecond);
    }

    public static NetworkFault of(Kind kind) {
        return new NetworkFault(kind, null, null, 0, null, 0);
    }
}
