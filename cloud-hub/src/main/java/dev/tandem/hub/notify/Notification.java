package dev.tandem.hub.notify;

import dev.tandem.hub.alarm.AlarmEntry;
import dev.tandem.shared.wire.Alarm;

import java.util.List;

/**
 * What the hub tells an integration when an alarm episode starts or ends: the JSON body POSTed to the
 * webhook and published on the notification topic.
 *
 * @param v          {@value #VERSION}
 * @param event      {@code alarm.onset}, {@code alarm.clear} or {@code alarm.rebaselined}
 * @param alarmId    the hub's number of the episode (what {@code POST /api/v1/alarms/{id}/ack} takes)
 * @param deviceId   {@code site:device}, as the REST API names devices
 * @param ts         the time of the message's window (epoch ms, sample time)
 * @param onsetTs    the time of the episode's first anomalous window (epoch ms, sample time)
 * @param receivedAt when the hub received the message (ISO-8601, wall clock)
 * @param hub        the instance id of the hub that sends it
 */
public record Notification(int v, String event, long alarmId, String deviceId, String site, String device,
                           String episode, String phase, String source, double score, double peakScore, long ts,
                           long onsetTs, long heldMillis, long windows, List<Integer> channels, String modelVersion,
                           String receivedAt, String hub) {
    public static final int VERSION = 1;

    public static Notification of(AlarmEntry e, String hubInstance) {
        Alarm a = e.latest();
        return new Notification(VERSION, "alarm." + a.phase().name().toLowerCase(java.util.Locale.ROOT), e.id(),
                a.site() + ":" + a.device(), a.site(), a.device(), a.episode(), a.phase().name(), a.source().name(),
                a.score(), a.peakScore(), a.ts(), a.onsetTs(), a.heldMillis(), a.windows(), a.channels(),
                a.modelVersion(), e.updatedAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString(), hubInstance);
    }
}
