package io.parley.spring.boot.autoconfigure.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.parley.core.RpcFault;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.spring.boot.autoconfigure.ParleyServerBootstrap;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The {@code parley} Actuator endpoint over HTTP: it lists the server's calls and, when allowed,
 * aborts one; it is read-only by default, not exposed over HTTP until asked, and secured like the
 * application's other endpoints.
 */
class ParleyEndpointTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    private ParleyClient outside;
    private WebTestClient http;
    private ParleyServer server;

    @AfterEach
    void stop() {
        if (this.outside != null) {
            this.outside.dispose();
        }
        this.contexts.forEach(ConfigurableApplicationContext::close);
    }

    private ConfigurableApplicationContext start(Class<?>[] sources, String... properties) {
        List<String> all = new ArrayList<>(List.of("parley.server.port=0", "parley.server.address=127.0.0.1", "server.port=0",
                "server.address=127.0.0.1", "spring.main.banner-mode=off"));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(sources).web(WebApplicationType.REACTIVE)
            .properties(all.toArray(String[]::new))
            .run();
        this.contexts.add(context);
        int parleyPort = context.getEnvironment().getRequiredProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY, Integer.class);
        int httpPort = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        this.outside = ParleyClient.builder().transport(RSocketClientTransport.tcp("127.0.0.1", parleyPort)).build();
        this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort).responseTimeout(TIMEOUT).build();
        this.server = context.getBean(ParleyServerBootstrap.class).getServer();
        return context;
    }

    private Mono<String> hold(String request) {
        Mono<String> call = this.outside.call("hold", request, String.class).cache();
        call.subscribe((reply) -> { }, (error) -> { });
        return call;
    }

    private void awaitInFlight(int calls) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (this.server.activeCalls() != calls) {
            assertThat(System.nanoTime()).as("calls in flight: %s", this.server.activeCalls()).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void listsTheCalls_filtersThem_andAbortsOneWithAnOperatorsCode() {
        start(new Class<?>[] { ShapesApplication.class }, "management.endpoints.web.exposure.include=parley",
                "management.endpoint.parley.access=unrestricted");
        Mono<String> held = hold("kept");
        awaitInFlight(1);

        this.http.get().uri("/actuator/parley").exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.accepting").isEqualTo(true)
            .jsonPath("$.inFlight").isEqualTo(1)
            .jsonPath("$.calls.length()").isEqualTo(1)
            .jsonPath("$.calls[0].method").isEqualTo("hold")
            .jsonPath("$.calls[0].shape").isEqualTo("UNARY")
            .jsonPath("$.calls[0].state").isEqualTo("D")
            .jsonPath("$.calls[0].remoteAddress").value((address) -> assertThat(address.toString()).contains("127.0.0.1"))
            .jsonPath("$.calls[0].cancelRequested").isEqualTo(false);
        this.http.get().uri("/actuator/parley?method=echo").exchange()
            .expectStatus().isOk().expectBody().jsonPath("$.calls.length()").isEqualTo(0);
        this.http.get().uri("/actuator/parley?minAge=1h").exchange()
            .expectStatus().isOk().expectBody().jsonPath("$.calls.length()").isEqualTo(0);
        long id = this.server.calls().get(0).id();
        this.http.get().uri("/actuator/parley/" + id).exchange()
            .expectStatus().isOk().expectBody().jsonPath("$.method").isEqualTo("hold");
        this.http.get().uri("/actuator/parley/" + (id + 100)).exchange().expectStatus().isNotFound().expectBody().returnResult();

        this.http.post().uri("/actuator/parley/" + id).contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("code", 0x1234_5678)).exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.status").isEqualTo("RPC_S_OK")
            .jsonPath("$.statusCode").isEqualTo(0);

        StepVerifier.create(held)
            .expectErrorSatisfies((error) -> assertThat(((RpcFault) error).faultCode()).isEqualTo(0x1234_5678))
            .verify(TIMEOUT);
        this.http.post().uri("/actuator/parley/" + id).contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("code", 5)).exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.status").isEqualTo("RPC_S_INVALID_ASYNC_HANDLE");
    }

    @Test
    void theAbortIsNotAllowed_unlessTheEndpointsAccessIsUnrestricted() {
        start(new Class<?>[] { ShapesApplication.class }, "management.endpoints.web.exposure.include=parley");
        Mono<String> held = hold("kept");
        awaitInFlight(1);
        long id = this.server.calls().get(0).id();

        this.http.get().uri("/actuator/parley").exchange().expectStatus().isOk().expectBody().returnResult();
        this.http.post().uri("/actuator/parley/" + id).contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("code", 1818)).exchange()
            .expectStatus().is4xxClientError().expectBody().returnResult();

        assertThat(this.server.activeCalls()).isEqualTo(1);
        this.contexts.get(0).getBean(ShapesService.class).release.tryEmitEmpty();
        StepVerifier.create(held).expectNext("released kept").expectComplete().verify(TIMEOUT);
    }

    @Test
    void theEndpointIsNotExposedOverHttp_byDefault() {
        start(new Class<?>[] { ShapesApplication.class });
        this.http.get().uri("/actuator/parley").exchange().expectStatus().isNotFound().expectBody().returnResult();
    }

    @Test
    void theEndpointIsSecuredByTheApplicationsActuatorSecurity() {
        start(new Class<?>[] { ShapesApplication.class, ActuatorSecurity.class },
                "management.endpoints.web.exposure.include=parley", "management.endpoint.parley.access=unrestricted");

        this.http.get().uri("/actuator/parley").exchange().expectStatus().isUnauthorized().expectBody().returnResult();
        this.http.post().uri("/actuator/parley/1").contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("code", 1818)).exchange()
            .expectStatus().isUnauthorized().expectBody().returnResult();
        this.http.get().uri("/actuator/parley").headers((headers) -> headers.setBasicAuth("ops", "ops-secret")).exchange()
            .expectStatus().isOk().expectBody().returnResult();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableWebFluxSecurity
    static class ActuatorSecurity {

        @Bean
        SecurityWebFilterChain actuatorSecurity(ServerHttpSecurity http) {
            return http.authorizeExchange((exchanges) -> exchanges.pathMatchers("/actuator/**").hasRole("OPS").anyExchange().permitAll())
                .httpBasic(org.springframework.security.config.Customizer.withDefaults())
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .build();
        }

        @Bean
        org.springframework.security.core.userdetails.MapReactiveUserDetailsService operators() {
            return new org.springframework.security.core.userdetails.MapReactiveUserDetailsService(
                    org.springframework.security.core.userdetails.User.withUsername("ops")
                        .password("{noop}ops-secret")
                        .roles("OPS")
                        .build());
        }
    }
}
