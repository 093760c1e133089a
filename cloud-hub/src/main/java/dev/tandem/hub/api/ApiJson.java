package dev.tandem.hub.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tandem.hub.alarm.AlarmEntry;
import dev.tandem.hub.fleet.DeviceView;
import dev.tandem.hub.fleet.ModelRecord;
import dev.tandem.hub.live.DeviceTrails;
import dev.tandem.shared.wire.Alarm;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The API's JSON bodies (version 1 of {@code /api/v1}; fields are added, never renamed). Times are
 * ISO-8601 UTC strings (milliseconds), counts are numbers, unknowns are {@code null}.
 */
public final class ApiJson {
    /** Escalation rates are compared with the budget once a device has scored this many windows. */
    public static final long MIN_WINDOWS_FOR_RATE = 100;

    private ApiJson() {
    }

    /** Every refusal. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String code, String message, String field) {
    }

    /** {@code GET /fleet}: the devices by site. */
    public record Fleet(int devices, double escalationBudget, List<Site> sites) {
    }

    public record Site(String site, List<Device> devices) {
    }

    /**
     * A device.
     *
     * @param id             {@code site:device}, what {@code /devices/{id}} takes (the device alone when unambiguous)
     * @param state          COMMISSIONING, DETECTING, OFFLINE, or null before its first status
     * @param generation     the generation of the last manifest this hub signed for it
     * @param escalationRate escalated share of its scored windows (null before the first window)
     * @param overBudget     escalation rate above the budget, once {@value #MIN_WINDOWS_FOR_RATE} windows are scored
     */
    public record Device(String id, String site, String device, String state, String modelVersion, String modelState,
                         String assignedVersion, Long generation, String deviceClass, String lastSeen, long windows,
                         long alarms, long escalations, Double escalationRate, double escalationBudget,
                         Boolean overBudget) {
        static Device of(DeviceView v, ModelRecord current, double budget) {
            double rate = v.escalationRate();
            return new Device(v.id().site() + ":" + v.id().device(), v.id().site(), v.id().device(),
                    name(v.state()), v.modelVersion(), name(v.modelState()), v.assignedVersion(),
                    current == null ? null : current.generation(), current == null ? null : current.deviceClass(),
                    time(v.lastSeen()), v.windows(), v.alarms(), v.escalations(), Double.isNaN(rate) ? null : rate,
                    budget, v.windows() < MIN_WINDOWS_FOR_RATE ? null : rate > budget);
        }
    }

    /** {@code GET /devices/{id}/models}: newest first. */
    public record Lineage(String id, List<Model> models) {
    }

    public record Model(String version, String parentVersion, long generation, String deviceClass, String fittedAt,
                        String issuedAt, String largeVersion, long tinyParameters, long largeParameters,
                        boolean current) {
        static Model of(ModelRecord m, boolean current) {
            return new Model(m.version(), m.parentVersion(), m.generation(), m.deviceClass(), time(m.fittedAt()),
                    time(m.issuedAt()), m.largeVersion(), m.tinyParameters(), m.largeParameters(), current);
        }
    }

    /** {@code GET /alarms}: alarm episodes, newest first. */
    public record Alarms(int count, List<AlarmItem> alarms) {
    }

    /**
     * An alarm episode: what its latest message says, and its acknowledgement.
     *
     * @param phase   the latest message's: ONSET, UPDATE, CLEAR or REBASELINED
     * @param open    no CLEAR or REBASELINED yet
     * @param onsetTs the device's time of the episode's first anomalous window (epoch ms, as on the wire)
     * @param ts      the device's time of the latest message's window
     * @param windows anomalous windows in the episode so far
     * @param channelNames the names of {@code channels} where the device's readings name them, else null
     */
    public record AlarmItem(long id, String deviceId, String site, String device, String episode, String phase,
                            boolean open, long onsetTs, long ts, long heldMillis, long windowId, long windows,
                            double score, double peakScore, List<Integer> channels, String source, String modelVersion,
                            String receivedAt, String updatedAt, long messages, String ackedBy, String ackedAt,
                            String note, List<String> channelNames) {
        static AlarmItem of(AlarmEntry e) {
            Alarm a = e.latest();
            return new AlarmItem(e.id(), a.site() + ":" + a.device(), a.site(), a.device(), a.episode(),
                    a.phase().name(), e.open(), a.onsetTs(), a.ts(), a.heldMillis(), a.windowId(), a.windows(),
                    a.score(), a.peakScore(), a.channels(), a.source().name(), a.modelVersion(), time(e.receivedAt()),
                    time(e.updatedAt()), e.messages(), e.ackedBy(), time(e.ackedAt()), e.note(), a.channelNames());
        }
    }

    /**
     * {@code GET /devices/{id}/readings}: the raw samples the hub has seen of the device (inside its
     * escalations, so with gaps where the edge decided alone), oldest first, and the escalations judged
     * on them with the hub's verdicts. Times are the samples' (epoch ms).
     *
     * @param commissionedThroughSeq the last sample of the device's commissioning set, the readings its models
     *                               were fitted on (-1: not seen by this hub)
     */
    public record Readings(String id, int channels, List<Reading> samples, List<DeviceTrails.Judged> escalations,
                           long commissionedThroughSeq) {
    }

    public record Reading(long seq, long ts, double[] values) {
    }

    /** The {@code ping} event of {@code /events}: events this stream dropped so far (its queue was full). */
    public record Ping(long dropped, int queued) {
    }

    /** {@code POST /alarms/{id}/ack}'s body (optional). */
    public record Ack(String note) {
    }

    /** {@code GET /status}: this hub instance, and who is asking. */
    public record Status(String instanceId, String site, boolean connected, String startedAt, long uptimeSeconds,
                         int devices, int devicesWithModel, long escalationsReceived, long verdictsSent,
                         int queuedEscalations, long commissioningsReceived, long modelsFitted, long modelsPublished,
                         Map<String, Long> alarmsReceived, long errors, Map<String, Long> errorsByCode,
                         Operator operator, List<dev.tandem.hub.notify.Notifier.ChannelStatus> notifications) {
    }

    public record Operator(String name, String role) {
    }

    static String time(Instant t) {
        return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    }

    private static String name(Enum<?> e) {
        return e == null ? null : e.name();
    }
}
