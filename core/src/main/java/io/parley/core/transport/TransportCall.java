package io.parley.core.transport;

import java.nio.ByteBuffer;
import java.util.Objects;

import io.parley.core.RpcFault;

/**
 * One call's handle on a {@link ClientConnection}: what the client's call state machine does to
 * the transport (start, ask for replies, cancel abortively, cancel gracefully) and, through its
 * {@link Listener}, what the transport delivers back (the replies, then the end; or a fault).
 *
 * <p>The handle may be used before the connection exists. A cancel made then is recorded and
 * applied when the connection is there: an abortive cancel means the request is never sent, a
 * graceful one follows the request on the connection that carries it. After that the handle
 * passes each action straight through.
 *
 * <p>Every method is thread-safe, non-blocking and may be called in any order and more than
 * once; a cancel after the call ended does nothing. The transport signals the listener serially:
 * {@link Listener#onNext} once per reply, never beyond what {@link #request} asked for, then exactly one of
 * {@link Listener#onComplete} or {@link Listener#onFault}, unless the call was cancelled
 * abortively first, after which it may signal nothing more.
 */
public interface TransportCall {

    /**
     * Sends the request, now or as soon as the connection is made. Called once.
     *
     * @param listener receives what the server answers
     */
    void start(Listener listener);

    /**
     * Asks for {@code n} more replies: over RSocket, a stream's {@code REQUEST_N}. Demand asked
     * for before the request is out goes with it (a {@code REQUEST_STREAM}'s initial demand). A
     * call with at most one reply asks for {@code Long.MAX_VALUE} before it starts.
     *
     * @param n a positive number; {@code Long.MAX_VALUE} for no limit
     */
    void request(long n);

    /**
     * The abortive cancel: the server is told at once (on RSocket, a CANCEL frame), or the request
     * is never sent if it has not been yet. The listener may hear nothing more.
     */
    void cancel();

    /**
     * The graceful cancel: the server is told (its {@code testCancel()} turns {@code RPC_S_OK}),
     * after the request if that is still to go out, and the call goes on to the server's own end.
     */
    void cancelGracefully();

    /**
     * The graceful bound of the call's timeout passed: a graceful cancel, as
     * {@link #cancelGracefully()}, whose notice tells the server that the deadline is the cause.
     */
    default void deadlinePassed() {
        cancelGracefully();
    }

    /**
     * A call that ends with a fault as soon as it starts, for a connection that cannot take calls
     * (disposed, or with no server to reach).
     *
     * @param fault the fault
     * @return the call
     */
    static TransportCall failed(RpcFault fault) {
        Objects.requireNonNull(fault, "fault");
        return new TransportCall() {
            @Override
            public void start(Listener listener) {
                listener.onFault(fault);
            }

            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
            }

            @Override
            public void cancelGracefully() {
            }
        };
    }

    /** What the transport delivers for one call. */
    interface Listener {

        /**
         * A reply's bytes: the call's one reply, or the next of a stream's.
         *
         * @param reply the reply's bytes: the client's to keep if its setup says it keeps replies
         *        ({@link ClientSetup#keepsReplies()}), otherwise valid only during this call
         */
        void onNext(ByteBuffer reply);

        /** The call ended normally. */
        void onComplete();

        /**
         * The call ended with a fault: the server's, as sent, or the transport's own
         * ({@code RPC_S_SERVER_UNAVAILABLE} when the request never went out,
         * {@code RPC_S_COMM_FAILURE} when the connection ended under it, ...).
         *
         * @param fault the fault
         */
        void onFault(RpcFault fault);

        /**
         * The call ended with a fault and no server processed it: its request never left the
         * client, or the server refused it unprocessed (over RSocket, a request refused for want
         * of a lease, or answered REJECTED). The client may send it again, on another server,
         * whatever the method. Transports call this instead of {@link #onFault} only when they
         * know; by default it is {@link #onFault}.
         *
         * @param fault the fault, typically {@code RPC_S_SERVER_UNAVAILABLE}
         */
        default void onNotSent(RpcFault fault) {
            onFault(fault);
        }
    }
}
