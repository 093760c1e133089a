package dev.tandem.shared.identity;

import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.topic.Topics.Kind;

import java.util.ArrayList;
import java.util.List;

/**
 * The topic table, as permissions: the one place that says who may publish and subscribe where.
 * Both brokers' configurations are generated from it (mosquitto's dynamic-security roles, the
 * embedded HiveMQ's authorizer). Everything not listed is denied.
 *
 * <table>
 *   <caption>per device d of site s: {@code tandem/v1/s/d/...}</caption>
 *   <tr><th>role</th><th>publishes</th><th>subscribes</th></tr>
 *   <tr><td>SENSOR</td><td>readings</td><td>nothing</td></tr>
 *   <tr><td>AGENT</td><td>alarms, escalations, status, commissioning, model/state, model/fetch</td><td>readings,
 *       model, verdicts, trust, model/chunk</td></tr>
 *   <tr><td>HUB</td><td>verdicts, model, trust, model/chunk (every device of its site); the site's notifications</td>
 *       <td>escalations and model/fetch (shared group or plain), commissioning, status, model/state, alarms (every
 *       device of its site)</td></tr>
 *   <tr><td>MONITOR</td><td>nothing</td><td>alarms, status, model/state (every device of its site); the site's
 *       notifications</td></tr>
 * </table>
 */
public final class AccessRules {
    /** What an agent publishes for each of its devices. */
    public static final List<Kind> AGENT_PUBLISHES = List.of(Kind.ALARMS, Kind.ESCALATIONS, Kind.STATUS,
            Kind.COMMISSIONING, Kind.MODEL_STATE, Kind.MODEL_FETCH);
    /** What an agent subscribes to for each of its devices. */
    public static final List<Kind> AGENT_SUBSCRIBES = List.of(Kind.READINGS, Kind.MODEL, Kind.VERDICTS, Kind.TRUST,
            Kind.MODEL_CHUNK);
    /** What a hub publishes to any device of its site. */
    public static final List<Kind> HUB_PUBLISHES = List.of(Kind.VERDICTS, Kind.MODEL, Kind.TRUST, Kind.MODEL_CHUNK);
    /** What the hub group reads from every device of its site, shared among its instances (or plain). */
    public static final List<Kind> HUB_SHARES = List.of(Kind.ESCALATIONS, Kind.MODEL_FETCH);
    /** What a hub reads from every device of its site (escalations besides, shared or plain); alarms for the fleet view. */
    public static final List<Kind> HUB_SUBSCRIBES = List.of(Kind.COMMISSIONING, Kind.STATUS, Kind.MODEL_STATE,
            Kind.ALARMS);

    /** What a monitor reads from every device of its site. */
    public static final List<Kind> MONITOR_SUBSCRIBES = List.of(Kind.ALARMS, Kind.STATUS, Kind.MODEL_STATE);

    private AccessRules() {
    }

    /** What an agent's will connection for one device may do: publish that device's status, nothing else. */
    public static List<Permission> willOf(Identity agent, String device) {
        agent.willUsername(device); // checks the agent serves the device
        return List.of(Permission.publish(Topics.of(agent.site(), device, Kind.STATUS)));
    }

    public static List<Permission> of(Identity id) {
        List<Permission> out = new ArrayList<>();
        switch (id.role()) {
            case SENSOR -> id.devices().forEach(d -> out.add(Permission.publish(Topics.of(id.site(), d, Kind.READINGS))));
            case AGENT -> {
                for (String d : id.devices()) {
                    AGENT_PUBLISHES.forEach(k -> out.add(Permission.publish(Topics.of(id.site(), d, k))));
                    AGENT_SUBSCRIBES.forEach(k -> out.add(Permission.subscribe(Topics.of(id.site(), d, k))));
                }
            }
            case HUB -> {
                HUB_PUBLISHES.forEach(k -> out.add(Permission.publish(Topics.allDevices(id.site(), k))));
                out.add(Permission.publish(Topics.notifications(id.site())));
                for (Kind k : HUB_SHARES) {
                    String filter = Topics.allDevices(id.site(), k);
                    out.add(Permission.subscribeShared(filter));
                    out.add(Permission.subscribe(filter));
                }
                HUB_SUBSCRIBES.forEach(k -> out.add(Permission.subscribe(Topics.allDevices(id.site(), k))));
            }
            case MONITOR -> {
                MONITOR_SUBSCRIBES.forEach(k -> out.add(Permission.subscribe(Topics.allDevices(id.site(), k))));
                out.add(Permission.subscribe(Topics.notifications(id.site())));
            }
            case ADMIN -> {
                // the broker's own control topics only (mosquitto: granted by its dynamic-security role)
            }
        }
        return List.copyOf(out);
    }
}
