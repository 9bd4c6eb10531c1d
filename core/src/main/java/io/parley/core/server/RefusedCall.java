package io.parley.core.server;

import java.net.SocketAddress;
import java.security.Principal;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallMetadata;
import io.parley.core.CallShape;
import io.parley.core.CancelReason;
import io.parley.core.Deadline;
import io.parley.core.RpcStatus;
import io.parley.core.transport.RpcRequest;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/** A call refused before it was dispatched, as its interceptors see its end. */
final class RefusedCall implements ServerCallInfo {

    private final String method;
    private final CallShape shape;
    private final RpcRequest request;
    private final @Nullable SocketAddress remoteAddress;
    private final RpcStatus status;

    RefusedCall(String method, CallShape shape, RpcRequest request, @Nullable SocketAddress remoteAddress, RpcStatus status) {
        this.method = method;
        this.shape = shape;
        this.request = request;
        this.remoteAddress = remoteAddress;
        this.status = status;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public CallShape shape() {
        return shape;
    }

    @Override
    public long id() {
        return request.callId();
    }

    @Override
    public @Nullable Duration timeout() {
        return request.timeout();
    }

    @Override
    public @Nullable Deadline deadline() {
        return null;
    }

    @Override
    public CallMetadata metadata() {
        return request.metadata();
    }

    @Override
    public @Nullable SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public @Nullable Principal principal() {
        return null;
    }

    @Override
    public RpcStatus testCancel() {
        return RpcStatus.INVALID_BINDING;
    }

    @Override
    public @Nullable CancelReason cancelReason() {
        return null;
    }

    @Override
    public Mono<Void> cancelled() {
        return Mono.never();
    }

    @Override
    public RpcStatus status() {
        return status;
    }

    @Override
    public ContextView context() {
        return Context.of(ServerCallInfo.class, this);
    }

    @Override
    public String toString() {
        return "ServerCallInfo{" + method + ", id=" + request.callId() + ", refused, " + status + "}";
    }
}
