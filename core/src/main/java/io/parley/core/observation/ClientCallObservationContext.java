package io.parley.core.observation;

import org.jspecify.annotations.Nullable;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;
import io.parley.core.RpcStatus;
import io.parley.core.client.ClientCallInfo;

/**
 * The observation context of one client call: a {@code SenderContext} ({@link Kind#CLIENT}) whose
 * carrier is the call, so that a tracing handler writes the trace context into the call's
 * metadata ({@link ClientCallInfo#putMetadata}). Its status is set as the call ends, before the
 * observation stops.
 */
public class ClientCallObservationContext extends SenderContext<ClientCallInfo> implements ObservingInterceptor.Ending {

    private final ClientCallInfo call;
    private volatile @Nullable RpcStatus status;

    /**
     * Creates the context of a call.
     *
     * @param call the call
     */
    public ClientCallObservationContext(ClientCallInfo call) {
        super(ParleyObservations.SETTER, Kind.CLIENT);
        this.call = call;
        setCarrier(call);
    }

    /** The call observed. */
    public ClientCallInfo getCall() {
        return this.call;
    }

    /** The call's final status, as the caller sees it; {@code null} until it ends. */
    public @Nullable RpcStatus getStatus() {
        return this.status;
    }

    /** Records how the call ended: the interceptor does, before the observation stops. */
    @Override
    public void ended(RpcStatus status) {
        this.status = status;
    }
}
