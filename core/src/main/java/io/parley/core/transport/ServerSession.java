package io.parley.core.transport;

import java.nio.ByteBuffer;

import reactor.core.publisher.Mono;

/**
 * The calls of one connection, on the server. Parley implements it; the transport drives it.
 * All methods are thread-safe and non-blocking.
 */
public interface ServerSession {

    /**
     * Serves one request. The request's payload is decoded before this method returns, so the
     * transport may release it afterwards.
     *
     * <p>The returned {@code Mono} emits exactly one buffer, the encoded reply (empty for a call
     * without a reply), or errors with an {@link io.parley.core.RpcFault} that the transport
     * sends as the call's fault. It never errors with anything else. Cancelling the subscription
     * is the client's abortive cancel: the call's {@code testCancel()} turns {@code RPC_S_OK} and
     * its reply, if one comes, is dropped.
     *
     * @param request the request
     * @return the reply
     */
    Mono<ByteBuffer> handle(RpcRequest request);

    /**
     * The client cancelled a call gracefully: the call's {@code testCancel()} turns
     * {@code RPC_S_OK}, and it stays open for the server's own complete or abort. A notice for
     * a call that has ended or was never seen is ignored.
     *
     * @param callId the id the client gave the call
     */
    void cancelGracefully(long callId);

    /**
     * The connection has ended. Every call still in flight is cancelled and its {@code Mono}
     * errors with {@code RPC_S_COMM_FAILURE}; later requests are refused the same way.
     */
    void close();
}
