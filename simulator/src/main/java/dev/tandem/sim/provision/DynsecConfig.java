package dev.tandem.sim.provision;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.shared.identity.AccessRules;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.Permission;
import dev.tandem.shared.identity.Role;
import dev.tandem.shared.wire.Wire;

/**
 * Mosquitto's dynamic-security configuration for a site, written directly as the JSON file the
 * plugin loads at start (not one {@code mosquitto_ctrl} call per device: that costs minutes per
 * thousand devices). Unlike mosquitto 2.0's {@code acl_file}, the plugin checks SUBSCRIBE too.
 * Every default is deny; per identity one client (client id pinned to the username) and one role
 * holding exactly its {@link AccessRules}: {@code publishClientSend} per published topic,
 * {@code subscribeLiteral} (the filter as the client sends it, {@code $share/hub/...} for the hub's
 * shared group) and {@code publishClientReceive} per subscription. The ADMIN identity gets the
 * plugin's control topic only. An agent serving several devices gets one extra client per device
 * besides the first ({@code site/name~device}, same password) that may only publish that device's
 * status: the connection that carries the device's last will.
 */
public final class DynsecConfig {
    static final String CONTROL_TOPIC = "$CONTROL/dynamic-security/#";

    private DynsecConfig() {
    }

    public static byte[] json(SiteRegistry site) {
        ObjectNode root = Wire.mapper().createObjectNode();
        ObjectNode defaults = root.putObject("defaultACLAccess");
        defaults.put("publishClientSend", false);
        defaults.put("publishClientReceive", false);
        defaults.put("subscribe", false);
        defaults.put("unsubscribe", true);
        ArrayNode clients = root.putArray("clients");
        ArrayNode roles = root.putArray("roles");
        root.putArray("groups");
        for (SiteRegistry.Account a : site.accounts()) {
            Identity id = a.identity();
            ArrayNode acls = client(clients, roles, id.username(), a);
            if (id.role() == Role.ADMIN) {
                acl(acls, "publishClientSend", CONTROL_TOPIC);
                acl(acls, "publishClientReceive", CONTROL_TOPIC);
                acl(acls, "subscribePattern", CONTROL_TOPIC);
                continue;
            }
            permit(acls, AccessRules.of(id));
            if (id.role() == Role.AGENT) {
                // one will connection per device besides the first (one last will per MQTT connection)
                for (String device : id.devices().subList(1, id.devices().size())) {
                    permit(client(clients, roles, id.willUsername(device), a), AccessRules.willOf(id, device));
                }
            }
        }
        try {
            return Wire.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client (client id pinned to its username) with a role of its own; returns the role's ACL list. */
    private static ArrayNode client(ArrayNode clients, ArrayNode roles, String username, SiteRegistry.Account a) {
        ObjectNode c = clients.addObject();
        c.put("username", username);
        c.put("clientid", username);
        c.put("password", a.password().hash());
        c.put("salt", a.password().salt());
        c.put("iterations", a.password().iterations());
        c.putArray("roles").addObject().put("rolename", username);
        ObjectNode role = roles.addObject();
        role.put("rolename", username);
        return role.putArray("acls");
    }

    private static void permit(ArrayNode acls, java.util.List<Permission> permissions) {
        for (Permission p : permissions) {
            if (p.activity() == Permission.Activity.PUBLISH) {
                acl(acls, "publishClientSend", p.topic());
            } else {
                acl(acls, "subscribeLiteral", p.subscribeFilter());
                acl(acls, "publishClientReceive", p.topic());
            }
        }
    }

    private static void acl(ArrayNode acls, String type, String topic) {
        ObjectNode n = acls.addObject();
        n.put("acltype", type);
        n.put("topic", topic);
        n.put("allow", true);
    }
}
