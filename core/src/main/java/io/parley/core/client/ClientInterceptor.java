package io.parley.core.client;

import io.parley.core.RpcStatus;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Code that runs around every call a client makes, whatever its shape: it may add metadata or set
 * the call's credentials before the request goes out — at once, or once a token has been fetched
 * — and sees each retry and the call's end. Interceptors run in the order they were added
 * ({@code ParleyClient.Builder.interceptor}).
 *
 * <pre>{@code
 * ClientInterceptor bearer = (call, context) -> tokens.current()          // a Mono<String>
 *         .map(token -> {
 *             call.credentials(Credentials.bearer(token));
 *             return context;
 *         });
 * }</pre>
 *
 * <p>Its methods run on whatever thread the call is on, an event loop included: they must not
 * block.
 */
@FunctionalInterface
public interface ClientInterceptor {

    /**
     * A call is about to send its request.
     *
     * @param call the call, whose metadata and credentials may still be changed
     * @param context the call's Reactor {@code Context}: the caller's, with what earlier
     *        interceptors added
     * @return the context to go on with, now ({@code Mono.just}) or later. An error ends the call
     *         before anything is sent: an {@link io.parley.core.RpcFault} with its own code, any
     *         other error with {@code RPC_S_CALL_FAILED}. Empty is an error too. A caller that
     *         cancels meanwhile cancels this {@code Mono}
     */
    Mono<Context> intercept(ClientCallInfo call, Context context);

    /**
     * The call ended, once, with its final status; also when it ended before its interceptors
     * were done, or before they ran.
     *
     * @param call the call; {@link ClientCallInfo#context()} holds what the interceptors added
     * @param status the status the caller sees
     */
    default void onEnd(ClientCallInfo call, RpcStatus status) {
    }

    /**
     * The call is about to be sent again, after its last attempt ended with {@code cause}: it
     * never left the client, or the method is idempotent and the server was too busy, unavailable,
     * or the connection failed ({@link RetryPolicy}). Called before each retry, once its backoff is
     * over, in the order the interceptors were added; {@link #intercept} is not run again, and what
     * it put in the call goes with every attempt. A call that ends while it waits to be retried is
     * not retried, and this is not called. The call's metadata and credentials are fixed by now.
     *
     * @param call the call
     * @param cause the status the last attempt ended with
     * @param attempt the attempt about to be made: 2 for the first retry
     */
    default void onRetry(ClientCallInfo call, RpcStatus cause, int attempt) {
    }
}
