package io.parley.core.server;

import org.jspecify.annotations.Nullable;

/**
 * A handler in the style of an MS-RPC asynchronous manager routine: it is given the call and
 * completes or aborts it — now, or later from any thread.
 *
 * <pre>{@code
 * AsyncHandler<Long, Integer> asyncFunc = (delay, call) -> scheduler.schedule(
 *         () -> call.complete(1), delay, TimeUnit.MILLISECONDS);
 * }</pre>
 *
 * <p>An exception thrown before the call ends aborts it: an {@link io.parley.core.RpcFault} with
 * its own code, anything else with {@code RPC_S_CALL_FAILED}.
 *
 * @param <Q> the request type
 * @param <R> the reply type
 */
@FunctionalInterface
public interface AsyncHandler<Q, R> {

    /**
     * Handles one call.
     *
     * @param request the decoded request ({@code null} if the client sent none)
     * @param call the call, to complete or abort
     * @throws Exception to abort the call
     */
    void handle(@Nullable Q request, AsyncCall<R> call) throws Exception;
}
