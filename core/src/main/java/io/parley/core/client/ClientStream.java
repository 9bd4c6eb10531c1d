package io.parley.core.client;

import io.parley.core.RpcStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The client's handle of a stream, for code written in the MS-RPC style: a call that receives
 * any number of items and still ends once, with a status. Everyday code uses
 * {@link ParleyClient#stream} and its {@code Flux}.
 *
 * <pre>{@code
 * ClientStream<Progress> job = client.startStream("progress", spec, Progress.class);
 * job.items().subscribe(progressBar::show);           // the request goes out here
 * ...
 * job.cancel(CancelMode.GRACEFUL);                     // the server winds down; items keep coming
 * job.completion().block(Duration.ofSeconds(5));       // RPC_S_OK once the server completed
 * RpcStatus status = job.complete();                  // RPC_S_OK once; job.received() items came
 * }</pre>
 *
 * <p>The call follows the seed's client table, as a unary call does: made (C) until
 * {@link #items()} is subscribed, waiting (WComp, with Can after a graceful cancel), its outcome
 * arrived (Comp), collected by {@link #complete()} (End). All methods are thread-safe and
 * non-blocking.
 *
 * @param <R> the item type
 */
public interface ClientStream<R> {

    /**
     * The stream's items. Subscribing sends the request, with the subscriber's first demand; its
     * later demand reaches the server (over RSocket, {@code REQUEST_N}). It completes when the
     * server completes, errors with an {@link io.parley.core.RpcFault} when it aborts, and
     * disposing it is the abortive cancel. It may be subscribed once.
     *
     * @return the items
     */
    Flux<R> items();

    /**
     * The call's status: {@code RpcAsyncGetCallStatus}.
     *
     * @return {@link RpcStatus#ASYNC_CALL_PENDING} while the stream is open; then
     *         {@link RpcStatus#OK}, {@link RpcStatus#CALL_CANCELLED} after an abortive cancel,
     *         {@link RpcStatus#TIMEOUT} after the abortive timeout, or the fault code
     */
    RpcStatus status();

    /**
     * Cancels the stream: {@code RpcAsyncCancelCall}. An abortive cancel ends it now, and nothing
     * more is received; a graceful one tells the server, and items keep coming until the server
     * completes or aborts.
     *
     * @param mode how to cancel
     * @return {@link RpcStatus#OK} when the cancel was issued; {@link RpcStatus#NOT_CANCELLED}
     *         when the stream had ended; {@link RpcStatus#INVALID_ASYNC_HANDLE} after
     *         {@link #complete()}
     */
    RpcStatus cancel(CancelMode mode);

    /**
     * How many items have arrived so far.
     *
     * @return the count
     */
    long received();

    /**
     * Collects the outcome: {@code RpcAsyncCompleteCall} on the client.
     *
     * @return {@link RpcStatus#ASYNC_CALL_PENDING} while the stream is open; then, once, its
     *         outcome; after that {@link RpcStatus#INVALID_ASYNC_HANDLE}
     */
    RpcStatus complete();

    /**
     * The notification that the stream has ended, as its status. It never errors.
     *
     * @return the status, once the stream has ended
     */
    Mono<RpcStatus> completion();

    /** The name of the method called. */
    String method();

    /** The call's id, unique among the calls of its client. */
    long id();
}
