package io.parley.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

import io.parley.core.Credentials;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@ExtendWith(OutputCaptureExtension.class)
class SpringSecurityAuthenticatorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Authenticates whatever it is given, and keeps it for the test to look at. */
    private final AtomicReference<Authentication> given = new AtomicReference<>();

    private final ReactiveAuthenticationManager acceptAll = (authentication) -> {
        this.given.set(authentication);
        return Mono.just(UsernamePasswordAuthenticationToken.authenticated(authentication.getName(), null, null));
    };

    @Test
    void basicCredentials_goToTheBasicManager_asAnUnauthenticatedUsernamePasswordToken() {
        StepVerifier.create(SpringSecurityAuthenticator.basic(this.acceptAll).authenticate(Credentials.basic("alice", "pw")))
            .assertNext((principal) -> assertThat(principal.getName()).isEqualTo("alice"))
            .expectComplete()
            .verify(TIMEOUT);
        assertThat(this.given.get()).isInstanceOf(UsernamePasswordAuthenticationToken.class);
        assertThat(this.given.get().isAuthenticated()).isFalse();
        assertThat(this.given.get().getCredentials()).isEqualTo("pw");
    }

    @Test
    void bearerCredentials_goToTheBearerManager_asABearerTokenAuthenticationToken() {
        ReactiveAuthenticationManager refuseAll = (authentication) -> Mono.error(new BadCredentialsException("no"));
        SpringSecurityAuthenticator authenticator = SpringSecurityAuthenticator.basic(refuseAll).withBearer(this.acceptAll);

        StepVerifier.create(authenticator.authenticate(Credentials.bearer("t0ken")))
            .expectNextCount(1)
            .expectComplete()
            .verify(TIMEOUT);
        assertThat(this.given.get()).isInstanceOfSatisfying(BearerTokenAuthenticationToken.class,
                (token) -> assertThat(token.getToken()).isEqualTo("t0ken"));
    }

    @Test
    void credentialsOfAKindWithoutAManager_areRefused() {
        StepVerifier.create(SpringSecurityAuthenticator.basic(this.acceptAll).authenticate(Credentials.bearer("t0ken")))
            .expectComplete()
            .verify(TIMEOUT);
        StepVerifier.create(SpringSecurityAuthenticator.bearer(this.acceptAll).authenticate(Credentials.basic("alice", "pw")))
            .expectComplete()
            .verify(TIMEOUT);
        assertThat(this.given.get()).isNull();
    }

    @Test
    void authenticationException_orAnUnauthenticatedResult_orNone_refuseQuietly() {
        ReactiveAuthenticationManager bad = (authentication) -> Mono.error(new BadCredentialsException("Bad credentials"));
        ReactiveAuthenticationManager unauthenticated = Mono::just;
        ReactiveAuthenticationManager empty = (authentication) -> Mono.empty();

        for (ReactiveAuthenticationManager manager : new ReactiveAuthenticationManager[] { bad, unauthenticated, empty }) {
            StepVerifier.create(SpringSecurityAuthenticator.basic(manager).authenticate(Credentials.basic("alice", "pw")))
                .expectComplete()
                .verify(TIMEOUT);
        }
    }

    @Test
    void serviceFailures_refuse_andAreLoggedAsWarnings(CapturedOutput output) {
        AuthenticationServiceException down = new AuthenticationServiceException("user store unreachable");
        IllegalStateException bug = new IllegalStateException("manager broken");

        for (RuntimeException failure : new RuntimeException[] { down, bug }) {
            StepVerifier.create(SpringSecurityAuthenticator.basic((authentication) -> Mono.error(failure))
                    .authenticate(Credentials.basic("alice", "secret-pw")))
                .expectComplete()
                .verify(TIMEOUT);
        }
        assertThat(output).contains("WARN").contains("user store unreachable").contains("manager broken")
            .doesNotContain("secret-pw");
    }

    @Test
    void parleyFaults_passThrough_forTheServerToSend() {
        RpcFault fault = new RpcFault(RpcStatus.ACCESS_DENIED, "account locked");

        StepVerifier.create(SpringSecurityAuthenticator.basic((authentication) -> Mono.error(fault))
                .authenticate(Credentials.basic("alice", "pw")))
            .expectErrorSatisfies((error) -> assertThat(error).isSameAs(fault))
            .verify(TIMEOUT);
    }

    @Test
    void toString_namesTheManagers_andNoSecret() {
        SpringSecurityAuthenticator authenticator = SpringSecurityAuthenticator.bearer(this.acceptAll);
        authenticator.authenticate(Credentials.bearer("t0ken")).block(TIMEOUT);

        assertThat(authenticator.toString()).startsWith("SpringSecurityAuthenticator{basic=null, bearer=").doesNotContain("t0ken");
    }
}
