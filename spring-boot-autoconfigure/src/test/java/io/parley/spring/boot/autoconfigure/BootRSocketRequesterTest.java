package io.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.rsocket.autoconfigure.RSocketRequesterAutoConfiguration;
import org.springframework.boot.rsocket.autoconfigure.RSocketStrategiesAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.rsocket.RSocketRequester;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.CborCodec;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import io.rsocket.exceptions.ApplicationErrorException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.dataformat.cbor.CBORMapper;

/**
 * The {@link RSocketRequester.Builder} that Spring Boot auto-configures, which speaks CBOR unless
 * told otherwise, calls the application's Parley server as it is: no codec configured on either
 * side. The server's CBOR codec is the application's {@link CBORMapper}.
 */
class BootRSocketRequesterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, RSocketStrategiesAutoConfiguration.class,
                RSocketRequesterAutoConfiguration.class, ParleyServerAutoConfiguration.class))
        .withUserConfiguration(GreetingService.class)
        .withPropertyValues("parley.server.port=0", "parley.server.address=127.0.0.1");

    @Test
    void bootsRequester_speaksCborByDefault_andCallsAMethodWithARecord() {
        this.runner.run((context) -> withRequester(context, (requester) -> {
            assertThat(requester.dataMimeType().toString()).isEqualTo(CborCodec.MIME_TYPE);
            StepVerifier.create(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class))
                .expectNext(new Reply("Hello, Ada", 3))
                .expectComplete()
                .verify(TIMEOUT);
        }));
    }

    @Test
    void bootsRequester_readsAFaultAsApplicationErrorText() {
        this.runner.run((context) -> withRequester(context, (requester) -> StepVerifier
            .create(requester.route("deny").data(new Greeting("Eve")).retrieveMono(Reply.class))
            .expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(ApplicationErrorException.class)
                .hasMessage("RPC_S_ACCESS_DENIED (5): not on the guest list"))
            .verify(TIMEOUT)));
    }

    @Test
    void bootsRequester_receivesAServerStream() {
        this.runner.run((context) -> withRequester(context, (requester) -> StepVerifier
            .create(requester.route("count").data(new Greeting("Ada")).retrieveFlux(Reply.class))
            .expectNext(new Reply("Ada 0", 0), new Reply("Ada 1", 1), new Reply("Ada 2", 2))
            .expectComplete()
            .verify(TIMEOUT)));
    }

    @Test
    void serversCborCodec_isTheApplicationsCborMapper() {
        this.runner.withUserConfiguration(SnakeCaseCborConfiguration.class)
            .run((context) -> withRequester(context, (requester) -> StepVerifier
                .create(requester.route("greet").data(Map.of("name", "Ada")).retrieveMono(Map.class))
                .expectNext(Map.of("text", "Hello, Ada", "name_length", 3))
                .expectComplete()
                .verify(TIMEOUT)));
    }

    /** Calls the context's Parley server with a requester from the builder Boot gives the application, unchanged. */
    private static void withRequester(AssertableApplicationContext context, Consumer<RSocketRequester> calls) {
        assertThat(context).hasNotFailed();
        int port = context.getEnvironment().getRequiredProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY, Integer.class);
        RSocketRequester requester = context.getBean(RSocketRequester.Builder.class).tcp("127.0.0.1", port);
        try {
            calls.accept(requester);
        }
        finally {
            requester.dispose();
        }
    }

    record Greeting(String name) {
    }

    record Reply(String text, int nameLength) {
    }

    @ParleyService
    static class GreetingService {

        @ParleyMethod
        Mono<Reply> greet(Greeting greeting) {
            return Mono.just(new Reply("Hello, " + greeting.name(), greeting.name().length()));
        }

        @ParleyMethod
        Mono<Reply> deny(Greeting greeting) {
            return Mono.error(new RpcFault(RpcStatus.ACCESS_DENIED, "not on the guest list"));
        }

        @ParleyMethod
        Flux<Reply> count(Greeting greeting) {
            return Flux.range(0, 3).map((i) -> new Reply(greeting.name() + " " + i, i));
        }
    }

    /** An application's own CBOR mapper, which Boot's JacksonAutoConfiguration then leaves alone. */
    @Configuration(proxyBeanMethods = false)
    static class SnakeCaseCborConfiguration {

        @Bean
        CBORMapper cborMapper() {
            return CBORMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
        }
    }
}
