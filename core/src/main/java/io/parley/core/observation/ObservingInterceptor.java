package io.parley.core.observation;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ClientCallInfo;
import io.parley.core.client.ClientInterceptor;
import io.parley.core.server.ServerCallInfo;
import io.parley.core.server.ServerInterceptor;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * The observation interceptor of one side ({@link Server}, {@link Client}): starts a call's
 * observation as the call reaches it and puts it into the call's {@code Context} — under this
 * interceptor as key, where the call's end finds it even if a later interceptor puts another under
 * {@link ParleyObservations#OBSERVATION_KEY}, and under that key, where it is the current one: the
 * handler's on a server, the later interceptors' on a client — and stops it at the call's end. A
 * call that ended before the interceptors ran (refused by a server, cancelled at once or made on a
 * disposed client) is observed as starting and ending at once. A registry without handlers costs
 * a check per call.
 *
 * @param <I> what the side's interceptors see of a call
 * @param <C> the observation context of the side's calls
 */
abstract class ObservingInterceptor<I, C extends Observation.Context> {

    private final ObservationRegistry registry;
    private final @Nullable ObservationConvention<C> convention;
    private final ObservationConvention<C> defaults;
    private final Function<I, C> newContext;
    private final Function<I, ContextView> contextOf;
    private final String name;

    private ObservingInterceptor(ObservationRegistry registry, @Nullable ObservationConvention<C> convention,
            ObservationConvention<C> defaults, Function<I, C> newContext, Function<I, ContextView> contextOf, String name) {
        this.registry = registry;
        this.convention = convention;
        this.defaults = defaults;
        this.newContext = newContext;
        this.contextOf = contextOf;
        this.name = name;
    }

    /** A server's: its observation goes into the handler's {@code Context}. */
    static final class Server extends ObservingInterceptor<ServerCallInfo, ServerCallObservationContext> implements ServerInterceptor {
        Server(ObservationRegistry registry, @Nullable ServerCallObservationConvention convention) {
            super(registry, convention, DefaultServerCallObservationConvention.INSTANCE, ServerCallObservationContext::new,
                    ServerCallInfo::context, "serverInterceptor");
        }
    }

    /** A client's: its observation is started before the request goes out, for its trace context to go with it. */
    static final class Client extends ObservingInterceptor<ClientCallInfo, ClientCallObservationContext> implements ClientInterceptor {
        Client(ObservationRegistry registry, @Nullable ClientCallObservationConvention convention) {
            super(registry, convention, DefaultClientCallObservationConvention.INSTANCE, ClientCallObservationContext::new,
                    ClientCallInfo::context, "clientInterceptor");
        }
    }

    public Mono<Context> intercept(I call, Context context) {
        if (registry.isNoop()) {
            return Mono.just(context);
        }
        Observation observation = start(call, context);
        Context kept = context.put(this, observation);
        return Mono.just(observation.isNoop() ? kept : kept.put(ParleyObservations.OBSERVATION_KEY, observation));
    }

    /**
     * The call's observation, started; its parent is the observation in {@code context}, the
     * call's own so far (on a client, the caller's), else the registry's current one.
     */
    private Observation start(I call, ContextView context) {
        Observation observation = Observation.createNotStarted(convention, defaults, () -> newContext.apply(call), registry);
        Object parent = context.getOrDefault(ParleyObservations.OBSERVATION_KEY, null);
        if (parent instanceof Observation) {
            observation.parentObservation((Observation) parent);
        }
        return observation.start();
    }

    public void onEnd(I call, RpcStatus status) {
        ContextView callContext = contextOf.apply(call);
        Observation observation = callContext.getOrDefault(this, null);
        if (observation == null) {
            if (registry.isNoop()) {
                return;
            }
            observation = start(call, callContext);
        }
        if (observation.isNoop()) {
            return;
        }
        if (observation.getContext() instanceof Ending) {
            ((Ending) observation.getContext()).ended(status);
        }
        if (ParleyObservations.isError(status)) {
            observation.error(new RpcFault(status, "the call ended with a fault"));
        }
        observation.stop();
    }

    @Override
    public String toString() {
        return "ParleyObservations." + name + "(" + registry + ")";
    }

    /** An observation context that records how its call ended, before the observation stops. */
    interface Ending {

        void ended(RpcStatus status);
    }
}
