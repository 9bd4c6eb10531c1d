package io.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import io.parley.core.Credentials;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.client.RetryPolicy;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ServerMethod;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import reactor.core.publisher.Mono;

/**
 * Each condition, property and failure message of the server and client auto-configuration.
 */
class ParleyAutoConfigurationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ParleyServerAutoConfiguration.class, ParleyClientAutoConfiguration.class))
        .withPropertyValues("parley.server.port=0", "parley.server.address=127.0.0.1");

    @Test
    void withoutServices_noServerIsStarted_butAClientIsThere() {
        this.runner.run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(ParleyServerBootstrap.class);
            assertThat(context).hasSingleBean(ParleyClient.class);
            assertThat(context.getEnvironment().getProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY)).isNull();
        });
    }

    @Test
    void parleyService_isServedOnARandomPort_whichIsPublished_andTheClientReachesIt() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(ParleyServerBootstrap.class);
            ParleyServer server = context.getBean(ParleyServerBootstrap.class).getServer();
            assertThat(server).isNotNull();
            assertThat(server.isAccepting()).isTrue();
            Integer port = context.getEnvironment().getProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY, Integer.class);
            assertThat(port).isNotNull().isPositive();
            assertThat(server.address()).endsWith(":" + port);
            assertThat(context.getBean(ParleyClient.class).call("echo", "hi", String.class).block(TIMEOUT)).isEqualTo("hi");
        });
    }

    @Test
    void websocketTransport_isServed_andTheOwnServerClientFollowsIt() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withPropertyValues("parley.server.transport=websocket")
            .run((context) -> {
                assertThat(context.getBean(ParleyClient.class).call("echo", "over websocket", String.class).block(TIMEOUT))
                    .isEqualTo("over websocket");
                assertThat(context.getBean(ParleyClient.class).toString()).contains("ws://127.0.0.1:");
            });
    }

    @Test
    void clientTransportWebsocket_appliesToHostPortTargets() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withPropertyValues("parley.server.transport=websocket")
            .run((server) -> {
                int port = server.getEnvironment().getRequiredProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY, Integer.class);
                new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(ParleyClientAutoConfiguration.class))
                    .withPropertyValues("parley.client.targets=127.0.0.1:" + port, "parley.client.transport=websocket")
                    .run((client) -> assertThat(client.getBean(ParleyClient.class)
                        .call("echo", "to another application", String.class)
                        .block(TIMEOUT)).isEqualTo("to another application"));
            });
    }

    @Test
    void contextWhoseRefreshFailsAfterTheServerStarted_freesThePort() {
        java.util.concurrent.atomic.AtomicReference<ParleyServer> started = new java.util.concurrent.atomic.AtomicReference<>();
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withBean("failsAfterParley", org.springframework.context.SmartLifecycle.class, () -> new FailingLifecycle(started))
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(started.get()).as("the Parley server had started").isNotNull();
                assertThat(started.get().isDisposed()).isTrue();
            });
    }

    /** Starts after the Parley server and fails the refresh. */
    static final class FailingLifecycle implements org.springframework.context.SmartLifecycle {

        private final java.util.concurrent.atomic.AtomicReference<ParleyServer> started;

        @org.springframework.beans.factory.annotation.Autowired
        private ParleyServerBootstrap bootstrap;

        FailingLifecycle(java.util.concurrent.atomic.AtomicReference<ParleyServer> started) {
            this.started = started;
        }

        @Override
        public void start() {
            this.started.set(this.bootstrap.getServer());
            throw new IllegalStateException("this application fails to start after Parley did");
        }

        @Override
        public void stop() {
        }

        @Override
        public boolean isRunning() {
            return false;
        }

        @Override
        public int getPhase() {
            return Integer.MAX_VALUE;
        }
    }

    @Test
    void serverMethodBean_isServed() {
        this.runner.withUserConfiguration(ServerMethodConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(ParleyServerBootstrap.class);
            assertThat(context.getBean(ParleyClient.class).call("shout", "hi", String.class).block(TIMEOUT)).isEqualTo("HI");
        });
    }

    @Test
    void serverDisabled_backsOff() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withPropertyValues("parley.server.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(ParleyServerBootstrap.class));
    }

    @Test
    void userDefinedClient_replacesTheAutoConfiguredOne() {
        this.runner.withUserConfiguration(UserClientConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(ParleyClient.class);
            assertThat(context.getBean(ParleyClient.class)).isSameAs(context.getBean(UserClientConfiguration.class).client);
        });
    }

    @Test
    void customizers_areAppliedInOrder_afterTheProperties() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class, CustomizerConfiguration.class).run((context) -> {
            assertThat(context.getBean(CustomizerConfiguration.class).applied)
                .containsExactly("server first", "server second", "client first", "client second");
            // The customizer's method is served beside the service's.
            assertThat(context.getBean(ParleyClient.class).call("added", "x", String.class).block(TIMEOUT)).isEqualTo("added x");
        });
    }

    @Test
    void gracefulTimeout_becomesTheClientsDefault_andReachesTheHandlersTestCancel() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withPropertyValues("parley.client.timeout.graceful=100ms", "parley.client.timeout.abortive=30s")
            .run((context) -> assertThat(context.getBean(ParleyClient.class).call("waitForCancel", "x", String.class)
                .block(TIMEOUT)).isEqualTo("testCancel: " + RpcStatus.OK));
    }

    @Test
    void abortiveTimeout_becomesTheClientsDefault() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withPropertyValues("parley.client.timeout.abortive=100ms")
            .run((context) -> assertThat(context.getBean(ParleyClient.class).call("waitForCancel", "x", String.class)
                .onErrorResume(RpcFault.class, (fault) -> Mono.just(fault.status().name()))
                .block(TIMEOUT)).isEqualTo(RpcStatus.TIMEOUT.name()));
    }

    @Test
    void limits_areTheServers() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withPropertyValues("parley.server.max-inbound-payload-size=16B")
            .run((context) -> {
                ParleyClient client = context.getBean(ParleyClient.class);
                assertThat(client.call("echo", "short", String.class).block(TIMEOUT)).isEqualTo("short");
                assertThat(client.call("echo", "a request well over sixteen bytes", String.class)
                    .onErrorResume(RpcFault.class, (fault) -> Mono.just(fault.status().name()))
                    .block(TIMEOUT)).isEqualTo(RpcStatus.SERVER_OUT_OF_MEMORY.name());
            });
    }

    @Test
    void portOutOfRange_failsNamingTheProperty() {
        assertInvalid("parley.server.port=70000", "parley.server.port", "expected 0 (any free port) to 65535");
    }

    @Test
    void mappingPathWithoutSlash_failsNamingTheProperty() {
        assertInvalid("parley.server.mapping-path=parley", "parley.server.mapping-path", "expected a path starting with '/'");
    }

    @Test
    void mappingPathWithoutAWebServer_failsNamingTheProperty() {
        assertInvalid("parley.server.mapping-path=/parley", "parley.server.mapping-path", "expected a reactive web application");
    }

    @Test
    void nonPositiveMaxCalls_failsNamingTheProperty() {
        assertInvalid("parley.server.max-calls-per-connection=0", "parley.server.max-calls-per-connection",
                "expected a positive number");
    }

    @Test
    void zeroPayloadSize_failsNamingTheProperty() {
        assertInvalid("parley.server.max-inbound-payload-size=0", "parley.server.max-inbound-payload-size",
                "expected more than 0 bytes");
    }

    @Test
    void sslWithoutBundle_failsNamingTheProperty() {
        assertInvalid("parley.server.ssl.enabled=true", "parley.server.ssl.bundle", "expected the name of an SSL bundle");
    }

    @Test
    void malformedTarget_failsNamingTheProperty() {
        assertInvalid("parley.client.targets=localhost:7070,no-port", "parley.client.targets[1]", "expected 'host:port'");
    }

    @Test
    void targetPortOutOfRange_failsNamingTheProperty() {
        assertInvalid("parley.client.targets=localhost:0", "parley.client.targets[0]", "with a port from 1 to 65535");
    }

    @Test
    void gracefulTimeoutNotBeforeAbortive_failsNamingTheProperty() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withPropertyValues("parley.client.timeout.graceful=5s", "parley.client.timeout.abortive=5s")
            .run((context) -> assertInvalid(context, "parley.client.timeout.graceful",
                    "expected less than parley.client.timeout.abortive (PT5S)"));
    }

    @Test
    void retryProperties_setTheClientsRetryPolicy() {
        this.runner.run((context) -> assertThat(context.getBean(ParleyClient.class).retryPolicy()).isEqualTo(RetryPolicy.DEFAULT));
        this.runner
            .withPropertyValues("parley.client.retry.max-attempts=5", "parley.client.retry.first-backoff=10ms",
                    "parley.client.retry.max-backoff=200ms")
            .run((context) -> assertThat(context.getBean(ParleyClient.class).retryPolicy())
                .isEqualTo(RetryPolicy.of(5, Duration.ofMillis(10), Duration.ofMillis(200))));
        this.runner.withPropertyValues("parley.client.retry.max-attempts=1")
            .run((context) -> assertThat(context.getBean(ParleyClient.class).retryPolicy().maxAttempts()).isEqualTo(1));
    }

    @Test
    void badRetryProperties_failNamingTheProperty() {
        this.runner.withPropertyValues("parley.client.retry.max-attempts=0")
            .run((context) -> assertInvalid(context, "parley.client.retry.max-attempts", "expected at least 1"));
        this.runner.withPropertyValues("parley.client.retry.first-backoff=0s")
            .run((context) -> assertInvalid(context, "parley.client.retry.first-backoff", "expected a positive duration"));
        this.runner.withPropertyValues("parley.client.retry.first-backoff=2s", "parley.client.retry.max-backoff=1s")
            .run((context) -> assertInvalid(context, "parley.client.retry.max-backoff",
                    "expected at least parley.client.retry.first-backoff (PT2S)"));
    }

    @Test
    void unknownTransport_failsNamingTheProperty_andTheValidValues() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withPropertyValues("parley.server.transport=udp")
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(messages(context.getStartupFailure())).contains("parley.server.transport").contains("udp");
            });
    }

    @Test
    void targets_areUsedRoundRobin() {
        this.runner.withPropertyValues("parley.client.targets=localhost:7001,ws://localhost:7002/parley")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(ParleyClient.class).toString()).contains("7001").contains("7002");
            });
    }

    // ---- credentials: the client's, and a server that requires them --------------------------------

    @Test
    void clientUsernameAndPassword_areSentForTheConnection_andTheServerSeesTheCaller() {
        this.runner.withUserConfiguration(CredentialsConfiguration.class)
            .withPropertyValues("parley.client.credentials.username=alice", "parley.client.credentials.password=secret")
            .run((context) -> assertThat(context.getBean(ParleyClient.class).call("whoami", null, String.class)
                .block(TIMEOUT)).isEqualTo("alice"));
    }

    @Test
    void clientBearerToken_isSentForTheConnection_andTheServerSeesTheCaller() {
        this.runner.withUserConfiguration(CredentialsConfiguration.class)
            .withPropertyValues("parley.client.credentials.bearer-token=" + CredentialsConfiguration.TOKEN)
            .run((context) -> assertThat(context.getBean(ParleyClient.class).call("whoami", null, String.class)
                .block(TIMEOUT)).isEqualTo("token owner"));
    }

    @Test
    void clientWithoutCredentials_callsAnonymously_unlessTheServerRequiresAuthentication() {
        this.runner.withUserConfiguration(CredentialsConfiguration.class).run((context) -> assertThat(context
            .getBean(ParleyClient.class).call("whoami", null, String.class).block(TIMEOUT)).isEqualTo("anonymous"));
        this.runner.withUserConfiguration(CredentialsConfiguration.class)
            .withPropertyValues("parley.server.security.require-authentication=true")
            .run((context) -> {
                RpcFault fault = faultOf(context.getBean(ParleyClient.class).call("whoami", null, String.class));
                assertThat(fault.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
                assertThat(fault.detail()).isEqualTo("'whoami' requires credentials; the call has none");
            });
    }

    @Test
    void requireAuthentication_letsAcceptedCredentialsThrough() {
        this.runner.withUserConfiguration(CredentialsConfiguration.class)
            .withPropertyValues("parley.server.security.require-authentication=true",
                    "parley.client.credentials.username=alice", "parley.client.credentials.password=secret")
            .run((context) -> assertThat(context.getBean(ParleyClient.class).call("whoami", null, String.class)
                .block(TIMEOUT)).isEqualTo("alice"));
    }

    @Test
    void clientWithAWrongPassword_isRefusedWithAccessDenied() {
        this.runner.withUserConfiguration(CredentialsConfiguration.class)
            .withPropertyValues("parley.client.credentials.username=alice", "parley.client.credentials.password=guess")
            .run((context) -> {
                RpcFault fault = faultOf(context.getBean(ParleyClient.class).call("whoami", null, String.class));
                assertThat(fault.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
                assertThat(fault.detail()).isEqualTo("the credentials were refused");
            });
    }

    @Test
    void emptyCredentialProperties_sendNone() {
        this.runner.withUserConfiguration(CredentialsConfiguration.class)
            .withPropertyValues("parley.client.credentials.username=", "parley.client.credentials.bearer-token=")
            .run((context) -> assertThat(context.getBean(ParleyClient.class).call("whoami", null, String.class)
                .block(TIMEOUT)).isEqualTo("anonymous"));
    }

    @Test
    void clientUsernameWithoutPassword_failsNamingTheProperty() {
        assertInvalid("parley.client.credentials.username=alice", "parley.client.credentials.password",
                "expected a password for parley.client.credentials.username 'alice'");
    }

    @Test
    void clientPasswordWithoutUsername_failsNamingTheProperty() {
        assertInvalid("parley.client.credentials.password=secret", "parley.client.credentials.username",
                "expected a username");
    }

    @Test
    void clientUsernameAndBearerToken_fail_withoutShowingTheToken() {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withPropertyValues("parley.client.credentials.username=alice", "parley.client.credentials.password=secret",
                    "parley.client.credentials.bearer-token=" + CredentialsConfiguration.TOKEN)
            .run((context) -> {
                assertInvalid(context, "parley.client.credentials.bearer-token", "not both");
                assertThat(messages(context.getStartupFailure())).doesNotContain(CredentialsConfiguration.TOKEN)
                    .doesNotContain("secret");
            });
    }

    private static RpcFault faultOf(Mono<?> reply) {
        Throwable error = catchThrowable(() -> reply.block(TIMEOUT));
        assertThat(error).isInstanceOf(RpcFault.class);
        return (RpcFault) error;
    }

    private void assertInvalid(String property, String name, String reason) {
        this.runner.withUserConfiguration(EchoServiceConfiguration.class)
            .withPropertyValues(property)
            .run((context) -> assertInvalid(context, name, reason));
    }

    private static void assertInvalid(AssertableApplicationContext context, String name, String reason) {
        assertThat(context).hasFailed();
        Throwable failure = context.getStartupFailure();
        InvalidConfigurationPropertyValueException invalid = find(failure);
        assertThat(invalid).as("an InvalidConfigurationPropertyValueException in %s", messages(failure)).isNotNull();
        assertThat(invalid.getName()).isEqualTo(name);
        assertThat(invalid.getReason()).contains(reason);
    }

    private static InvalidConfigurationPropertyValueException find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidConfigurationPropertyValueException invalid) {
                return invalid;
            }
        }
        return null;
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    @ParleyService
    static class EchoService {

        @ParleyMethod
        Mono<String> echo(String request) {
            return Mono.just(request);
        }

        @ParleyMethod
        Mono<String> waitForCancel(String request, AsyncCall<String> call) {
            return call.cancelled().then(Mono.fromSupplier(() -> "testCancel: " + call.testCancel()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class EchoServiceConfiguration {

        @Bean
        EchoService echoService() {
            return new EchoService();
        }
    }

    @ParleyService
    static class WhoAmIService {

        @ParleyMethod
        Mono<String> whoami(Principal caller) {
            return Mono.just((caller != null) ? caller.getName() : "anonymous");
        }
    }

    /** A service that names its caller, and a server that accepts alice's password and one token. */
    @Configuration(proxyBeanMethods = false)
    static class CredentialsConfiguration {

        static final String TOKEN = "token-7f3a";

        @Bean
        WhoAmIService whoAmIService() {
            return new WhoAmIService();
        }

        @Bean
        ParleyServerCustomizer authenticatorCustomizer() {
            return (builder) -> builder.authenticator((credentials) -> {
                if (credentials instanceof Credentials.Basic basic && basic.username().equals("alice")
                        && basic.password().equals("secret")) {
                    return Mono.just((Principal) () -> "alice");
                }
                if (credentials instanceof Credentials.Bearer bearer && bearer.token().equals(TOKEN)) {
                    return Mono.just((Principal) () -> "token owner");
                }
                return Mono.empty();
            });
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ServerMethodConfiguration {

        @Bean
        ServerMethod<String, String> shout() {
            return ServerMethod.mono("shout", String.class, (request) -> Mono.just(request.toUpperCase(java.util.Locale.ROOT)));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserClientConfiguration {

        final ParleyClient client = ParleyClient.builder().transport(RSocketClientTransport.tcp("127.0.0.1", 1)).build();

        @Bean
        ParleyClient myClient() {
            return this.client;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomizerConfiguration {

        final List<String> applied = new ArrayList<>();

        @Bean
        @Order(2)
        ParleyServerCustomizer secondServerCustomizer() {
            return (builder) -> this.applied.add("server second");
        }

        @Bean
        @Order(1)
        ParleyServerCustomizer firstServerCustomizer() {
            return (builder) -> {
                this.applied.add("server first");
                builder.method(ServerMethod.mono("added", String.class, (request) -> Mono.just("added " + request)));
            };
        }

        @Bean
        @Order(2)
        ParleyClientCustomizer secondClientCustomizer() {
            return (builder) -> this.applied.add("client second");
        }

        @Bean
        @Order(1)
        ParleyClientCustomizer firstClientCustomizer() {
            return (builder) -> this.applied.add("client first");
        }
    }
}
