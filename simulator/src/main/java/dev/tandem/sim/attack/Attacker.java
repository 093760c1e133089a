package dev.tandem.sim.attack;

import dev.tandem.hub.tiny.TinyFitConfig;
import dev.tandem.hub.tiny.TinyModelFitter;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.identity.Credentials;
import dev.tandem.shared.signing.AssignmentSigner;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.topic.Topics.Kind;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ReadingBatch;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import org.eclipse.paho.mqttv5.common.MqttException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * Carries out {@link Attack}s against one victim device of a running, secured fleet, as an outsider
 * and as a rogue identity of the same site, and reports what the broker answered to each. Blocking
 * (Paho, each call bounded): run it off any event loop.
 *
 * @param broker      the broker the fleet uses
 * @param ca          the site CA for {@code mqtts://} (null for plain TCP)
 * @param rogue       a legitimate identity of the site that does not serve the victim (an agent of another device)
 * @param site        the victim's site
 * @param victim      the device attacked
 * @param victimAgent the username (and client id) of the agent serving the victim
 * @param channels    the victim's channel count (so that a hijacking model would fit it)
 */
public record Attacker(BrokerAddress broker, Path ca, Credentials rogue, String site, String victim, String victimAgent,
                       int channels) {
    /** Reason codes at or above this refuse (MQTT 5). */
    private static final int REFUSED = 0x80;

    /** What one attack got. {@code answer} is what the broker said, in words. */
    public record Result(String attack, String description, String as, String victim, boolean refused, String answer) {
    }

    public List<Result> run(Collection<Attack> attacks) {
        List<Result> out = new ArrayList<>();
        for (Attack a : attacks) {
            out.add(run(a));
        }
        return List.copyOf(out);
    }

    public Result run(Attack attack) {
        String as = attack == Attack.ANONYMOUS ? "nobody" : rogue.username();
        try {
            return switch (attack) {
                case ANONYMOUS -> connect(attack, as, "tandem-attacker", null, null);
                case WRONG_PASSWORD -> connect(attack, as, rogue.username(), rogue.username(), "guess-" + rogue.password());
                case STOLEN_CLIENT_ID -> connect(attack, as, victimAgent, rogue.username(), rogue.password());
                case MODEL_HIJACK -> publish(attack, as, Topics.of(site, victim, Kind.MODEL), json(hijack(true)));
                case UNSIGNED_MODEL -> publish(attack, as, Topics.of(site, victim, Kind.MODEL), json(hijack(false)));
                case FORGED_VERDICT -> publish(attack, as, Topics.of(site, victim, Kind.VERDICTS),
                        json(new Verdict(Verdict.VERSION, "forged", site, victim, 1, false, 0, "forged", -1, 0)));
                case READINGS_AS_VICTIM -> publish(attack, as, Topics.of(site, victim, Kind.READINGS),
                        json(ReadingBatch.of(site, victim, List.of(new Sample(1, System.currentTimeMillis(),
                                new double[channels])))));
                case INVENTED_DEVICE -> publish(attack, as, Topics.of(site, "ghost-" + victim, Kind.COMMISSIONING),
                        json(Commissioning.of(site, "ghost-" + victim, List.of(new Sample(1, 1, new double[channels])))));
                case EAVESDROP -> subscribe(attack, as, Topics.of(site, victim, Kind.VERDICTS),
                        Topics.of(site, victim, Kind.READINGS));
                case JOIN_HUB_GROUP -> subscribe(attack, as, "$share/hub/" + Topics.allDevices(site, Kind.ESCALATIONS));
                case PATH_ESCAPE -> publish(attack, as, Topics.ROOT + "/" + site + "/../commissioning",
                        json(Commissioning.of(site, victim, List.of(new Sample(1, 1, new double[channels])))));
            };
        } catch (RuntimeException e) {
            return new Result(attack.wireName(), attack.description(), as, victim, false, "attack not carried out: " + e);
        }
    }

    private Result connect(Attack attack, String as, String clientId, String username, String password) {
        try (AttackClient c = AttackClient.connect(broker.url(), clientId, username, password, ca)) {
            return result(attack, as, false, "CONNECT accepted");
        } catch (MqttException e) {
            return result(attack, as, true, "CONNECT refused (reason " + e.getReasonCode() + ")");
        }
    }

    private Result publish(Attack attack, String as, String topic, String payload) {
        try {
            int code = AttackClient.publishOnce(broker.url(), rogue, ca, topic, payload);
            if (code < 0) {
                return result(attack, as, true, "the broker closed the connection at the PUBLISH");
            }
            return code >= REFUSED ? result(attack, as, true, String.format("PUBACK 0x%02x (not authorized)", code))
                    : result(attack, as, false, String.format("PUBACK 0x%02x (accepted)", code));
        } catch (MqttException e) {
            return result(attack, as, false, "could not connect as the rogue identity: " + e);
        }
    }

    private Result subscribe(Attack attack, String as, String... filters) {
        try (AttackClient c = AttackClient.as(broker.url(), rogue, ca)) {
            int[] codes = c.subscribe(filters);
            StringBuilder answer = new StringBuilder("SUBACK");
            boolean all = codes.length == filters.length;
            for (int code : codes) {
                answer.append(String.format(" 0x%02x", code));
                all &= code >= REFUSED;
            }
            return result(attack, as, all, answer.toString());
        } catch (MqttException e) {
            return result(attack, as, true, "the broker closed the connection at the SUBSCRIBE (" + e.getReasonCode() + ")");
        }
    }

    private Result result(Attack attack, String as, boolean refused, String answer) {
        return new Result(attack.wireName(), attack.description(), as, victim, refused, answer);
    }

    /** A model that would silence the victim (limits fitted on noise far wider than its data), signed by a stranger or not at all. */
    private ModelAssignment hijack(boolean signed) {
        Random r = new Random(victim.hashCode());
        double[][] rows = new double[400][channels];
        for (double[] row : rows) {
            for (int c = 0; c < channels; c++) {
                row[c] = r.nextGaussian() * 1e6;
            }
        }
        TinyModel model = TinyModelFitter.fit(rows, TinyFitConfig.defaults(), "hijack");
        if (signed) {
            return new AssignmentSigner(HubKey.generate()).assign(site, victim, Commissioning.DEFAULT_CLASS,
                    Long.MAX_VALUE, model, null, 12);
        }
        return new ModelAssignment(ModelAssignment.VERSION, site, victim, null,
                Base64.getEncoder().encodeToString(TinyModelCodec.encode(model)), 12, System.currentTimeMillis());
    }

    private static String json(Object message) {
        return new String(Wire.encode(message), StandardCharsets.UTF_8);
    }
}
