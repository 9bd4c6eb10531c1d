package io.parley.spring.security;

import java.security.Principal;
import java.util.Objects;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

import io.parley.core.Credentials;
import io.parley.core.RpcFault;
import io.parley.core.server.Authenticator;
import reactor.core.publisher.Mono;

/**
 * A Parley {@link Authenticator} backed by Spring Security: a username and a password go to one
 * {@link ReactiveAuthenticationManager} as an unauthenticated
 * {@link UsernamePasswordAuthenticationToken}, a bearer token to another as a
 * {@code BearerTokenAuthenticationToken}. The {@link Authentication} the manager returns is the
 * call's principal ({@code Authentication} is a {@link Principal}).
 *
 * <pre>{@code
 * ParleyServer.builder()
 *         .authenticator(SpringSecurityAuthenticator.basic(new UserDetailsRepositoryReactiveAuthenticationManager(users))
 *                 .withBearer(new JwtReactiveAuthenticationManager(jwtDecoder)))
 *         .interceptor(new SecurityContextInterceptor())      // ReactiveSecurityContextHolder in handlers
 *         ...
 * }</pre>
 *
 * <p>Credentials are refused — the call ends with {@code RPC_S_ACCESS_DENIED}, "the credentials
 * were refused" — when the manager for their kind rejects them with an
 * {@link AuthenticationException} ({@code BadCredentialsException}, an invalid or expired JWT),
 * completes empty or with an {@code Authentication} that is not authenticated, or when there is no
 * manager for their kind. Such a refusal is logged at debug level, without the password or token.
 * An {@link AuthenticationServiceException} (the user store or the token issuer could not be
 * reached) or any other error of the manager refuses them too, and is logged as a warning: it says
 * that authentication is failing, not that a caller got it wrong. An
 * {@link io.parley.core.RpcFault} of the manager's ends the call with its own code and detail.
 *
 * <p>Bearer tokens need {@code spring-security-oauth2-resource-server} on the classpath.
 */
public final class SpringSecurityAuthenticator implements Authenticator {

    private static final Log logger = LogFactory.getLog(SpringSecurityAuthenticator.class);

    private final @Nullable ReactiveAuthenticationManager basic;
    private final @Nullable ReactiveAuthenticationManager bearer;

    private SpringSecurityAuthenticator(@Nullable ReactiveAuthenticationManager basic,
            @Nullable ReactiveAuthenticationManager bearer) {
        this.basic = basic;
        this.bearer = bearer;
    }

    /**
     * An authenticator of usernames and passwords, which refuses bearer tokens.
     *
     * @param manager the manager given a {@link UsernamePasswordAuthenticationToken}, such as a
     *        {@code UserDetailsRepositoryReactiveAuthenticationManager}
     * @return the authenticator
     */
    public static SpringSecurityAuthenticator basic(ReactiveAuthenticationManager manager) {
        return new SpringSecurityAuthenticator(Objects.requireNonNull(manager, "manager"), null);
    }

    /**
     * An authenticator of bearer tokens, which refuses usernames and passwords.
     *
     * @param manager the manager given a {@code BearerTokenAuthenticationToken}, such as a
     *        {@code JwtReactiveAuthenticationManager}
     * @return the authenticator
     */
    public static SpringSecurityAuthenticator bearer(ReactiveAuthenticationManager manager) {
        return new SpringSecurityAuthenticator(null, Objects.requireNonNull(manager, "manager"));
    }

    /**
     * This authenticator, with usernames and passwords checked by the given manager.
     *
     * @param manager the manager given a {@link UsernamePasswordAuthenticationToken}
     * @return a new authenticator
     */
    public SpringSecurityAuthenticator withBasic(ReactiveAuthenticationManager manager) {
        return new SpringSecurityAuthenticator(Objects.requireNonNull(manager, "manager"), this.bearer);
    }

    /**
     * This authenticator, with bearer tokens checked by the given manager.
     *
     * @param manager the manager given a {@code BearerTokenAuthenticationToken}
     * @return a new authenticator
     */
    public SpringSecurityAuthenticator withBearer(ReactiveAuthenticationManager manager) {
        return new SpringSecurityAuthenticator(this.basic, Objects.requireNonNull(manager, "manager"));
    }

    @Override
    public Mono<Authentication> authenticate(Credentials credentials) {
        ReactiveAuthenticationManager manager;
        String kind;
        if (credentials instanceof Credentials.Basic basicCredentials) {
            manager = this.basic;
            kind = "username and password of '" + basicCredentials.username() + "'";
        }
        else {
            manager = this.bearer;
            kind = "bearer token";
        }
        if (manager == null) {
            if (logger.isDebugEnabled()) {
                logger.debug("Refused a " + kind + ": nothing checks this kind of credentials");
            }
            return Mono.empty();
        }
        return Mono.defer(() -> manager.authenticate(token(credentials)))
            .filter(Authentication::isAuthenticated)
            .switchIfEmpty(Mono.defer(() -> {
                if (logger.isDebugEnabled()) {
                    logger.debug("Refused a " + kind + ": the authentication manager did not authenticate it");
                }
                return Mono.empty();
            }))
            .onErrorResume((error) -> !(error instanceof RpcFault), (error) -> {
                // Spring's messages name the reason (bad credentials, an expired JWT), never the secret.
                if (error instanceof AuthenticationException && !(error instanceof AuthenticationServiceException)) {
                    if (logger.isDebugEnabled()) {
                        logger.debug("Refused a " + kind + ": " + error.getClass().getSimpleName() + ": " + error.getMessage());
                    }
                }
                else {
                    logger.warn("Refused a " + kind + ": the authentication manager failed", error);
                }
                return Mono.empty();
            });
    }

    private static Authentication token(Credentials credentials) {
        if (credentials instanceof Credentials.Basic basicCredentials) {
            return UsernamePasswordAuthenticationToken.unauthenticated(basicCredentials.username(), basicCredentials.password());
        }
        return BearerTokens.of(((Credentials.Bearer) credentials).token());
    }

    @Override
    public String toString() {
        return "SpringSecurityAuthenticator{basic=" + this.basic + ", bearer=" + this.bearer + "}";
    }

    /** Kept apart so that an application without OAuth2's resource server loads this class all the same. */
    private static final class BearerTokens {

        static Authentication of(String token) {
            return new BearerTokenAuthenticationToken(token);
        }
    }
}
