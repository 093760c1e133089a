package dev.tandem.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.alarm.AlarmEntry;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.fleet.DeviceView;
import dev.tandem.hub.fleet.ModelRecord;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.wire.Alarm;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fleet endpoints under {@code /api/v1}. A device id is {@code site:device}, or the device alone
 * when no other site the hub serves has a device of that name.
 */
final class FleetRoutes {
    /** Most alarms one {@code GET /alarms} returns. */
    static final int MAX_ALARMS = 1000;
    static final int DEFAULT_ALARMS = 100;
    /** Longest acknowledgement note. */
    static final int MAX_NOTE_CHARS = 500;

    private final CloudHub hub;
    private final HubMetrics metrics;
    private final double budget;

    FleetRoutes(CloudHub hub) {
        this.hub = hub;
        this.metrics = hub.metrics();
        this.budget = hub.config().tinyFit().escalationBudget();
    }

    void mount(Router router) {
        router.get("/api/v1/fleet").handler(this::fleet);
        router.get("/api/v1/devices/:id").handler(this::device);
        router.get("/api/v1/devices/:id/models").handler(this::models);
        router.get("/api/v1/alarms").handler(this::alarms);
        router.post("/api/v1/alarms/:id/ack").handler(this::acknowledge);
        router.get("/api/v1/status").handler(this::status);
    }

    private void fleet(RoutingContext ctx) {
        Map<String, List<ApiJson.Device>> bySite = new TreeMap<>();
        List<DeviceView> views = new ArrayList<>(hub.fleet().views().values());
        views.sort(Comparator.comparing((DeviceView v) -> v.id().site()).thenComparing(v -> v.id().device()));
        for (DeviceView v : views) {
            bySite.computeIfAbsent(v.id().site(), s -> new ArrayList<>()).add(device(v));
        }
        List<ApiJson.Site> sites = new ArrayList<>();
        bySite.forEach((site, devices) -> sites.add(new ApiJson.Site(site, devices)));
        HubApi.json(ctx, new ApiJson.Fleet(views.size(), budget, sites));
    }

    private void device(RoutingContext ctx) {
        HubApi.json(ctx, device(hub.fleet().view(deviceId(ctx)).orElseThrow()));
    }

    private void models(RoutingContext ctx) {
        DeviceId id = deviceId(ctx);
        List<ModelRecord> lineage = hub.lineage().of(id);
        List<ApiJson.Model> models = new ArrayList<>(lineage.size());
        for (int i = 0; i < lineage.size(); i++) {
            models.add(ApiJson.Model.of(lineage.get(i), i == 0));
        }
        HubApi.json(ctx, new ApiJson.Lineage(id.site() + ":" + id.device(), models));
    }

    private void alarms(RoutingContext ctx) {
        int limit = DEFAULT_ALARMS;
        String limitParam = ctx.request().getParam("limit");
        if (limitParam != null) {
            try {
                limit = Integer.parseInt(limitParam);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_ALARMS) {
                throw ApiException.badRequest("limit", "limit must be an integer in 1.." + MAX_ALARMS + ", got '"
                        + HubApi.clip(limitParam) + "'");
            }
        }
        String deviceParam = ctx.request().getParam("device");
        DeviceId device = deviceParam == null ? null : resolve(deviceParam, "device");
        String openParam = ctx.request().getParam("open");
        if (openParam != null && !openParam.equals("true") && !openParam.equals("false")) {
            throw ApiException.badRequest("open", "open is true or false, got '" + HubApi.clip(openParam) + "'");
        }
        List<ApiJson.AlarmItem> items = new ArrayList<>();
        for (AlarmEntry e : hub.alarms().recent(limit, device, "true".equals(openParam))) {
            items.add(ApiJson.AlarmItem.of(e));
        }
        HubApi.json(ctx, new ApiJson.Alarms(items.size(), items));
    }

    private void acknowledge(RoutingContext ctx) {
        String idParam = ctx.pathParam("id");
        long id;
        try {
            id = Long.parseLong(idParam);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("id", "an alarm id is a number, got '" + HubApi.clip(idParam) + "'");
        }
        JsonNode body = HubApi.body(ctx);
        String note = null;
        if (body != null && body.has("note") && !body.get("note").isNull()) {
            JsonNode n = body.get("note");
            if (!n.isTextual()) {
                throw ApiException.badRequest("note", "note must be a string");
            }
            note = n.asText();
            if (note.length() > MAX_NOTE_CHARS) {
                throw ApiException.badRequest("note", "note is longer than " + MAX_NOTE_CHARS + " characters");
            }
        }
        OperatorToken op = ctx.get(HubApi.OPERATOR);
        AlarmEntry e = hub.alarms().acknowledge(id, op.name(), note, Instant.now())
                .orElseThrow(() -> ApiException.notFound(ErrorCode.NOT_FOUND, "no alarm " + id
                        + " (unknown, or older than the alarm episodes this hub keeps)"));
        HubApi.json(ctx, ApiJson.AlarmItem.of(e));
    }

    private void status(RoutingContext ctx) {
        HubMetrics.Snapshot s = metrics.snapshot();
        OperatorToken op = ctx.get(HubApi.OPERATOR);
        Map<String, Long> alarms = new TreeMap<>();
        for (Alarm.Source source : Alarm.Source.values()) {
            alarms.put(source.name(), metrics.alarmsReceived(source));
        }
        Instant started = hub.startedAt();
        HubApi.json(ctx, new ApiJson.Status(hub.config().instanceId(), hub.config().site(), hub.isConnected(),
                started.toString(), Duration.between(started, Instant.now()).toSeconds(), hub.fleet().views().size(),
                s.devicesWithModel(), s.escalationsReceived(), s.verdictsSent(), hub.queuedEscalations(),
                s.commissioningsReceived(), s.modelsFitted(), s.modelsPublished(), alarms, s.errors(),
                s.errorsByCode(), new ApiJson.Operator(op.name(), op.role().label()), hub.notifications()));
    }

    ApiJson.Device device(DeviceView v) {
        return ApiJson.Device.of(v, hub.lineage().current(v.id()).orElse(null), budget);
    }

    /** The {@code :id} path parameter as a device the hub knows: 400 if malformed, 404 {@code UNKNOWN_DEVICE}. */
    private DeviceId deviceId(RoutingContext ctx) {
        return resolve(ctx.pathParam("id"), "id");
    }

    DeviceId resolve(String text, String field) {
        int colon = text.indexOf(':');
        try {
            if (colon >= 0) {
                DeviceId id = new DeviceId(text.substring(0, colon), text.substring(colon + 1));
                if (hub.fleet().view(id).isEmpty()) {
                    throw unknown(text);
                }
                return id;
            }
            Checks.id("device", text);
        } catch (TandemException e) {
            throw ApiException.badRequest(field, "a device id is SITE:DEVICE or DEVICE: " + e.getMessage());
        }
        List<DeviceId> matches = hub.fleet().views().keySet().stream().filter(d -> d.device().equals(text)).toList();
        if (matches.isEmpty()) {
            throw unknown(text);
        }
        if (matches.size() > 1) {
            throw ApiException.badRequest(field, "device " + text + " is in several sites: name one as SITE:" + text);
        }
        return matches.get(0);
    }

    private static ApiException unknown(String text) {
        return ApiException.notFound(ErrorCode.UNKNOWN_DEVICE, "no device " + HubApi.clip(text) + " in this hub's fleet");
    }
}
