package io.parley.core.client;

import io.parley.core.RpcStatus;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Code that runs around every call a client makes, whatever its shape: it may add metadata or set
 * the call's credentials before the request goes out — at once, or once a token has been fetched
 * — and sees the call's end. Interceptors run in the order they were added
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
 * <p>Both methods run on whatever thread the call is on, an event loop included: they must not
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
}
