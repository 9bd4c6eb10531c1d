package io.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.codec.Encoder;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.security.rsocket.metadata.BearerTokenAuthenticationEncoder;
import org.springframework.security.rsocket.metadata.BearerTokenMetadata;
import org.springframework.security.rsocket.metadata.SimpleAuthenticationEncoder;
import org.springframework.security.rsocket.metadata.UsernamePasswordMetadata;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;

import io.parley.spring.boot.autoconfigure.ParleySecurityAutoConfigurationTests.AccountsConfiguration;
import io.parley.spring.boot.autoconfigure.ParleySecurityAutoConfigurationTests.JwtConfiguration;
import io.parley.spring.boot.autoconfigure.ParleySecurityAutoConfigurationTests.MethodSecurityConfiguration;
import io.parley.spring.boot.autoconfigure.ParleySecurityAutoConfigurationTests.UsersConfiguration;
import io.rsocket.exceptions.ApplicationErrorException;
import reactor.test.StepVerifier;

/**
 * Spring's {@link RSocketRequester}, with Spring Security's authentication metadata encoders, as a
 * Spring application would call a Spring Security RSocket server, calls a Parley server secured by
 * the auto-configuration: simple and bearer credentials, in SETUP and per request; refusals read
 * as {@code RPC_S_ACCESS_DENIED (5)} from the ERROR frame's text, the connection serving on.
 *
 * <p>A requester registers the encoder of one kind of credentials: Spring Security's two encoders
 * share the MIME type {@code message/x.rsocket.authentication.v0}, and Spring's strategies pick the
 * first encoder registered for it, whatever the metadata's class.
 *
 * <p>Spring encodes a {@code String} request as bare text and decodes a {@code String} reply as the
 * bare JSON text, so a string request goes as {@code "\"books\""} and a reply arrives quoted.
 */
class SpringSecurityRequesterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** RSocket's authentication metadata, which Spring Security's encoders write. */
    private static final MimeType AUTHENTICATION = MimeTypeUtils.parseMimeType("message/x.rsocket.authentication.v0");

    private static final Encoder<?> SIMPLE = new SimpleAuthenticationEncoder();

    private static final Encoder<?> BEARER = new BearerTokenAuthenticationEncoder();

    private static final UsernamePasswordMetadata ALICE = new UsernamePasswordMetadata("alice", "alice-pw");

    private static final UsernamePasswordMetadata ADMIN = new UsernamePasswordMetadata("admin", "admin-pw");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ParleyServerAutoConfiguration.class, ParleySecurityAutoConfiguration.class))
        .withUserConfiguration(AccountsConfiguration.class, UsersConfiguration.class, JwtConfiguration.class,
                MethodSecurityConfiguration.class)
        .withPropertyValues("parley.server.port=0", "parley.server.address=127.0.0.1");

    @Test
    void usernameAndPasswordInSetup_authenticateTheConnection() {
        this.runner.run((context) -> withRequester(context, SIMPLE, (builder) -> builder.setupMetadata(ALICE, AUTHENTICATION),
                (requester) -> StepVerifier.create(requester.route("whoami").retrieveMono(String.class))
                    .expectNext("\"alice\"")
                    .expectComplete()
                    .verify(TIMEOUT)));
    }

    @Test
    void usernameAndPasswordOfARequest_winOverTheConnections() {
        this.runner.run((context) -> withRequester(context, SIMPLE, (builder) -> builder.setupMetadata(ALICE, AUTHENTICATION),
                (requester) -> {
                    StepVerifier.create(requester.route("whoami").metadata(ADMIN, AUTHENTICATION).retrieveMono(String.class))
                        .expectNext("\"admin\"")
                        .expectComplete()
                        .verify(TIMEOUT);
                    StepVerifier.create(requester.route("whoami").retrieveMono(String.class))
                        .expectNext("\"alice\"")
                        .expectComplete()
                        .verify(TIMEOUT);
                }));
    }

    @Test
    void bearerTokens_inSetupAndPerRequest_authenticate() {
        BearerTokenMetadata carol = new BearerTokenMetadata(ParleySecurityAutoConfigurationTests.JWTS.token("carol"));
        BearerTokenMetadata dave = new BearerTokenMetadata(ParleySecurityAutoConfigurationTests.JWTS.token("dave"));
        this.runner.run((context) -> withRequester(context, BEARER, (builder) -> builder.setupMetadata(carol, AUTHENTICATION),
                (requester) -> {
                    StepVerifier.create(requester.route("whoami").retrieveMono(String.class))
                        .expectNext("\"carol\"")
                        .expectComplete()
                        .verify(TIMEOUT);
                    StepVerifier.create(requester.route("whoami").metadata(dave, AUTHENTICATION).retrieveMono(String.class))
                        .expectNext("\"dave\"")
                        .expectComplete()
                        .verify(TIMEOUT);
                }));
    }

    @Test
    void refusedCredentials_andPreAuthorize_endWithAccessDenied_andTheConnectionServesOn() {
        BearerTokenMetadata expired = new BearerTokenMetadata(ParleySecurityAutoConfigurationTests.JWTS.expired("carol"));
        this.runner.run((context) -> withRequester(context, BEARER, (builder) -> builder, (requester) -> {
            assertAccessDenied(requester.route("whoami").metadata(expired, AUTHENTICATION), "the credentials were refused");
            StepVerifier.create(requester.route("whoami").retrieveMono(String.class))
                .expectNext("\"anonymous\"")
                .expectComplete()
                .verify(TIMEOUT);
        }));
        this.runner.run((context) -> withRequester(context, SIMPLE, (builder) -> builder, (requester) -> {
            assertAccessDenied(requester.route("whoami").metadata(new UsernamePasswordMetadata("alice", "guess"), AUTHENTICATION),
                    "the credentials were refused");
            assertAccessDenied(requester.route("audit").metadata(ALICE, AUTHENTICATION).data("\"books\""), "access denied");
            StepVerifier.create(requester.route("audit").metadata(ADMIN, AUTHENTICATION).data("\"books\"").retrieveMono(String.class))
                .expectNext("\"audited books\"")
                .expectComplete()
                .verify(TIMEOUT);
            StepVerifier.create(requester.route("whoami").retrieveMono(String.class))
                .expectNext("\"anonymous\"")
                .expectComplete()
                .verify(TIMEOUT);
        }));
    }

    @Test
    void requireAuthentication_refusesARequesterWithoutCredentials() {
        this.runner.withPropertyValues("parley.server.security.require-authentication=true")
            .run((context) -> withRequester(context, SIMPLE, (builder) -> builder, (requester) -> {
                assertAccessDenied(requester.route("whoami"), "'whoami' requires credentials; the call has none");
                StepVerifier.create(requester.route("whoami").metadata(ALICE, AUTHENTICATION).retrieveMono(String.class))
                    .expectNext("\"alice\"")
                    .expectComplete()
                    .verify(TIMEOUT);
            }));
    }

    /** Spring's requester of JSON with one of Spring Security's encoders, to the context's Parley server. */
    private static void withRequester(AssertableApplicationContext context, Encoder<?> credentials,
            UnaryOperator<RSocketRequester.Builder> setup, Consumer<RSocketRequester> calls) {
        assertThat(context).hasNotFailed();
        int port = context.getEnvironment().getRequiredProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY, Integer.class);
        RSocketRequester requester = setup.apply(RSocketRequester.builder()
            .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
            .rsocketStrategies((strategies) -> strategies.encoder(new JacksonJsonEncoder())
                .decoder(new JacksonJsonDecoder())
                .encoder(credentials)))
            .tcp("127.0.0.1", port);
        try {
            calls.accept(requester);
        }
        finally {
            requester.dispose();
        }
    }

    private static void assertAccessDenied(RSocketRequester.RetrieveSpec request, String detail) {
        StepVerifier.create(request.retrieveMono(String.class))
            .expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(ApplicationErrorException.class)
                .hasMessage("RPC_S_ACCESS_DENIED (5): " + detail))
            .verify(TIMEOUT);
    }
}
