package dev.tandem.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.retrain.RetrainService;
import dev.tandem.hub.store.RetrainingRuns;
import dev.tandem.shared.wire.Wire;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;

/**
 * {@code POST /api/v1/devices/{id}/retrain} (admin): retrains the device now, through the gate (see
 * {@link RetrainService}); answers with the run (200 whether published or refused: the run says which,
 * with its code). {@code GET /api/v1/devices/{id}/retraining}: the device's runs, newest first, from the store.
 */
final class RetrainRoutes {
    static final int MAX_RUNS = 100;

    private final CloudHub hub;
    private final FleetRoutes fleet;
    private final Vertx vertx;

    RetrainRoutes(CloudHub hub, FleetRoutes fleet, Vertx vertx) {
        this.hub = hub;
        this.fleet = fleet;
        this.vertx = vertx;
    }

    void mount(Router router) {
        router.post("/api/v1/devices/:id/retrain").handler(this::retrain);
        router.get("/api/v1/devices/:id/retraining").handler(this::runs);
    }

    private void retrain(RoutingContext ctx) {
        DeviceId id = fleet.resolve(ctx.pathParam("id"), "id");
        JsonNode body = HubApi.body(ctx);
        if (body != null && !body.isObject() && !body.isNull()) {
            throw ApiException.badRequest("body", "a retrain request is empty or a JSON object {\"reason\"}");
        }
        String reason = "operator";
        if (body != null && body.has("reason")) {
            JsonNode r = body.get("reason");
            if (!r.isTextual() || r.asText().isBlank() || r.asText().length() > 64) {
                throw ApiException.badRequest("reason", "reason is a string of 1..64 characters");
            }
            reason = r.asText();
        }
        Future.fromCompletionStage(hub.retrain(id, reason)).onComplete(ar -> {
            if (ar.succeeded()) {
                HubApi.json(ctx, json(ar.result()));
            } else {
                Throwable e = ar.cause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                        ? c.getCause() : ar.cause();
                ctx.fail(LabelRoutes.refusal(e));
            }
        });
    }

    private void runs(RoutingContext ctx) {
        DeviceId id = fleet.resolve(ctx.pathParam("id"), "id");
        vertx.executeBlocking(() -> hub.store().retraining().list(id.site(), id.device(), MAX_RUNS), false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        ObjectNode out = Wire.mapper().createObjectNode();
                        out.put("id", id.site() + ":" + id.device());
                        ArrayNode runs = out.putArray("runs");
                        for (RetrainingRuns.Run r : ar.result()) {
                            ObjectNode o = runs.addObject();
                            o.put("id", r.id());
                            o.put("reason", r.reason());
                            o.put("status", r.status());
                            o.put("requestedAt", Instant.ofEpochMilli(r.requestedAt()).toString());
                            o.put("finishedAt", Instant.ofEpochMilli(r.finishedAt()).toString());
                            o.put("parentVersion", r.parentVersion());
                            o.put("candidateVersion", r.candidateVersion());
                            try {
                                o.set("detail", r.detail() == null ? null : Wire.mapper().readTree(r.detail()));
                            } catch (java.io.IOException e) {
                                o.put("detail", r.detail());
                            }
                        }
                        out.put("count", runs.size());
                        HubApi.json(ctx, out);
                    } else {
                        ctx.fail(LabelRoutes.refusal(ar.cause()));
                    }
                });
    }

    static ObjectNode json(RetrainService.Run r) {
        ObjectNode o = Wire.mapper().createObjectNode();
        o.put("id", r.id());
        o.put("device", r.device().site() + ":" + r.device().device());
        o.put("reason", r.reason());
        o.put("status", r.status().name());
        o.put("parentVersion", r.parentVersion());
        o.put("candidateVersion", r.candidateVersion());
        o.setAll((ObjectNode) Wire.mapper().valueToTree(RetrainService.detail(r))); // what the store keeps of it
        o.put("requestedAt", Instant.ofEpochMilli(r.requestedAt()).toString());
        o.put("finishedAt", Instant.ofEpochMilli(r.finishedAt()).toString());
        o.put("stored", r.stored());
        return o;
    }
}
