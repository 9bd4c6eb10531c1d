package io.parley.spring.security;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;

import io.parley.core.server.ServerCallInfo;
import io.parley.core.server.ServerInterceptor;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Gives a call's handler its caller the way Spring Security reads it: when the call's principal is
 * an {@link Authentication} (as {@link SpringSecurityAuthenticator} makes it), the handler's
 * Reactor {@code Context} holds it as {@link ReactiveSecurityContextHolder} does, so that
 * {@code ReactiveSecurityContextHolder.getContext()} finds it and {@code @PreAuthorize} on a
 * reactive method ({@code @EnableReactiveMethodSecurity}) checks it. A call without such a
 * principal goes on unchanged.
 *
 * <pre>{@code
 * ParleyServer.builder()
 *         .authenticator(SpringSecurityAuthenticator.basic(manager))
 *         .interceptor(new SecurityContextInterceptor())
 *         .method(ServerMethod.mono("whoami", Void.class, none -> ReactiveSecurityContextHolder.getContext()
 *                 .map(security -> security.getAuthentication().getName())))
 *         ...
 * }</pre>
 *
 * <p>Stateless and non-blocking.
 */
public final class SecurityContextInterceptor implements ServerInterceptor {

    @Override
    public Mono<Context> intercept(ServerCallInfo call, Context context) {
        if (call.principal() instanceof Authentication authentication) {
            return Mono.just(context.putAll(ReactiveSecurityContextHolder.withAuthentication(authentication).readOnly()));
        }
        return Mono.just(context);
    }

    @Override
    public String toString() {
        return "SecurityContextInterceptor";
    }
}
