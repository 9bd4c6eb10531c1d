package io.parley.core.server;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcStatus;

/**
 * The server's handle of a stream: a call that sends any number of items and still ends exactly
 * once, as an MS-RPC pipe does. The handle of a seed-style stream handler, and the call at hand
 * of a reactive one.
 *
 * <p>{@link #next} sends an item; {@link #complete()} ends the stream, {@link #complete(Object)}
 * ends it after a last item, {@link #abort} ends it with a fault code that reaches the client
 * unchanged. Either end reaches the client after the items accepted before it. Cancels,
 * {@link #testCancel()}, {@link #cancelled()} and {@link #status()} are those of every call: a
 * graceful cancel turns {@code testCancel()} to {@code RPC_S_OK} and keeps the stream open for
 * the server's own end, so it can send a last summary item and complete.
 *
 * <pre>{@code
 * ServerMethod.stream("progress", Job.class, (Job job, ServerStream<Progress> stream) ->
 *         job.run(step -> {
 *             if (stream.testCancel() == RpcStatus.OK) {
 *                 stream.complete(Progress.stoppedAt(step));   // the last item, then the end
 *                 return false;
 *             }
 *             return stream.next(Progress.at(step)) == RpcStatus.OK;
 *         }));
 * }</pre>
 *
 * <p>Flow control: the client's demand reaches the server (over RSocket, as {@code REQUEST_N});
 * {@link #demand()} says how many more items it takes now. A handler that pushes beyond it has
 * its items held, up to {@link #BUFFER} of them; the next one beyond aborts the call with
 * {@code RPC_S_OUT_OF_RESOURCES}. Memory stays bounded whatever the handler does.
 *
 * <p>Every method is thread-safe and non-blocking; items sent from several threads at once reach
 * the client in some order, each once.
 *
 * @param <R> the item type
 */
public interface ServerStream<R> extends AsyncCall<R> {

    /** How many items beyond the client's demand a stream holds before it fails. */
    int BUFFER = 256;

    /**
     * Sends an item.
     *
     * @param item the item; not {@code null}
     * @return {@link RpcStatus#OK} when the item is sent, or held until the client asks for it;
     *         {@link RpcStatus#CALL_CANCELLED} when the client cancelled abortively or its
     *         connection closed, the item being dropped; {@link RpcStatus#INVALID_ASYNC_HANDLE}
     *         when the call has ended, nothing changing; {@link RpcStatus#INVALID_ARG} for
     *         {@code null}; {@link RpcStatus#BAD_STUB_DATA} when the item cannot be encoded, and
     *         {@link RpcStatus#OUT_OF_RESOURCES} when it is beyond the client's demand and the
     *         buffer: in both cases the call is aborted with that fault
     */
    RpcStatus next(R item);

    /**
     * Ends the stream after the items sent so far: {@code RpcAsyncCompleteCall}.
     *
     * @return as {@link #complete(Object)}
     */
    RpcStatus complete();

    /**
     * Ends the stream after a last item.
     *
     * @param lastItem the last item, or {@code null} for none
     * @return {@link RpcStatus#OK} when the stream ends; {@link RpcStatus#CALL_CANCELLED} when the
     *         client cancelled abortively or its connection closed; {@link RpcStatus#BAD_STUB_DATA}
     *         when the item cannot be encoded, or {@link RpcStatus#OUT_OF_RESOURCES} when it is
     *         beyond the client's demand and the buffer, the call then ending with that fault;
     *         {@link RpcStatus#INVALID_ASYNC_HANDLE} when the call has already ended
     */
    @Override
    RpcStatus complete(@Nullable R lastItem);

    /**
     * How many more items the client takes now: what it asked for, less what was sent or is
     * held. A snapshot, which the client's next {@code REQUEST_N} raises.
     *
     * @return the demand, {@code 0} when the client waits for nothing; {@code Long.MAX_VALUE} for
     *         a client that asked for everything
     */
    long demand();
}
