package dev.tandem.hub.live;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What happens in the hub as it happens, for the console's live view ({@code /api/v1/events}): a device's
 * view changed, an alarm message arrived or was acknowledged, an escalation was judged. Subscribers are
 * called on the thread that publishes (the hub's control and verdict threads), so they must only hand the
 * event over (a bounded queue) and return; one that throws is logged, never the publisher's problem.
 */
public final class HubEvents {
    private static final Logger LOG = LoggerFactory.getLogger(HubEvents.class);

    /** One event: its kind (the SSE {@code event:} name) and its JSON body. */
    public record Event(Kind kind, Object data) {
    }

    public enum Kind {
        /** A device's view ({@code ApiJson.Device}). */
        DEVICE("device"),
        /** An alarm message or its acknowledgement ({@code ApiJson.AlarmItem}). */
        ALARM("alarm"),
        /** An escalation and the hub's verdict on it ({@link DeviceTrails.Judged}). */
        VERDICT("verdict");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    private final CopyOnWriteArrayList<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();

    /** Adds a subscriber until the returned handle is closed. */
    public AutoCloseable subscribe(Consumer<Event> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    public int subscribers() {
        return subscribers.size();
    }

    public void publish(Kind kind, Object data) {
        if (subscribers.isEmpty()) {
            return;
        }
        Event e = new Event(kind, data);
        for (Consumer<Event> s : subscribers) {
            try {
                s.accept(e);
            } catch (RuntimeException ex) {
                LOG.warn("live event subscriber failed on {}: {}", kind, ex.toString());
            }
        }
    }
}
