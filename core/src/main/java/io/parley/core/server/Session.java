package io.parley.core.server;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.Codec;
import io.parley.core.codec.CodecException;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.ServerSession;
import reactor.core.publisher.Mono;

/**
 * The calls of one connection. Calls are registered from the moment the transport subscribes to
 * them until they end or are abandoned, keyed by the client's call id (so a graceful cancel can
 * find them) or, for a client that sent none, by a negative key of our own.
 */
final class Session implements ServerSession {

    private final ParleyServer server;
    private final Codec codec;
    private final ConcurrentHashMap<Long, ServerCall<?>> calls = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong anonymousKeys = new AtomicLong();
    private volatile boolean closed;

    Session(ParleyServer server, Codec codec) {
        this.server = server;
        this.codec = codec;
    }

    Codec codec() {
        return codec;
    }

    int activeCalls() {
        return inFlight.get();
    }

    @Override
    public Mono<ByteBuffer> handle(RpcRequest request) {
        if (closed) {
            return Mono.error(new RpcFault(RpcStatus.COMM_FAILURE, "the connection is closed"));
        }
        ServerMethod<?, ?> method = server.method(request.method());
        if (method == null) {
            return Mono.error(new RpcFault(RpcStatus.PROCNUM_OUT_OF_RANGE,
                    "the server has no method '" + request.method() + "'"));
        }
        int size = request.payload().remaining();
        if (size > server.maxInboundPayloadSize()) {
            return Mono.error(new RpcFault(RpcStatus.SERVER_OUT_OF_MEMORY, "the request of '" + request.method() + "' is "
                    + size + " bytes, over the server's limit of " + server.maxInboundPayloadSize()));
        }
        @Nullable Object decoded;
        try {
            decoded = codec.decode(request.payload(), method.requestType());
        }
        catch (CodecException e) {
            return Mono.error(new RpcFault(RpcStatus.BAD_STUB_DATA,
                    "the request of '" + request.method() + "' could not be decoded: " + e.getMessage()));
        }
        long key = request.callId() != RpcRequest.NO_CALL_ID ? request.callId() : -anonymousKeys.incrementAndGet();
        return new ServerCall<>(this, method, key, request, decoded);
    }

    /**
     * Registers a call as its reply is subscribed to.
     *
     * @return {@code null}, or the fault that refuses the call
     */
    @Nullable RpcFault register(ServerCall<?> call) {
        int limit = server.maxCallsPerConnection();
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            return new RpcFault(RpcStatus.SERVER_TOO_BUSY, "the connection has " + limit + " calls in flight, the server's limit");
        }
        if (calls.putIfAbsent(call.key(), call) != null) {
            inFlight.decrementAndGet();
            return new RpcFault(RpcStatus.PROTOCOL_ERROR, "call id " + call.id() + " is already in flight on this connection");
        }
        if (closed) {
            unregister(call);
            return new RpcFault(RpcStatus.COMM_FAILURE, "the connection is closed");
        }
        return null;
    }

    void unregister(ServerCall<?> call) {
        if (calls.remove(call.key(), call)) {
            inFlight.decrementAndGet();
        }
    }

    void replyDropped() {
        server.replyDropped();
    }

    @Override
    public void cancelGracefully(long callId) {
        if (callId == RpcRequest.NO_CALL_ID) {
            return;
        }
        ServerCall<?> call = calls.get(callId);
        if (call != null) {
            call.cancelGracefully();
        }
    }

    @Override
    public void close() {
        closed = true;
        server.sessionClosed(this);
        for (ServerCall<?> call : calls.values()) {
            call.connectionClosed();
        }
    }
}
