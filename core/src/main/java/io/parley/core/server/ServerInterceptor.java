package io.parley.core.server;

import io.parley.core.RpcStatus;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Code that runs around every call a server serves, whatever its shape: logging, metrics, tracing,
 * tenancy, quotas. Interceptors run in the order they were added to the server
 * ({@code ParleyServer.Builder.interceptor}), after the call's credentials have been checked and
 * before its handler; each sees the method, the metadata, the remote address and the principal
 * through {@link ServerCallInfo}.
 *
 * <pre>{@code
 * ServerInterceptor tenancy = (call, context) -> {
 *     String tenant = call.metadata().get("tenant");
 *     if (tenant == null) {
 *         return Mono.error(new RpcFault(RpcStatus.ACCESS_DENIED, "no tenant"));
 *     }
 *     return Mono.just(context.put(Tenant.class, new Tenant(tenant)));
 * };
 * }</pre>
 *
 * <p>Both methods run on whatever thread the call is on, an event loop included: they must not
 * block. An interceptor that needs to wait returns a {@code Mono} that completes later.
 */
@FunctionalInterface
public interface ServerInterceptor {

    /**
     * A call is about to be handed to its handler.
     *
     * @param call the call
     * @param context the Reactor {@code Context} the handler would run with: the call under
     *        {@code ServerCallInfo.class}, its {@code Deadline}, and what earlier interceptors added
     * @return the context to go on with — {@code context}, or {@code context} with entries
     *         added — now ({@code Mono.just}) or later. An error ends the call before its handler
     *         runs: an {@link io.parley.core.RpcFault}'s code reaches the client unchanged, any
     *         other error ends it with {@code RPC_S_CALL_FAILED}. Empty is an error too.
     */
    Mono<Context> intercept(ServerCallInfo call, Context context);

    /**
     * The call ended: once for every call the server saw, also one refused before any interceptor
     * ran (an unknown method, a limit, refused credentials), whose {@link ServerCallInfo#context()}
     * then holds only the call.
     *
     * @param call the call
     * @param status its final status: as {@link ServerCallInfo#status()}, or
     *        {@code RPC_S_CALL_CANCELLED} / {@code RPC_S_COMM_FAILURE} for a call the client
     *        abandoned before its handler ended it
     */
    default void onEnd(ServerCallInfo call, RpcStatus status) {
    }
}
