package io.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggerConfiguration;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.method.configuration.EnableReactiveMethodSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtGrantedAuthoritiesConverterAdapter;

import io.parley.core.Credentials;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.ParleyClient;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import io.parley.spring.security.SpringSecurityAuthenticator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Spring Security checks the credentials of Parley calls, over a real server on a free port: a
 * user store, JWTs signed by a key made at test time, the application's own authentication
 * manager; SETUP and per-call credentials; {@code @PreAuthorize} on {@code @ParleyMethod} methods.
 * Every refusal ends its call with {@code RPC_S_ACCESS_DENIED} and leaves the connection serving.
 */
@ExtendWith(OutputCaptureExtension.class)
class ParleySecurityAutoConfigurationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    static final TestJwts JWTS = TestJwts.create();

    private static final Credentials ALICE = Credentials.basic("alice", "alice-pw");

    private static final Credentials ADMIN = Credentials.basic("admin", "admin-pw");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ParleyServerAutoConfiguration.class, ParleyClientAutoConfiguration.class,
                ParleySecurityAutoConfiguration.class))
        .withUserConfiguration(AccountsConfiguration.class)
        .withPropertyValues("parley.server.port=0", "parley.server.address=127.0.0.1");

    // ---- when it applies ----------------------------------------------------------------------------

    @Test
    void withoutAuthenticationBeans_backsOff_andCallsStayAnonymous() {
        this.runner.run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(SpringSecurityAuthenticator.class);
            assertThat(call(context, "whoami", null, null)).isEqualTo("anonymous");
        });
    }

    @Test
    void disabled_backsOff_evenWithAUserStore() {
        this.runner.withUserConfiguration(UsersConfiguration.class)
            .withPropertyValues("parley.server.security.enabled=false")
            .run((context) -> {
                assertThat(context).doesNotHaveBean(SpringSecurityAuthenticator.class);
                assertThat(call(context, "whoami", null, ALICE)).isEqualTo("anonymous");
            });
    }

    @Test
    void twoAuthenticationManagersAndNothingElse_failAtStartup_sayingWhatIsExpected() {
        this.runner.withUserConfiguration(ManagerConfiguration.class, SecondManagerConfiguration.class).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .hasMessageContaining("2 ReactiveAuthenticationManager")
                .hasMessageContaining("expected one of either, or one marked @Primary");
        });
    }

    @Test
    void applicationsOwnAuthenticator_replacesTheAutoConfiguredOne() {
        this.runner.withUserConfiguration(UsersConfiguration.class, OwnAuthenticatorConfiguration.class).run((context) -> {
            assertThat(context).getBean(SpringSecurityAuthenticator.class)
                .isSameAs(context.getBean(OwnAuthenticatorConfiguration.class).authenticator);
            assertThat(call(context, "whoami", null, Credentials.basic("carol", "carol-pw"))).isEqualTo("carol");
            assertAccessDenied(context, "whoami", null, ALICE, "the credentials were refused");
        });
    }

    // ---- usernames and passwords --------------------------------------------------------------------

    @Test
    void userStore_checksPasswords_andTheHandlerSeesTheCaller_asSpringSecurityReadsIt() {
        this.runner.withUserConfiguration(UsersConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(SpringSecurityAuthenticator.class);
            assertThat(call(context, "whoami", null, ALICE)).isEqualTo("alice");
            assertThat(call(context, "caller", null, ALICE)).isEqualTo("UsernamePasswordAuthenticationToken alice [ROLE_USER]");
        });
    }

    @Test
    void wrongPassword_unknownUser_orATokenNobodyChecks_areRefused_andTheConnectionServesOn() {
        this.runner.withUserConfiguration(UsersConfiguration.class).run((context) -> {
            assertAccessDenied(context, "whoami", null, Credentials.basic("alice", "guess"), "the credentials were refused");
            assertAccessDenied(context, "whoami", null, Credentials.basic("mallory", "alice-pw"), "the credentials were refused");
            assertAccessDenied(context, "whoami", null, Credentials.bearer(JWTS.token("alice")), "the credentials were refused");
            assertThat(call(context, "whoami", null, ALICE)).isEqualTo("alice");
        });
    }

    @Test
    void refusedCredentials_areLoggedAtDebug_withoutThePasswordOrTheToken(CapturedOutput output) {
        String token = JWTS.token("carol");
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        String logger = SpringSecurityAuthenticator.class.getName();
        LoggerConfiguration before = logging.getLoggerConfiguration(logger);
        LogLevel level = (before != null) ? before.getConfiguredLevel() : null;
        logging.setLogLevel(logger, LogLevel.DEBUG);
        try {
            this.runner.withUserConfiguration(UsersConfiguration.class, JwtConfiguration.class).run((context) -> {
                assertAccessDenied(context, "whoami", null, Credentials.basic("alice", "not-her-password-1"),
                        "the credentials were refused");
                assertAccessDenied(context, "whoami", null, Credentials.bearer(token + "x"), "the credentials were refused");
            });
        }
        finally {
            logging.setLogLevel(logger, level);
        }
        assertThat(output).contains("Refused a username and password of 'alice': BadCredentialsException")
            .contains("Refused a bearer token: InvalidBearerTokenException")
            .doesNotContain("not-her-password-1")
            .doesNotContain(token);
    }

    @Test
    void setupCredentials_areTheConnections_andACallsOwnWin() {
        this.runner.withUserConfiguration(UsersConfiguration.class)
            .withPropertyValues("parley.client.credentials.username=alice", "parley.client.credentials.password=alice-pw")
            .run((context) -> {
                assertThat(call(context, "whoami", null, null)).isEqualTo("alice");
                assertThat(call(context, "whoami", null, ADMIN)).isEqualTo("admin");
                assertThat(call(context, "whoami", null, null)).isEqualTo("alice");
            });
    }

    @Test
    void refusedSetupCredentials_refuseTheCallsWithoutTheirOwn_andTheConnectionServesCallsWithTheirOwn() {
        this.runner.withUserConfiguration(UsersConfiguration.class)
            .withPropertyValues("parley.client.credentials.username=alice", "parley.client.credentials.password=guess")
            .run((context) -> {
                assertAccessDenied(context, "whoami", null, null, "the credentials were refused");
                assertThat(call(context, "whoami", null, ADMIN)).isEqualTo("admin");
                assertAccessDenied(context, "whoami", null, null, "the credentials were refused");
            });
    }

    @Test
    void requireAuthentication_refusesACallWithoutCredentials_andLetsTheCallerIn() {
        this.runner.withUserConfiguration(UsersConfiguration.class)
            .withPropertyValues("parley.server.security.require-authentication=true")
            .run((context) -> {
                assertAccessDenied(context, "whoami", null, null, "'whoami' requires credentials; the call has none");
                assertThat(call(context, "whoami", null, ALICE)).isEqualTo("alice");
            });
    }

    @Test
    void applicationsAuthenticationManager_checksPasswords_beforeItsUserStore() {
        this.runner.withUserConfiguration(UsersConfiguration.class, ManagerConfiguration.class).run((context) -> {
            assertThat(call(context, "whoami", null, Credentials.basic("carol", "carol-pw"))).isEqualTo("carol");
            assertAccessDenied(context, "whoami", null, ALICE, "the credentials were refused");
        });
    }

    // ---- @PreAuthorize ------------------------------------------------------------------------------

    @Test
    void preAuthorize_letsTheAdminIn_andDeniesEveryoneElseWithAccessDenied_andTheConnectionServesOn() {
        this.runner.withUserConfiguration(UsersConfiguration.class, MethodSecurityConfiguration.class).run((context) -> {
            assertThat(call(context, "audit", "books", ADMIN)).isEqualTo("audited books");
            assertAccessDenied(context, "audit", "books", ALICE, "access denied");
            assertAccessDenied(context, "audit", "books", null, "access denied");
            ParleyClient client = context.getBean(ParleyClient.class);
            StepVerifier.create(client.stream("secrets", null, String.class, CallOptions.DEFAULT.withCredentials(ADMIN)))
                .expectNext("one", "two")
                .expectComplete()
                .verify(TIMEOUT);
            StepVerifier.create(client.stream("secrets", null, String.class, CallOptions.DEFAULT.withCredentials(ALICE)))
                .expectErrorSatisfies((error) -> assertAccessDenied(error, "access denied"))
                .verify(TIMEOUT);
            assertThat(call(context, "whoami", null, ALICE)).isEqualTo("alice");
        });
    }

    @Test
    void preAuthorizeOnAPlainMethod_isRefusedBySpringsReactiveMethodSecurity_andTheCallFails() {
        this.runner.withUserConfiguration(UsersConfiguration.class, MethodSecurityConfiguration.class).run((context) -> {
            Throwable error = catchThrowable(() -> call(context, "plainAudit", "books", ADMIN));
            assertThat(error).isInstanceOf(RpcFault.class);
            assertThat(((RpcFault) error).status()).isEqualTo(RpcStatus.CALL_FAILED);
            assertThat(call(context, "audit", "books", ADMIN)).isEqualTo("audited books");
        });
    }

    // ---- bearer tokens ------------------------------------------------------------------------------

    @Test
    void jwtDecoder_checksBearerTokens_andTheHandlerSeesTheToken() {
        this.runner.withUserConfiguration(JwtConfiguration.class).run((context) -> {
            assertThat(call(context, "whoami", null, Credentials.bearer(JWTS.token("carol")))).isEqualTo("carol");
            // Spring Security 7 adds the factor it was proven with (FACTOR_BEARER) to the token's authorities.
            assertThat(call(context, "caller", null, Credentials.bearer(JWTS.token("carol"))))
                .startsWith("JwtAuthenticationToken carol [");
        });
    }

    @Test
    void expiredForeignOrMalformedTokens_andPasswordsNobodyChecks_areRefused_andTheConnectionServesOn() {
        TestJwts otherIssuer = TestJwts.create();
        this.runner.withUserConfiguration(JwtConfiguration.class).run((context) -> {
            assertAccessDenied(context, "whoami", null, Credentials.bearer(JWTS.expired("carol")), "the credentials were refused");
            assertAccessDenied(context, "whoami", null, Credentials.bearer(otherIssuer.token("carol")), "the credentials were refused");
            assertAccessDenied(context, "whoami", null, Credentials.bearer("not.a.jwt"), "the credentials were refused");
            assertAccessDenied(context, "whoami", null, ALICE, "the credentials were refused");
            assertThat(call(context, "whoami", null, Credentials.bearer(JWTS.token("carol")))).isEqualTo("carol");
        });
    }

    @Test
    void clientBearerToken_isTheConnections() {
        this.runner.withUserConfiguration(JwtConfiguration.class)
            .withPropertyValues("parley.client.credentials.bearer-token=" + JWTS.token("carol"))
            .run((context) -> assertThat(call(context, "whoami", null, null)).isEqualTo("carol"));
    }

    @Test
    void jwtAuthenticationConverter_givesTheTokensRoles_toPreAuthorize() {
        this.runner.withUserConfiguration(JwtConfiguration.class, JwtRolesConfiguration.class, MethodSecurityConfiguration.class)
            .run((context) -> {
                assertThat(call(context, "audit", "books", Credentials.bearer(JWTS.token("dave", "ADMIN"))))
                    .isEqualTo("audited books");
                assertAccessDenied(context, "audit", "books", Credentials.bearer(JWTS.token("carol", "USER")), "access denied");
            });
    }

    @Test
    void userStoreAndJwtDecoder_eachCheckTheirKind() {
        this.runner.withUserConfiguration(UsersConfiguration.class, JwtConfiguration.class).run((context) -> {
            assertThat(call(context, "whoami", null, ALICE)).isEqualTo("alice");
            assertThat(call(context, "whoami", null, Credentials.bearer(JWTS.token("carol")))).isEqualTo("carol");
        });
    }

    // ---- helpers and fixtures -----------------------------------------------------------------------

    private static @Nullable String call(AssertableApplicationContext context, String method, @Nullable Object request,
            @Nullable Credentials credentials) {
        CallOptions options = (credentials != null) ? CallOptions.DEFAULT.withCredentials(credentials) : CallOptions.DEFAULT;
        return context.getBean(ParleyClient.class).call(method, request, String.class, options).block(TIMEOUT);
    }

    private static void assertAccessDenied(AssertableApplicationContext context, String method, @Nullable Object request,
            @Nullable Credentials credentials, String detail) {
        assertAccessDenied(catchThrowable(() -> call(context, method, request, credentials)), detail);
    }

    private static void assertAccessDenied(Throwable error, String detail) {
        assertThat(error).isInstanceOf(RpcFault.class);
        RpcFault fault = (RpcFault) error;
        assertThat(fault.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
        assertThat(fault.faultCode()).isEqualTo(5);
        assertThat(fault.detail()).isEqualTo(detail);
    }

    @ParleyService
    public static class AccountService {

        @ParleyMethod
        public Mono<String> whoami() {
            return ReactiveSecurityContextHolder.getContext()
                .map((security) -> security.getAuthentication().getName())
                .defaultIfEmpty("anonymous");
        }

        @ParleyMethod
        public Mono<String> caller(Authentication caller) {
            return Mono.just(caller.getClass().getSimpleName() + " " + caller.getName() + " "
                    + caller.getAuthorities().stream().map(GrantedAuthority::getAuthority).sorted().toList());
        }

        @ParleyMethod
        @PreAuthorize("hasRole('ADMIN')")
        public Mono<String> audit(String what) {
            return Mono.just("audited " + what);
        }

        @ParleyMethod
        @PreAuthorize("hasRole('ADMIN')")
        public Flux<String> secrets() {
            return Flux.just("one", "two");
        }

        /** Blocking, so beyond Spring's reactive method security, which wants a Publisher to carry the context. */
        @ParleyMethod
        @PreAuthorize("hasRole('ADMIN')")
        public String plainAudit(String what) {
            return "audited " + what;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class AccountsConfiguration {

        @Bean
        AccountService accountService() {
            return new AccountService();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableReactiveMethodSecurity
    static class MethodSecurityConfiguration {

    }

    @Configuration(proxyBeanMethods = false)
    static class UsersConfiguration {

        @Bean
        MapReactiveUserDetailsService users() {
            return new MapReactiveUserDetailsService(
                    User.withUsername("alice").password("{noop}alice-pw").roles("USER").build(),
                    User.withUsername("admin").password("{noop}admin-pw").roles("ADMIN").build());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class JwtConfiguration {

        @Bean
        ReactiveJwtDecoder jwtDecoder() {
            return JWTS.decoder();
        }
    }

    /** Roles from the token's "roles" claim, as Boot's spring.security.oauth2.resourceserver.jwt.* properties make it. */
    @Configuration(proxyBeanMethods = false)
    static class JwtRolesConfiguration {

        @Bean
        ReactiveJwtAuthenticationConverter jwtAuthenticationConverter() {
            JwtGrantedAuthoritiesConverter authorities = new JwtGrantedAuthoritiesConverter();
            authorities.setAuthoritiesClaimName(TestJwts.ROLES);
            authorities.setAuthorityPrefix("ROLE_");
            ReactiveJwtAuthenticationConverter converter = new ReactiveJwtAuthenticationConverter();
            converter.setJwtGrantedAuthoritiesConverter(new ReactiveJwtGrantedAuthoritiesConverterAdapter(authorities));
            return converter;
        }
    }

    /** Knows carol alone. */
    static ReactiveAuthenticationManager carolOnly() {
        return (authentication) -> {
            if ("carol".equals(authentication.getName()) && "carol-pw".equals(authentication.getCredentials())) {
                return Mono.just(UsernamePasswordAuthenticationToken.authenticated("carol", null,
                        AuthorityUtils.createAuthorityList("ROLE_USER")));
            }
            return Mono.error(new BadCredentialsException("Bad credentials"));
        };
    }

    @Configuration(proxyBeanMethods = false)
    static class ManagerConfiguration {

        @Bean
        ReactiveAuthenticationManager carolsManager() {
            return carolOnly();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondManagerConfiguration {

        @Bean
        ReactiveAuthenticationManager secondManager() {
            return carolOnly();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnAuthenticatorConfiguration {

        final SpringSecurityAuthenticator authenticator = SpringSecurityAuthenticator.basic(carolOnly());

        @Bean
        SpringSecurityAuthenticator ownAuthenticator() {
            return this.authenticator;
        }
    }
}
