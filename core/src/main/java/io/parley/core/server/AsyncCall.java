package io.parley.core.server;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcStatus;
import reactor.core.publisher.Mono;

/**
 * The server's handle of one call: MS-RPC's {@code RPC_ASYNC_STATE} on the server side.
 *
 * <p>A call is created when it is dispatched (state D) and ends exactly once, when it is
 * completed or aborted (End). Every method is thread-safe and non-blocking, and may be called
 * from any thread, the one that received the call included; when complete, abort and a client's
 * cancel race, exactly one of them decides the outcome.
 *
 * <p>Through {@link ServerCallInfo} it also says who called and how: the metadata, the remote
 * address, the principal, the deadline and, once cancelled, why.
 *
 * <pre>{@code
 * ServerMethod.async("AsyncFunc", Long.class, (Long delay, AsyncCall<Integer> call) -> {
 *     Mono.delay(Duration.ofMillis(delay)).subscribe(tick -> {
 *         if (call.testCancel() == RpcStatus.OK) {
 *             call.abort(RpcStatus.CALL_CANCELLED.value());
 *         } else {
 *             call.complete(1);
 *         }
 *     });
 * });
 * }</pre>
 *
 * @param <R> the reply type
 */
public interface AsyncCall<R> extends ServerCallInfo {

    /**
     * Completes the call with a reply: {@code RpcAsyncCompleteCall} on the server.
     *
     * @param reply the reply, or {@code null} for a call without one
     * @return {@link RpcStatus#OK} when the reply is sent; {@link RpcStatus#CALL_CANCELLED} when
     *         the client cancelled abortively or its connection closed, the reply being dropped,
     *         not sent;
     *         {@link RpcStatus#BAD_STUB_DATA} when the reply cannot be encoded, the client then
     *         receiving that fault; {@link RpcStatus#INVALID_ASYNC_HANDLE} when the call has
     *         already ended, nothing changing
     */
    RpcStatus complete(@Nullable R reply);

    /**
     * Aborts the call with a fault code that reaches the client unchanged:
     * {@code RpcAsyncAbortCall}. No reply is encoded.
     *
     * @param faultCode a nonzero code, read as unsigned: a well-known {@link RpcStatus} value
     *        or the application's own
     * @return {@link RpcStatus#OK} when the call is aborted; {@link RpcStatus#INVALID_ARG} for a
     *         code of 0, the call staying open; {@link RpcStatus#INVALID_ASYNC_HANDLE} when the
     *         call has already ended, nothing changing
     */
    RpcStatus abort(int faultCode);

    /**
     * Asks whether the client has cancelled the call: {@code RpcServerTestCancel}. The answer is
     * read without changing any state, so it is cheap to poll.
     *
     * @return {@link RpcStatus#OK} if the client cancelled, abortively or gracefully, or the
     *         call's timeout passed (the server must still complete or abort it);
     *         {@link RpcStatus#CALL_IN_PROGRESS} if not; {@link RpcStatus#INVALID_BINDING} if the
     *         call has ended
     */
    @Override
    RpcStatus testCancel();

    /**
     * Completes, once, when {@link #testCancel()} turns {@link RpcStatus#OK}; never completes
     * for a call that ends uncancelled. Subscribing is cheap and may happen at any time, also
     * after the cancel.
     *
     * @return the cancel signal
     */
    @Override
    Mono<Void> cancelled();

    /**
     * The call's status, seen from the server.
     *
     * @return {@link RpcStatus#ASYNC_CALL_PENDING} until the call ends; then {@link RpcStatus#OK}
     *         if it was completed, the fault code if it was aborted or failed,
     *         {@link RpcStatus#CALL_CANCELLED} if it was completed after an abortive cancel, or
     *         {@link RpcStatus#COMM_FAILURE} if it was completed after its connection closed
     */
    @Override
    RpcStatus status();

    /** The name of the method called. */
    @Override
    String method();

    /**
     * The id the client gave this call, or {@code 0} if it gave none.
     */
    @Override
    long id();

    /**
     * How long the client said it would wait, as the call arrived; {@code null} if it set no
     * timeout.
     */
    @Override
    @Nullable Duration timeout();
}
