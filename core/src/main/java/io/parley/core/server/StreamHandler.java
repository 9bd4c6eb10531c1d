package io.parley.core.server;

import org.jspecify.annotations.Nullable;

/**
 * A stream handler in the MS-RPC style: it is given the stream and sends its items, then
 * completes or aborts it — now, or later from any thread.
 *
 * <pre>{@code
 * StreamHandler<Integer, Long> countdown = (from, stream) -> {
 *     for (long i = from; i > 0 && stream.demand() > 0; i--) {
 *         stream.next(i);
 *     }
 *     stream.complete();
 * };
 * }</pre>
 *
 * <p>An exception thrown before the stream ends aborts it: an {@link io.parley.core.RpcFault} with
 * its own code, anything else with {@code RPC_S_CALL_FAILED}.
 *
 * @param <Q> the request type: for a channel, a {@code Flux} of the requests
 * @param <R> the item type
 */
@FunctionalInterface
public interface StreamHandler<Q, R> {

    /**
     * Handles one call.
     *
     * @param request the decoded request ({@code null} if the client sent none); for a channel,
     *        the requests
     * @param stream the stream, to send items on and to complete or abort
     * @throws Exception to abort the call
     */
    void handle(@Nullable Q request, ServerStream<R> stream) throws Exception;
}
