package io.parley.core.server;

import java.security.Principal;

import io.parley.core.Credentials;
import reactor.core.publisher.Mono;

/**
 * Turns a client's credentials into a principal: the server's one place of authentication. A
 * call's own credentials are checked for the call; a connection's, sent in SETUP, once for the
 * connection, and used by its calls that bring none of their own.
 *
 * <pre>{@code
 * Authenticator users = credentials -> credentials instanceof Credentials.Basic basic
 *         && store.matches(basic.username(), basic.password())
 *         ? Mono.just(new UserPrincipal(basic.username()))
 *         : Mono.empty();
 * }</pre>
 *
 * <p>Refused credentials end a call with {@code RPC_S_ACCESS_DENIED} and the detail "the
 * credentials were refused", before any interceptor or handler runs; the connection goes on
 * serving. The principal is never kept in a {@code ThreadLocal}: it lives in the call
 * ({@link ServerCallInfo#principal()}) and in the handler's Reactor {@code Context} through it.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * Checks credentials. Runs on the call's thread, an event loop included: it must not block.
     *
     * @param credentials what the client sent
     * @return the principal; empty, or an error, if the credentials are refused. An
     *         {@link io.parley.core.RpcFault} with {@code RPC_S_ACCESS_DENIED} gives its own
     *         detail; any other error is logged and refuses them
     */
    Mono<? extends Principal> authenticate(Credentials credentials);
}
