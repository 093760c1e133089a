package dev.tandem.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.fleet.DeviceModels;
import dev.tandem.hub.fleet.ModelRecord;
import dev.tandem.hub.store.CommissioningSets;
import dev.tandem.hub.store.Models;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Wire;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code GET /api/v1/models/{version}}: one model of the registry with its lineage. From the hub's
 * memory: the device(s) it was assigned to, class, parent, generation, when it was fitted and issued,
 * the teacher (the large model fitted beside it) and the parameter counts, and its ancestors by parent;
 * from the store (off the event loop; left out, with {@code "store": "unavailable"}, while the database
 * is away): its artifact's sha256 and size and the training set (sha256, readings, time range).
 */
final class ModelRoutes {
    /** What a model version looks like (as {@code ModelVersions} and rollouts make them), bounded. */
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._:+-]{1,128}");
    /** Ancestors shown at most (a lineage is a chain of parents; a cycle cannot loop). */
    static final int MAX_ANCESTORS = 64;

    private final CloudHub hub;
    private final Vertx vertx;

    ModelRoutes(CloudHub hub, Vertx vertx) {
        this.hub = hub;
        this.vertx = vertx;
    }

    void mount(Router router) {
        router.get("/api/v1/models/:version").handler(this::show);
    }

    private record Found(DeviceId id, ModelRecord record, List<ModelRecord> lineage) {
    }

    private void show(RoutingContext ctx) {
        String version = ctx.pathParam("version");
        if (version == null || !VERSION.matcher(version).matches()) {
            throw ApiException.badRequest("version", "a model version is 1..128 of A-Z a-z 0-9 . _ : + -, got '"
                    + HubApi.clip(String.valueOf(version)) + "'");
        }
        List<Found> found = new ArrayList<>();
        List<DeviceId> ids = new ArrayList<>(hub.fleet().allModels().keySet());
        ids.sort(Comparator.comparing(DeviceId::site).thenComparing(DeviceId::device));
        for (DeviceId id : ids) {
            List<ModelRecord> lineage = hub.lineage().of(id);
            for (ModelRecord r : lineage) {
                if (r.version().equals(version)) {
                    found.add(new Found(id, r, lineage));
                    break;
                }
            }
        }
        if (found.isEmpty()) {
            throw ApiException.notFound(ErrorCode.NOT_FOUND, "no model " + version + " in this hub's registry");
        }
        Found first = found.get(0);
        ObjectNode out = Wire.mapper().createObjectNode();
        out.put("version", version);
        ArrayNode devices = out.putArray("devices");
        found.forEach(f -> devices.add(f.id().site() + ":" + f.id().device()));
        ModelRecord r = first.record();
        out.put("deviceClass", r.deviceClass());
        DeviceModels installed = hub.fleet().models(first.id()).orElse(null);
        TinyModel tiny = installed != null && installed.tiny().version().equals(version) ? installed.tiny() : null;
        out.put("format", tiny == null ? null : tiny.format());
        out.put("variant", dev.tandem.hub.fit.ClassVariants.Variant.ofVersion(version).name()
                .toLowerCase(java.util.Locale.ROOT));
        out.put("parentVersion", r.parentVersion());
        out.put("generation", r.generation());
        out.put("fittedAt", r.fittedAt().toString());
        out.put("issuedAt", r.issuedAt().toString());
        out.put("teacherVersion", r.largeVersion());
        out.put("tinyParameters", r.tinyParameters());
        out.put("largeParameters", r.largeParameters());
        out.put("current", first.lineage().get(0) == r);
        ArrayNode ancestors = out.putArray("lineage");
        Map<String, ModelRecord> byVersion = new HashMap<>();
        for (ModelRecord m : first.lineage()) {
            byVersion.putIfAbsent(m.version(), m);
        }
        Set<String> seen = new HashSet<>(Set.of(version));
        String parent = r.parentVersion();
        while (parent != null && seen.add(parent) && ancestors.size() < MAX_ANCESTORS) {
            ModelRecord p = byVersion.get(parent);
            ObjectNode a = ancestors.addObject();
            a.put("version", parent);
            if (p == null) {
                a.put("known", false); // fitted before this hub's memory (a restart), or by another instance
                break;
            }
            a.put("generation", p.generation());
            a.put("issuedAt", p.issuedAt().toString());
            a.put("parentVersion", p.parentVersion());
            parent = p.parentVersion();
        }
        DeviceId id = first.id();
        vertx.executeBlocking(() -> stored(id, version), false).onComplete(ar -> {
            if (ar.succeeded()) {
                ar.result().fields().forEachRemaining(e -> out.set(e.getKey(), e.getValue()));
                out.put("store", "ok");
            } else if (ar.cause() instanceof TandemException t && t.code() == ErrorCode.STORE_UNAVAILABLE) {
                out.put("store", "unavailable");
            } else {
                ctx.fail(ar.cause());
                return;
            }
            HubApi.json(ctx, out);
        });
    }

    /** What the store keeps of the model: its artifact and the set it was fitted on. */
    private ObjectNode stored(DeviceId id, String version) {
        ObjectNode out = Wire.mapper().createObjectNode();
        Optional<Models.ModelRecord> kept = hub.store().models().list(id.site(), id.device()).stream()
                .filter(m -> m.version().equals(version) && Models.TINY.equals(m.kind())).findFirst();
        if (kept.isEmpty()) {
            out.putNull("artifact");
            out.putNull("trainingSet");
            out.putNull("figures");
            return out;
        }
        Models.ModelRecord m = kept.get();
        ObjectNode artifact = out.putObject("artifact");
        artifact.put("sha256", m.artifactSha256());
        artifact.put("sizeBytes", m.sizeBytes());
        out.put("fittedBy", m.fittedBy());
        out.put("fitMillis", m.fitMillis());
        JsonNode figures = null;
        if (m.figures() != null) {
            try {
                figures = Wire.mapper().readTree(m.figures());
            } catch (java.io.IOException e) {
                figures = Wire.mapper().getNodeFactory().textNode(m.figures()); // kept by another release: shown as it is
            }
        }
        out.set("figures", figures);
        Optional<CommissioningSets.StoredSet> set = hub.store().commissioning().find(id.site(), id.device(), m.setSha256());
        ObjectNode training = out.putObject("trainingSet");
        training.put("sha256", m.setSha256());
        if (set.isPresent()) {
            List<Sample> samples = set.get().set().samples();
            training.put("readings", samples.size());
            training.put("fromSeq", samples.get(0).seq());
            training.put("toSeq", samples.get(samples.size() - 1).seq());
            training.put("from", Instant.ofEpochMilli(samples.get(0).ts()).toString());
            training.put("to", Instant.ofEpochMilli(samples.get(samples.size() - 1).ts()).toString());
            training.put("receivedAt", Instant.ofEpochMilli(set.get().receivedAt()).toString());
        }
        return out;
    }
}
