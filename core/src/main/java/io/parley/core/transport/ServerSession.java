package io.parley.core.transport;

import java.nio.ByteBuffer;

import reactor.core.publisher.Flux;

/**
 * The calls of one connection, on the server. Parley implements it; the transport drives it.
 * All methods are thread-safe and non-blocking.
 */
public interface ServerSession {

    /**
     * Serves one request whose payload the transport keeps readable until {@code release} runs.
     * The call may read it until then, and no longer: its codec may hand the handler a view of
     * the payload instead of a copy (the bytes codec does, for a {@code ByteBuffer} request),
     * and the reply may be such a view. {@code release} runs once, on any thread: when the call
     * has ended and its reply, if any, has been handed to the transport's subscriber, or dropped.
     * A transport whose {@code onNext} keeps the reply's bytes beyond that call — to write them
     * later — keeps the payload too, for as long as it keeps the reply.
     *
     * <p>The returned {@code Flux} emits the encoded replies within the transport's demand — for
     * a request-response exactly one (empty for a call without a reply), for a stream or a
     * channel any number — then completes, or errors with an {@link io.parley.core.RpcFault}
     * that the transport sends as the call's fault, after the replies the call accepted before
     * it. It never errors with anything else. The transport's demand is the client's: over
     * RSocket, the stream's {@code REQUEST_N}. Cancelling the subscription is the client's
     * abortive cancel: the call's {@code testCancel()} turns {@code RPC_S_OK} and replies not yet
     * emitted are dropped; the payload stays readable until the handler has ended the call. A
     * fire-and-forget's replies and fault reach nobody: the transport subscribes and drops them.
     *
     * <p>For a channel, the session subscribes to {@link RpcRequest#more()} once, asks it for
     * the requests as the handler does, and cancels it when the call ends.
     *
     * @param request the request
     * @param release what gives the payload back to the transport
     * @return the reply
     */
    Flux<ByteBuffer> handle(RpcRequest request, Runnable release);

    /**
     * Serves one request whose payload needs no release: a buffer on the Java heap that the
     * transport never reuses.
     *
     * @param request the request
     * @return the reply, as for {@link #handle(RpcRequest, Runnable)}
     */
    default Flux<ByteBuffer> handle(RpcRequest request) {
        return handle(request, () -> { });
    }

    /**
     * The client cancelled a call gracefully: the call's {@code testCancel()} turns
     * {@code RPC_S_OK}, and it stays open for the server's own complete or abort. A notice for
     * a call that has ended or was never seen is ignored.
     *
     * @param callId the id the client gave the call
     */
    void cancelGracefully(long callId);

    /**
     * The client's graceful bound for a call passed: a graceful cancel, as
     * {@link #cancelGracefully}, whose reason the call reports as the deadline.
     *
     * @param callId the id the client gave the call
     */
    default void deadlinePassed(long callId) {
        cancelGracefully(callId);
    }

    /**
     * The connection has ended. Every call still in flight is cancelled and its {@code Flux}
     * errors with {@code RPC_S_COMM_FAILURE}; later requests are refused the same way.
     */
    void close();
}
