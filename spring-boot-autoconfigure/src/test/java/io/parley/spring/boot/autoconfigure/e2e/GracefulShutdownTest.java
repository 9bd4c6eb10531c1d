package io.parley.spring.boot.autoconfigure.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.spring.boot.autoconfigure.ParleyServerBootstrap;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * On context close the server stops taking calls, lets those in flight finish within
 * {@code spring.lifecycle.timeout-per-shutdown-phase}, then aborts the rest with
 * {@code RPC_S_SERVER_UNAVAILABLE}. The calls come from a client outside the context, which
 * closes with it.
 */
class GracefulShutdownTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private ParleyClient outside;

    @AfterEach
    void disposeClient() {
        if (this.outside != null) {
            this.outside.dispose();
        }
    }

    private ConfigurableApplicationContext start(String phaseTimeout) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ShapesApplication.class)
            .web(WebApplicationType.NONE)
            .properties("parley.server.port=0", "parley.server.address=127.0.0.1",
                    "spring.lifecycle.timeout-per-shutdown-phase=" + phaseTimeout, "spring.main.banner-mode=off")
            .run();
        int port = context.getEnvironment().getRequiredProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY, Integer.class);
        this.outside = ParleyClient.builder().transport(RSocketClientTransport.tcp("127.0.0.1", port)).build();
        return context;
    }

    @Test
    void callInFlight_finishesWithinTheShutdownPhase_whileNewCallsAreRefused() throws Exception {
        ConfigurableApplicationContext context = start("30s");
        ShapesService service = context.getBean(ShapesService.class);
        ParleyServer server = context.getBean(ParleyServerBootstrap.class).getServer();
        Mono<String> inFlight = this.outside.call("hold", "kept", String.class).cache();
        inFlight.subscribe((reply) -> { }, (error) -> { });
        awaitInFlight(server, 1);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
        awaitShuttingDown(server);

        StepVerifier.create(this.outside.call("place", new Order("late", 1), Receipt.class))
            .expectErrorSatisfies((error) -> assertThat(((RpcFault) error).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE))
            .verify(TIMEOUT);
        assertThat(closing).isNotDone();

        service.release.tryEmitEmpty();

        StepVerifier.create(inFlight).expectNext("released kept").expectComplete().verify(TIMEOUT);
        closing.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(server.isDisposed()).isTrue();
    }

    @Test
    void callStillRunning_whenThePhaseEnds_isAbortedServerUnavailable() throws Exception {
        ConfigurableApplicationContext context = start("1s");
        ParleyServer server = context.getBean(ParleyServerBootstrap.class).getServer();
        Mono<String> inFlight = this.outside.call("hold", "never released", String.class).cache();
        inFlight.subscribe((reply) -> { }, (error) -> { });
        awaitInFlight(server, 1);

        context.close();

        StepVerifier.create(inFlight)
            .expectErrorSatisfies((error) -> {
                assertThat(((RpcFault) error).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
                assertThat(error).hasMessageContaining("shut down before the call ended");
            })
            .verify(TIMEOUT);
        assertThat(server.isDisposed()).isTrue();
    }

    private static void awaitInFlight(ParleyServer server, int calls) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (server.activeCalls() != calls) {
            assertThat(System.nanoTime()).as("calls in flight: %s", server.activeCalls()).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static void awaitShuttingDown(ParleyServer server) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!server.isShuttingDown()) {
            assertThat(System.nanoTime()).as("shutting down").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
