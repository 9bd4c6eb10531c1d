package io.parley.core.observation;

import org.jspecify.annotations.Nullable;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.parley.core.CancelReason;
import io.parley.core.RpcStatus;
import io.parley.core.server.ServerCallInfo;

/**
 * The observation context of one server call: a {@code ReceiverContext} ({@link Kind#SERVER})
 * whose carrier is the call, so that a tracing handler reads the trace context from the call's
 * metadata. Its status and cancel reason are set as the call ends, before the observation stops.
 */
public class ServerCallObservationContext extends ReceiverContext<ServerCallInfo> implements ObservingInterceptor.Ending {

    private final ServerCallInfo call;
    private volatile @Nullable RpcStatus status;
    private volatile @Nullable CancelReason cancelReason;

    /**
     * Creates the context of a call.
     *
     * @param call the call
     */
    public ServerCallObservationContext(ServerCallInfo call) {
        super(ParleyObservations.GETTER, Kind.SERVER);
        this.call = call;
        setCarrier(call);
    }

    /** The call observed. */
    public ServerCallInfo getCall() {
        return this.call;
    }

    /** The call's final status; {@code null} until it ends. */
    public @Nullable RpcStatus getStatus() {
        return this.status;
    }

    /**
     * Why the client cancelled the call, as the call ended; {@code null} if it did not cancel, or
     * until the call ends.
     */
    public @Nullable CancelReason getCancelReason() {
        return this.cancelReason;
    }

    /** Records how the call ended, and why the client cancelled it, if it did: the interceptor does, before the observation stops. */
    @Override
    public void ended(RpcStatus status) {
        this.cancelReason = this.call.cancelReason();
        this.status = status;
    }
}
