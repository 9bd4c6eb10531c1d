package io.parley.spring.security;

import java.security.Principal;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;

import io.parley.core.Credentials;
import io.parley.core.client.CallOptions;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.transport.InProcessTransport;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class SecurityContextInterceptorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ParleyServer server;

    private ParleyClient client;

    /**
     * A server whose "whoami" answers from Spring Security's reactive context; alice's password
     * makes an Authentication, bob's a plain Principal.
     */
    private void serve() {
        String name = "security-context-" + System.nanoTime();
        this.server = ParleyServer.builder()
            .authenticator((credentials) -> {
                Credentials.Basic basic = (Credentials.Basic) credentials;
                return basic.username().equals("alice")
                        ? Mono.just(UsernamePasswordAuthenticationToken.authenticated("alice", null,
                                AuthorityUtils.createAuthorityList("ROLE_USER")))
                        : Mono.just((Principal) basic::username);
            })
            .interceptor(new SecurityContextInterceptor())
            .method(ServerMethod.mono("whoami", Void.class, (Void none) -> ReactiveSecurityContextHolder.getContext()
                .map((security) -> security.getAuthentication().getName())
                .defaultIfEmpty("no security context")))
            .transport(InProcessTransport.server(name))
            .bindNow();
        this.client = ParleyClient.builder().transport(InProcessTransport.client(name)).build();
    }

    @AfterEach
    void stop() {
        this.client.dispose();
        this.server.dispose();
    }

    private Mono<String> whoami(Credentials credentials) {
        return this.client.call("whoami", null, String.class,
                credentials != null ? CallOptions.DEFAULT.withCredentials(credentials) : CallOptions.DEFAULT);
    }

    @Test
    void anAuthentication_isTheHandlersSecurityContext() {
        serve();

        StepVerifier.create(whoami(Credentials.basic("alice", "pw"))).expectNext("alice").expectComplete().verify(TIMEOUT);
    }

    @Test
    void anotherPrincipal_orNone_leavesTheContextWithoutSecurity() {
        serve();

        StepVerifier.create(whoami(Credentials.basic("bob", "pw")))
            .expectNext("no security context").expectComplete().verify(TIMEOUT);
        StepVerifier.create(whoami(null)).expectNext("no security context").expectComplete().verify(TIMEOUT);
    }
}
