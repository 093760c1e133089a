package dev.tandem.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.store.Labels;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.OperatorToken;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Operator labels: {@code POST /api/v1/devices/{id}/labels} (admin) records ground truth for a stretch
 * of a device ({@code {"from", "to", "anomaly", "note"}}, times as epoch milliseconds or ISO-8601),
 * kept in the hub's store; a stretch labelled normal while the device holds an alarm episode
 * re-baselines the device on its readings inside the label (the operator's word, not the large
 * model's); {@code GET} lists a device's labels. The store is written off the event loop.
 */
final class LabelRoutes {
    /** The longest stretch one label covers: a year. */
    static final long MAX_SPAN_MS = 366L * 24 * 3600 * 1000;

    /** A label as the API returns it, with what it did to a held alarm (null for a listing). */
    record Label(String id, String deviceId, String from, String to, boolean anomaly, String note, String createdAt,
                 String createdBy, String rebaseline) {
        static Label of(Labels.LabelRecord l, String rebaseline) {
            return new Label(l.id(), l.site() + ":" + l.device(), Instant.ofEpochMilli(l.fromMs()).toString(),
                    Instant.ofEpochMilli(l.toMs()).toString(), l.anomaly(), l.note(),
                    Instant.ofEpochMilli(l.createdAt()).toString(), l.createdBy(), rebaseline);
        }
    }

    record LabelList(String deviceId, int count, List<Label> labels) {
    }

    private final CloudHub hub;
    private final FleetRoutes fleet;
    private final Vertx vertx;

    LabelRoutes(CloudHub hub, FleetRoutes fleet, Vertx vertx) {
        this.hub = hub;
        this.fleet = fleet;
        this.vertx = vertx;
    }

    void mount(Router router) {
        router.post("/api/v1/devices/:id/labels").handler(this::add);
        router.get("/api/v1/devices/:id/labels").handler(this::list);
    }

    private void add(RoutingContext ctx) {
        DeviceId id = fleet.resolve(ctx.pathParam("id"), "id");
        JsonNode body = HubApi.body(ctx);
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("body", "a label is a JSON object {\"from\", \"to\", \"anomaly\", \"note\"}");
        }
        long from = time(body, "from");
        long to = time(body, "to");
        if (to <= from) {
            throw ApiException.badRequest("to", "a label's range is empty or reversed: to must be after from");
        }
        if (to - from > MAX_SPAN_MS) {
            throw ApiException.badRequest("to", "a label covers at most 366 days");
        }
        JsonNode anomaly = body.get("anomaly");
        if (anomaly == null || !anomaly.isBoolean()) {
            throw ApiException.badRequest("anomaly", "anomaly must be true (an anomaly) or false (normal)");
        }
        String note = null;
        JsonNode n = body.get("note");
        if (n != null && !n.isNull()) {
            if (!n.isTextual() || n.asText().length() > Labels.MAX_NOTE_LENGTH) {
                throw ApiException.badRequest("note", "note must be a string of at most " + Labels.MAX_NOTE_LENGTH
                        + " characters");
            }
            note = n.asText();
        }
        OperatorToken op = ctx.get(HubApi.OPERATOR);
        Labels.LabelRecord label = Labels.LabelRecord.of(id.site(), id.device(), from, to, anomaly.asBoolean(), note,
                System.currentTimeMillis(), op.name());
        vertx.executeBlocking(() -> {
            hub.store().labels().add(label);
            hub.labelled(id);
            return label;
        }, false).compose(l -> l.anomaly()
                ? io.vertx.core.Future.succeededFuture((String) null)
                : io.vertx.core.Future.fromCompletionStage(hub.labelledNormal(id, l.fromMs(), l.toMs()))
                .map(Enum::name)).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().setStatusCode(201);
                HubApi.json(ctx, Label.of(label, ar.result()));
            } else {
                ctx.fail(refusal(ar.cause()));
            }
        });
    }

    private void list(RoutingContext ctx) {
        DeviceId id = fleet.resolve(ctx.pathParam("id"), "id");
        vertx.executeBlocking(() -> hub.store().labels().list(id.site(), id.device()), false).onComplete(ar -> {
            if (ar.succeeded()) {
                List<Label> out = ar.result().stream().map(l -> Label.of(l, null)).toList();
                HubApi.json(ctx, new LabelList(id.site() + ":" + id.device(), out.size(), out));
            } else {
                ctx.fail(refusal(ar.cause()));
            }
        });
    }

    /** A store refusal as the API answers it: an unknown device is 404, a database away 503. */
    static Throwable refusal(Throwable e) {
        if (e instanceof TandemException t) {
            return switch (t.code()) {
                case UNKNOWN_DEVICE -> ApiException.notFound(ErrorCode.UNKNOWN_DEVICE, t.getMessage());
                case STORE_UNAVAILABLE -> new ApiException(503, ErrorCode.STORE_UNAVAILABLE, t.getMessage(), null);
                case INVALID_FIELD -> ApiException.badRequest("body", t.getMessage());
                default -> e;
            };
        }
        return e;
    }

    /** A time field: epoch milliseconds, or an ISO-8601 instant such as {@code 2026-12-04T10:00:00Z}. */
    static long time(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v != null && v.canConvertToLong() && v.isIntegralNumber() && v.asLong() >= 0) {
            return v.asLong();
        }
        if (v != null && v.isTextual()) {
            try {
                return Instant.parse(v.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                // below
            }
        }
        throw ApiException.badRequest(field, field + " must be epoch milliseconds or an ISO-8601 instant "
                + "(e.g. 2026-12-04T10:00:00Z)");
    }
}
