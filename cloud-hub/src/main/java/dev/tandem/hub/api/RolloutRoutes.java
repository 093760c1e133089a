package dev.tandem.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.fleet.ModelRecord;
import dev.tandem.hub.rollout.ActionRecord;
import dev.tandem.hub.rollout.ActionState;
import dev.tandem.hub.rollout.Recipes;
import dev.tandem.hub.rollout.Rollout;
import dev.tandem.hub.rollout.RolloutChange;
import dev.tandem.hub.rollout.RolloutEngine;
import dev.tandem.hub.rollout.RolloutSettings;
import dev.tandem.hub.rollout.RolloutTarget;
import dev.tandem.hub.rollout.Wave;
import dev.tandem.hub.rollout.WaveGate;
import dev.tandem.hub.rollout.WavePlan;
import dev.tandem.hub.rollout.WaveSize;
import dev.tandem.hub.rollout.WaveSpec;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.shared.signing.RolloutRules;
import dev.tandem.shared.wire.ShadowReport;
import dev.tandem.shared.wire.Wire;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The rollout endpoints under {@code /api/v1}: {@code POST /rollouts} (plan, and start unless
 * {@code "start": false}), {@code GET /rollouts}, {@code GET /rollouts/{id}} (waves, counts by state, a
 * page of per-device actions), {@code POST /rollouts/{id}/start|pause|resume|abort}, and
 * {@code GET /models} (each device's current model, and the recipes a rollout may name). The engine
 * answers on its own context; the response is written back on the API's.
 */
final class RolloutRoutes {
    static final int MAX_ACTIONS = 1000;
    static final int DEFAULT_ACTIONS = 100;
    private static final Set<String> CREATE_FIELDS = Set.of("name", "recipe", "artifact", "policy", "target", "waves",
            "gate", "watchdog", "start");
    private static final Set<String> TARGET_FIELDS = Set.of("site", "deviceClass", "devices", "share");
    private static final Set<String> GATE_FIELDS = Set.of("successThreshold", "errorThreshold", "shadowSeconds",
            "timeoutSeconds");
    private static final Set<String> WATCHDOG_FIELDS = Set.of("watchSeconds", "minWindows", "minVerdicts",
            "minAgreement", "alarmRateMax", "escalationRateMax");

    private final CloudHub hub;
    private final RolloutEngine engine;
    private final HubMetrics metrics;

    RolloutRoutes(CloudHub hub) {
        this.hub = hub;
        this.engine = hub.rollouts();
        this.metrics = hub.metrics();
    }

    void mount(Router router) {
        router.post("/api/v1/rollouts").handler(this::create);
        router.get("/api/v1/rollouts").handler(ctx -> answer(ctx, engine.list(), this::list, 200));
        router.get("/api/v1/rollouts/:id").handler(this::show);
        router.post("/api/v1/rollouts/:id/start").handler(ctx -> command(ctx, engine::start));
        router.post("/api/v1/rollouts/:id/pause").handler(ctx -> command(ctx, engine::pause));
        router.post("/api/v1/rollouts/:id/resume").handler(ctx -> command(ctx, engine::resume));
        router.post("/api/v1/rollouts/:id/abort").handler(ctx -> command(ctx, engine::abort));
        router.get("/api/v1/models").handler(this::models);
    }

    // ------------------------------------------------------------------ handlers

    private void create(RoutingContext ctx) {
        JsonNode body = HubApi.body(ctx);
        if (body == null) {
            throw ApiException.badRequest("body", "a rollout is a JSON object: {\"recipe\": \"default\", \"target\": "
                    + "{\"site\": \"plant\"}}");
        }
        RolloutEngine.Request req = request(body);
        OperatorToken op = ctx.get(HubApi.OPERATOR);
        answer(ctx, engine.create(req, op.name()).compose(r -> engine.view(r.id(), 0, DEFAULT_ACTIONS)),
                v -> view(v, 0, DEFAULT_ACTIONS), 201);
    }

    private void show(RoutingContext ctx) {
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", DEFAULT_ACTIONS, 1, MAX_ACTIONS);
        answer(ctx, engine.view(id(ctx), offset, limit), v -> view(v, offset, limit), 200);
    }

    private void command(RoutingContext ctx, Function<String, Future<Rollout>> command) {
        String id = id(ctx);
        answer(ctx, command.apply(id).compose(r -> engine.view(r.id(), 0, 0)), v -> view(v, 0, 0), 200);
    }

    private void models(RoutingContext ctx) {
        ObjectNode out = Wire.mapper().createObjectNode();
        ArrayNode devices = out.putArray("devices");
        List<DeviceId> ids = new ArrayList<>(hub.fleet().allModels().keySet());
        ids.sort(Comparator.comparing(DeviceId::site).thenComparing(DeviceId::device));
        for (DeviceId id : ids) {
            ObjectNode d = devices.addObject();
            d.put("id", id.site() + ":" + id.device());
            ModelRecord current = hub.lineage().current(id).orElse(null);
            var models = hub.fleet().models(id).orElse(null);
            d.put("deviceClass", models == null ? null : models.deviceClass());
            d.put("fittedVersion", models == null ? null : models.tiny().version());
            d.put("assignedVersion", current == null ? null : current.version());
            d.put("parentVersion", current == null ? null : current.parentVersion());
            if (current == null) {
                d.putNull("generation");
            } else {
                d.put("generation", current.generation());
            }
            d.put("runningVersion", hub.fleet().view(id).map(v -> v.modelVersion()).orElse(null));
            d.put("modelState", hub.fleet().view(id).map(v -> v.modelState() == null ? null : v.modelState().name())
                    .orElse(null));
        }
        out.put("count", ids.size());
        ObjectNode recipes = out.putObject("recipes");
        recipes.set("names", Wire.mapper().valueToTree(Recipes.NAMES));
        recipes.set("parameters", Wire.mapper().valueToTree(Recipes.PARAMETERS));
        recipes.put("example", "default:threshold-scale=0.02");
        HubApi.json(ctx, out);
    }

    // ------------------------------------------------------------------ requests

    private RolloutEngine.Request request(JsonNode body) {
        only(body, CREATE_FIELDS, null);
        String name = text(body, "name", null);
        if (name != null && (name.isBlank() || name.length() > Rollout.MAX_NAME_CHARS)) {
            throw field("name", "a rollout's name is 1.." + Rollout.MAX_NAME_CHARS + " characters");
        }
        RolloutChange change = change(body);
        RolloutTarget target = target(body.get("target"));
        WaveGate gate = gate(body.get("gate"));
        WavePlan plan = plan(body.get("waves"), gate);
        RolloutSettings settings = settings(body.get("watchdog"));
        JsonNode start = body.get("start");
        if (start != null && !start.isBoolean()) {
            throw ApiException.badRequest("start", "start is true or false");
        }
        return new RolloutEngine.Request(name, change, target, plan, settings, start == null || start.asBoolean());
    }

    private static RolloutChange change(JsonNode body) {
        List<String> given = new ArrayList<>();
        for (String f : List.of("recipe", "artifact", "policy")) {
            if (body.hasNonNull(f)) {
                given.add(f);
            }
        }
        if (given.size() != 1) {
            throw ApiException.badRequest("recipe", "a rollout names exactly one of recipe, artifact or policy, got "
                    + (given.isEmpty() ? "none" : given));
        }
        String f = given.get(0);
        String ref = text(body, f, null);
        return domain(f, () -> new RolloutChange(RolloutChange.Kind.valueOf(f.toUpperCase(java.util.Locale.ROOT)), ref));
    }

    private RolloutTarget target(JsonNode t) {
        if (t != null && !t.isNull() && !t.isObject()) {
            throw ApiException.badRequest("target", "target is an object {site, deviceClass, devices, share}");
        }
        if (t == null || t.isNull()) {
            t = Wire.mapper().createObjectNode();
        }
        only(t, TARGET_FIELDS, "target.");
        String site = text(t, "site", hub.config().site());
        if (site == null) {
            throw field("target.site", "this hub serves every site: name the target's site");
        }
        String deviceClass = text(t, "deviceClass", null);
        List<String> devices = new ArrayList<>();
        JsonNode list = t.get("devices");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw ApiException.badRequest("target.devices", "devices is a list of device ids");
            }
            for (JsonNode d : list) {
                if (!d.isTextual()) {
                    throw ApiException.badRequest("target.devices", "devices is a list of device ids");
                }
                devices.add(d.asText());
            }
        }
        double share = number(t, "share", 1.0, "target.share");
        String s = site;
        return domain("target", () -> new RolloutTarget(s, deviceClass, devices, share));
    }

    private static WaveGate gate(JsonNode g) {
        if (g == null || g.isNull()) {
            return WaveGate.defaults();
        }
        if (!g.isObject()) {
            throw ApiException.badRequest("gate", "gate is an object {successThreshold, errorThreshold, shadowSeconds, "
                    + "timeoutSeconds}");
        }
        only(g, GATE_FIELDS, "gate.");
        WaveGate d = WaveGate.defaults();
        double success = number(g, "successThreshold", d.successThreshold(), "gate.successThreshold");
        double error = number(g, "errorThreshold", d.errorThreshold(), "gate.errorThreshold");
        Duration shadow = seconds(g, "shadowSeconds", d.shadowTime(), "gate.shadowSeconds");
        Duration timeout = seconds(g, "timeoutSeconds", d.timeout(), "gate.timeoutSeconds");
        return domain("gate", () -> new WaveGate(success, error, shadow, timeout));
    }

    /** Waves as cumulative sizes: a number of devices (1) or a share ("5%"); default 1, 5%, 25%, 100%. */
    private static WavePlan plan(JsonNode waves, WaveGate gate) {
        if (waves == null || waves.isNull()) {
            return WavePlan.uniform(gate, WaveSize.devices(1), WaveSize.share(0.05), WaveSize.share(0.25),
                    WaveSize.share(1.0));
        }
        if (!waves.isArray()) {
            throw ApiException.badRequest("waves", "waves is a list of cumulative sizes: 1 (devices) or \"5%\"");
        }
        List<WaveSpec> specs = new ArrayList<>();
        for (JsonNode w : waves) {
            specs.add(new WaveSpec(domain("waves", () -> size(w)), gate));
        }
        return domain("waves", () -> new WavePlan(specs));
    }

    static WaveSize size(JsonNode w) {
        if (w.isInt()) {
            return WaveSize.devices(w.asInt());
        }
        if (!w.isTextual()) {
            throw TandemException.invalid("a wave is a number of devices (1) or a share (\"5%\"), got " + w);
        }
        return WaveSize.parse(w.asText());
    }

    private static RolloutSettings settings(JsonNode w) {
        if (w == null || w.isNull()) {
            return RolloutSettings.defaults();
        }
        if (!w.isObject()) {
            throw ApiException.badRequest("watchdog", "watchdog is an object");
        }
        only(w, WATCHDOG_FIELDS, "watchdog.");
        RolloutSettings d = RolloutSettings.defaults();
        Duration watch = seconds(w, "watchSeconds", d.watch(), "watchdog.watchSeconds");
        int minWindows = (int) number(w, "minWindows", d.watchMinWindows(), "watchdog.minWindows");
        int minVerdicts = (int) number(w, "minVerdicts", d.minVerdicts(), "watchdog.minVerdicts");
        double minAgreement = number(w, "minAgreement", d.minAgreement(), "watchdog.minAgreement");
        double alarm = number(w, "alarmRateMax", d.alarmRate().max(), "watchdog.alarmRateMax");
        double escalation = number(w, "escalationRateMax", d.escalationRate().max(), "watchdog.escalationRateMax");
        return domain("watchdog", () -> new RolloutSettings(minVerdicts, minAgreement, watch, minWindows,
                RolloutRules.Band.upTo(alarm), RolloutRules.Band.upTo(escalation)));
    }

    // ------------------------------------------------------------------ responses

    private ObjectNode list(List<RolloutEngine.View> views) {
        ObjectNode out = Wire.mapper().createObjectNode();
        out.put("count", views.size());
        ArrayNode items = out.putArray("rollouts");
        for (RolloutEngine.View v : views) {
            items.add(summary(v));
        }
        return out;
    }

    private static ObjectNode summary(RolloutEngine.View v) {
        Rollout r = v.rollout();
        ObjectNode n = Wire.mapper().createObjectNode();
        n.put("id", r.id());
        n.put("name", r.name());
        ObjectNode change = n.putObject("change");
        change.put("kind", r.change().kind().name());
        change.put("ref", r.change().ref());
        n.put("state", r.state().name());
        n.put("currentWave", r.currentWave());
        n.put("waveCount", r.waves().size());
        n.put("devices", r.deviceCount());
        n.set("counts", counts(v.counts()));
        n.put("createdAt", r.createdAt().toString());
        n.put("createdBy", r.createdBy());
        n.put("waveStartedAt", v.waveStartedAt() == null ? null : v.waveStartedAt().toString());
        return n;
    }

    private static ObjectNode view(RolloutEngine.View v, int offset, int limit) {
        Rollout r = v.rollout();
        ObjectNode n = summary(v);
        n.set("target", Wire.mapper().valueToTree(r.target()));
        RolloutSettings s = v.settings();
        ObjectNode w = n.putObject("watchdog");
        w.put("watchSeconds", s.watch().toSeconds());
        w.put("minWindows", s.watchMinWindows());
        w.put("minVerdicts", s.minVerdicts());
        w.put("minAgreement", s.minAgreement());
        w.put("alarmRateMax", s.alarmRate().max());
        w.put("escalationRateMax", s.escalationRate().max());
        ArrayNode waves = n.putArray("waveDetails");
        for (Wave wave : r.waves()) {
            ObjectNode o = waves.addObject();
            o.put("index", wave.index());
            o.put("devices", wave.devices().size());
            o.put("reach", wave.reach());
            o.put("successThreshold", wave.gate().successThreshold());
            o.put("errorThreshold", wave.gate().errorThreshold());
            o.put("shadowSeconds", wave.gate().shadowTime().toSeconds());
            o.put("timeoutSeconds", wave.gate().timeout().toSeconds());
            o.set("counts", counts(v.waveCounts().get(wave.index())));
        }
        ObjectNode actions = n.putObject("actions");
        actions.put("offset", offset);
        actions.put("limit", limit);
        actions.put("total", v.total());
        ArrayNode items = actions.putArray("items");
        for (ActionRecord a : v.actions()) {
            ObjectNode o = items.addObject();
            o.put("device", a.action().device().site() + ":" + a.action().device().device());
            o.put("wave", a.action().wave());
            o.put("state", a.action().state().name());
            o.put("since", a.action().since().toString());
            o.put("code", a.action().code() == null ? null : a.action().code().name());
            o.put("reason", a.action().reason());
            putLong(o, "generation", a.generation());
            o.put("candidateVersion", a.candidateVersion());
            o.put("previousVersion", a.previousVersion());
            putLong(o, "rollbackGeneration", a.rollbackGeneration());
            ShadowReport sh = v.shadow().get(a.action().device());
            if (sh != null) {
                o.set("shadow", Wire.mapper().valueToTree(sh));
            }
        }
        return n;
    }

    private static ObjectNode counts(Map<ActionState, Integer> counts) {
        ObjectNode o = Wire.mapper().createObjectNode();
        for (ActionState s : ActionState.values()) {
            o.put(s.name(), counts.getOrDefault(s, 0));
        }
        return o;
    }

    private static void putLong(ObjectNode o, String f, Long v) {
        if (v == null) {
            o.putNull(f);
        } else {
            o.put(f, v);
        }
    }

    /** Writes the engine's answer on the API's context; a refusal as its stable code and HTTP status. */
    private <T> void answer(RoutingContext ctx, Future<T> f, Function<T, Object> body, int status) {
        Context api = ctx.vertx().getOrCreateContext();
        f.onComplete(ar -> api.runOnContext(v -> {
            if (ar.succeeded()) {
                try {
                    ctx.response().setStatusCode(status);
                    HubApi.json(ctx, body.apply(ar.result()));
                } catch (RuntimeException e) {
                    ctx.fail(e);
                }
                return;
            }
            Throwable e = ar.cause();
            if (e instanceof ApiException a) {
                HubApi.refuse(ctx, metrics, a);
            } else if (e instanceof TandemException t) {
                HubApi.refuse(ctx, metrics, new ApiException(status(t.code()), t.code(), t.getMessage(), null));
            } else {
                ctx.fail(e);
            }
        }));
    }

    private static int status(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> 404;
            case INVALID_STATE_TRANSITION -> 409;
            case INVALID_FIELD, UNKNOWN_DEVICE, BAD_REQUEST, CHANNEL_MISMATCH -> 400;
            case STORE_UNAVAILABLE, BROKER_UNAVAILABLE -> 503;
            default -> 500;
        };
    }

    // ------------------------------------------------------------------ parsing helpers

    private static String id(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        try {
            dev.tandem.shared.wire.Checks.id("rollout id", id);
        } catch (TandemException e) {
            throw ApiException.badRequest("id", e.getMessage());
        }
        return id;
    }

    private static void only(JsonNode o, Set<String> known, String prefix) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw ApiException.badRequest((prefix == null ? "" : prefix) + HubApi.clip(f), "unknown field '"
                        + HubApi.clip(f) + "' (known: " + new java.util.TreeSet<>(known) + ")");
            }
        }
    }

    private static String text(JsonNode o, String f, String otherwise) {
        JsonNode n = o.get(f);
        if (n == null || n.isNull()) {
            return otherwise;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest(f, f + " is a string");
        }
        return n.asText();
    }

    private static double number(JsonNode o, String f, double otherwise, String field) {
        JsonNode n = o.get(f);
        if (n == null || n.isNull()) {
            return otherwise;
        }
        if (!n.isNumber()) {
            throw ApiException.badRequest(field, f + " is a number");
        }
        return n.asDouble();
    }

    private static Duration seconds(JsonNode o, String f, Duration otherwise, String field) {
        JsonNode n = o.get(f);
        if (n == null || n.isNull()) {
            return otherwise;
        }
        if (!n.isNumber() || n.asDouble() < 0 || n.asDouble() > 1e8) {
            throw ApiException.badRequest(field, f + " is a number of seconds (>= 0)");
        }
        return Duration.ofMillis(Math.round(n.asDouble() * 1000));
    }

    private static int intParam(RoutingContext ctx, String name, int otherwise, int min, int max) {
        String p = ctx.request().getParam(name);
        if (p == null) {
            return otherwise;
        }
        try {
            int v = Integer.parseInt(p);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiException.badRequest(name, name + " must be an integer in " + min + ".." + max + ", got '"
                + HubApi.clip(p) + "'");
    }

    /** A domain value built from the request: its refusal as 400 with its own stable code, on {@code field}. */
    private static <T> T domain(String field, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (TandemException e) {
            throw new ApiException(400, e.code(), e.getMessage(), field);
        }
    }

    private static ApiException field(String field, String message) {
        return new ApiException(400, ErrorCode.INVALID_FIELD, message, field);
    }
}
