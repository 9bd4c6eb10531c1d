package io.parley.core.client;

import java.util.function.Consumer;

import io.parley.core.RpcStatus;
import reactor.core.publisher.Mono;

/**
 * The client's handle of one call, for code written in the MS-RPC style: the client side of
 * {@code RPC_ASYNC_STATE}. Everyday code uses {@link ParleyClient#call} and its {@code Mono}.
 *
 * <p>The call follows the seed's client table: made (C), waiting for completion (WComp),
 * optionally cancelled (Can, then back to WComp), its outcome arrived (Comp), collected by
 * {@link #complete} (End).
 *
 * <pre>{@code
 * ClientCall<Integer> call = client.start("AsyncFunc", 2000L, Integer.class);
 * ...
 * call.cancel(CancelMode.GRACEFUL);               // RPC_S_OK; the server's testCancel() turns OK
 * call.completion().block(Duration.ofSeconds(5)); // wait for the notification
 * AtomicReference<Integer> reply = new AtomicReference<>();
 * RpcStatus status = call.complete(reply::set);   // RPC_S_OK with the reply, or the fault
 * }</pre>
 *
 * <p>All methods are thread-safe and non-blocking.
 *
 * @param <R> the reply type
 */
public interface ClientCall<R> {

    /**
     * The call's status: {@code RpcAsyncGetCallStatus}.
     *
     * @return {@link RpcStatus#ASYNC_CALL_PENDING} while the call is in flight; then
     *         {@link RpcStatus#OK}, {@link RpcStatus#CALL_CANCELLED} after an abortive cancel,
     *         {@link RpcStatus#TIMEOUT} after the abortive timeout, or the fault code
     */
    RpcStatus status();

    /**
     * Cancels the call: {@code RpcAsyncCancelCall}.
     *
     * @param mode {@link CancelMode#ABORTIVE} to stop waiting now (the outcome becomes
     *        {@link RpcStatus#CALL_CANCELLED}), {@link CancelMode#GRACEFUL} to ask the server to
     *        wind down and wait for its outcome
     * @return {@link RpcStatus#OK} when the cancel was issued; {@link RpcStatus#NOT_CANCELLED}
     *         when the outcome had already arrived, which stands; {@link RpcStatus#INVALID_ASYNC_HANDLE}
     *         after {@link #complete} has collected the outcome
     */
    RpcStatus cancel(CancelMode mode);

    /**
     * Collects the outcome: {@code RpcAsyncCompleteCall} on the client. Final once it returns
     * anything but {@link RpcStatus#ASYNC_CALL_PENDING}.
     *
     * @param reply receives the reply when the result is {@link RpcStatus#OK} and the call has one
     * @return {@link RpcStatus#ASYNC_CALL_PENDING} before the outcome has arrived; then, once,
     *         {@link RpcStatus#OK}, {@link RpcStatus#CALL_CANCELLED}, {@link RpcStatus#TIMEOUT}
     *         or the fault code; after that {@link RpcStatus#INVALID_ASYNC_HANDLE}
     */
    RpcStatus complete(Consumer<? super R> reply);

    /**
     * Collects the outcome, discarding any reply. See {@link #complete(Consumer)}.
     *
     * @return the outcome, as {@link #complete(Consumer)}
     */
    RpcStatus complete();

    /**
     * The notification that the outcome has arrived: emits the reply (or completes empty for a
     * call without one) or errors with an {@link io.parley.core.RpcFault}. It may be subscribed
     * any number of times, before or after the outcome, and does not collect it.
     *
     * @return the outcome as a {@code Mono}
     */
    Mono<R> reply();

    /**
     * The notification that the outcome has arrived, as its status: {@link RpcStatus#OK},
     * {@link RpcStatus#CALL_CANCELLED}, {@link RpcStatus#TIMEOUT} or the fault code. It never
     * errors, so seed-style code can wait on it and then call {@link #complete}.
     *
     * @return the status, once the outcome has arrived
     */
    Mono<RpcStatus> completion();

    /** The name of the method called. */
    String method();

    /** The call's id, unique among the calls of its client. */
    long id();
}
