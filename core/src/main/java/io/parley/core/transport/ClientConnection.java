package io.parley.core.transport;

import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A client's connection to a server, from a {@link ClientTransport}. Thread-safe.
 */
public interface ClientConnection extends Disposable {

    /**
     * Sends one request and reads its reply.
     *
     * <p>The returned {@code Mono} sends the request when subscribed. It emits what the reader
     * made of the reply (nothing if the reader returned {@code null}), or errors with an
     * {@link io.parley.core.RpcFault}: the server's fault as sent, {@code RPC_S_COMM_FAILURE} if
     * the connection ended first. Cancelling the subscription is the abortive cancel: the
     * transport tells the server at once (on RSocket, a CANCEL frame).
     *
     * @param request the request; its payload belongs to the transport from now on
     * @param reader reads the reply while its bytes are valid; may throw, which errors the
     *        {@code Mono} with what it threw
     * @param <T> what the reader returns
     * @return the reply
     */
    <T> Mono<T> call(RpcRequest request, ReplyReader<T> reader);

    /**
     * Tells the server that the call with the given id is cancelled gracefully. Fire and forget:
     * the call's {@code Mono} goes on and delivers the server's own complete or abort.
     *
     * @param callId the id of a call sent on this connection
     */
    void cancelGracefully(long callId);

    /** Completes when the connection has closed, for whatever reason. */
    Mono<Void> onClose();

    /**
     * Reads a reply's bytes.
     *
     * @param <T> the reply type
     */
    @FunctionalInterface
    interface ReplyReader<T> {

        /**
         * @param reply the reply's bytes, valid only during this call
         * @return the reply, or {@code null} if there is none
         */
        @Nullable T read(ByteBuffer reply);
    }
}
