package dev.tandem.sim.broker.security;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.tandem.shared.identity.Identity;
import dev.tandem.shared.identity.Role;
import dev.tandem.sim.provision.SiteRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The embedded HiveMQ's security, as an embedded extension: clients log in with the credentials of
 * a provisioned site ({@link SiteRegistry}: the client id must be the username), and every PUBLISH
 * and SUBSCRIBE is checked against the topic table ({@link ClientAccess}); everything else is
 * refused and counted by {@link Refusal}. HiveMQ answers a refused PUBLISH by disconnecting the
 * client (no setting changes that). {@link #started()} tells whether the extension really started:
 * HiveMQ lets everyone in when an extension fails, so the broker must check it.
 * {@link #reload} swaps the registry and disconnects the clients it no longer holds (revocation).
 */
public final class BrokerSecurity implements ExtensionMain {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerSecurity.class);

    /** Why something was refused. */
    public enum Refusal { BAD_CREDENTIALS, CLIENT_ID_MISMATCH, PUBLISH_REFUSED, SUBSCRIBE_REFUSED }

    private final AtomicReference<SiteRegistry> registry;
    private final Map<String, ClientAccess> clients = new ConcurrentHashMap<>();
    private final Map<Refusal, AtomicLong> refusals = new EnumMap<>(Refusal.class);
    private volatile boolean started;

    public BrokerSecurity(SiteRegistry registry) {
        this.registry = new AtomicReference<>(registry);
        for (Refusal r : Refusal.values()) {
            refusals.put(r, new AtomicLong());
        }
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        SimpleAuthenticator authenticator = this::authenticate;
        Authorizer authorizer = new Authorizer();
        Services.securityRegistry().setAuthenticatorProvider(i -> authenticator);
        Services.securityRegistry().setAuthorizerProvider(i -> authorizer);
        started = true;
        LOG.debug("broker security started for site {}", registry.get().site());
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        started = false;
    }

    public boolean started() {
        return started;
    }

    /** How many of each refusal (connects, publishes, subscriptions) the broker made. */
    public long refused(Refusal r) {
        return refusals.get(r).get();
    }

    public String site() {
        return registry.get().site();
    }

    /** Takes a new registry; connected clients it no longer holds are disconnected at once. */
    public void reload(SiteRegistry next) {
        registry.set(next);
        for (String clientId : clients.keySet()) {
            int will = clientId.indexOf(Identity.WILL_SEPARATOR);
            if (next.account(will < 0 ? clientId : clientId.substring(0, will)).isEmpty()) {
                clients.remove(clientId);
                Services.clientService().disconnectClient(clientId);
                LOG.info("{}: credentials revoked, disconnected", clientId);
            }
        }
    }

    private void authenticate(SimpleAuthInput in, SimpleAuthOutput out) {
        String username = in.getConnectPacket().getUserName().orElse(null);
        Optional<ByteBuffer> password = in.getConnectPacket().getPassword();
        // an agent's will connection for one of its devices: site/name~device
        int will = username == null ? -1 : username.indexOf(Identity.WILL_SEPARATOR);
        String base = will < 0 ? username : username.substring(0, will);
        String willDevice = will < 0 ? null : username.substring(will + 1);
        SiteRegistry.Account account = base == null ? null : registry.get().account(base).orElse(null);
        if (account != null && willDevice != null && (account.identity().role() != Role.AGENT
                || !account.identity().devices().subList(1, account.identity().devices().size()).contains(willDevice))) {
            account = null;
        }
        if (account == null || account.identity().role() == Role.ADMIN || password.isEmpty()
                || !account.password().matches(bytes(password.get()))) {
            refusals.get(Refusal.BAD_CREDENTIALS).incrementAndGet();
            out.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
            return;
        }
        String clientId = in.getClientInformation().getClientId();
        if (!clientId.equals(username)) {
            refusals.get(Refusal.CLIENT_ID_MISMATCH).incrementAndGet();
            out.failAuthentication(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "the client id must be the username");
            return;
        }
        clients.put(clientId, willDevice == null ? ClientAccess.of(account.identity())
                : ClientAccess.will(account.identity(), willDevice));
        out.getDefaultPermissions().setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        out.authenticateSuccessfully();
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer copy = b.asReadOnlyBuffer();
        if (copy.remaining() > 256) {
            return null;
        }
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    private final class Authorizer implements PublishAuthorizer, SubscriptionAuthorizer {
        @Override
        public void authorizePublish(PublishAuthorizerInput in, PublishAuthorizerOutput out) {
            ClientAccess access = clients.get(in.getClientInformation().getClientId());
            if (access != null && access.mayPublish(in.getPublishPacket().getTopic())) {
                out.authorizeSuccessfully();
            } else {
                refusals.get(Refusal.PUBLISH_REFUSED).incrementAndGet();
                out.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "not allowed to publish there");
            }
        }

        @Override
        public void authorizeSubscribe(SubscriptionAuthorizerInput in, SubscriptionAuthorizerOutput out) {
            ClientAccess access = clients.get(in.getClientInformation().getClientId());
            if (access != null && access.maySubscribe(in.getSubscription().getTopicFilter())) {
                out.authorizeSuccessfully();
            } else {
                refusals.get(Refusal.SUBSCRIBE_REFUSED).incrementAndGet();
                out.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not allowed to subscribe there");
            }
        }
    }
}
