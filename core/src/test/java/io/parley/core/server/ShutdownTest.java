package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.transport.InProcessTransport;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * A graceful shutdown: new calls are refused at once, calls in flight may end within the grace
 * period, and those still running then end with {@code RPC_S_SERVER_UNAVAILABLE}.
 */
class ShutdownTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Sinks.Empty<Void> release = Sinks.empty();
    private final AtomicReference<AsyncCall<String>> held = new AtomicReference<>();
    private final Sinks.Empty<Void> handlerCancelled = Sinks.empty();
    private ParleyServer server;
    private ParleyClient client;

    private void start(String name) {
        server = ParleyServer.builder()
                .method(ServerMethod.mono("echo", String.class, Mono::just))
                .method(ServerMethod.<String, String>mono("hold", String.class, (request, call) -> {
                    held.set(call);
                    call.cancelled().subscribe(null, null, handlerCancelled::tryEmitEmpty);
                    return release.asMono().thenReturn(request);
                }))
                .method(ServerMethod.<String, String>mono("answerCancel", String.class, (request, call) ->
                        call.cancelled().thenReturn("answered the cancel")))
                .transport(InProcessTransport.server(name))
                .bindNow();
        client = ParleyClient.builder().transport(InProcessTransport.client(name)).build();
    }

    @AfterEach
    void stop() {
        client.dispose();
        server.dispose();
    }

    @Test
    void idleServer_shutsDownAtOnce() {
        start("shutdown-idle");
        assertThat(server.isAccepting()).isTrue();

        StepVerifier.create(server.shutdown(Duration.ofMinutes(1))).expectComplete().verify(TIMEOUT);

        assertThat(server.isDisposed()).isTrue();
        assertThat(server.isAccepting()).isFalse();
    }

    @Test
    void callInFlight_endsNormally_withinTheGracePeriod_whileNewCallsAreRefused() {
        start("shutdown-graceful");
        Mono<String> inFlight = client.call("hold", "kept", String.class).cache();
        inFlight.subscribe(reply -> { }, error -> { });
        awaitActive(1);

        Mono<Void> shutdown = server.shutdown(Duration.ofMinutes(1)).cache();
        shutdown.subscribe();

        assertThat(server.isShuttingDown()).isTrue();
        assertThat(server.isAccepting()).isFalse();
        StepVerifier.create(client.call("echo", "late", String.class))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE))
                .verify(TIMEOUT);
        assertThat(server.isDisposed()).as("waits for the call in flight").isFalse();

        release.tryEmitEmpty();

        StepVerifier.create(inFlight).expectNext("kept").expectComplete().verify(TIMEOUT);
        StepVerifier.create(shutdown).expectComplete().verify(TIMEOUT);
        assertThat(server.isDisposed()).isTrue();
    }

    @Test
    void callStillRunning_afterTheGracePeriod_endsServerUnavailable_andItsHandlerIsTold() {
        start("shutdown-abort");
        Mono<String> inFlight = client.call("hold", "x", String.class).cache();
        inFlight.subscribe(reply -> { }, error -> { });
        awaitActive(1);

        StepVerifier.create(server.shutdown(Duration.ofMillis(50))).expectComplete().verify(TIMEOUT);

        StepVerifier.create(inFlight)
                .expectErrorSatisfies(e -> {
                    assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
                    assertThat(e).hasMessageContaining("shut down");
                })
                .verify(TIMEOUT);
        StepVerifier.create(handlerCancelled.asMono()).expectComplete().verify(TIMEOUT);
        assertThat(held.get().testCancel()).isEqualTo(RpcStatus.INVALID_BINDING);
        assertThat(held.get().complete("too late")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void handlerThatAnswersItsCancel_cannotOvertakeTheShutdownFault() {
        start("shutdown-answer");
        Mono<String> inFlight = client.call("answerCancel", "x", String.class).cache();
        inFlight.subscribe(reply -> { }, error -> { });
        awaitActive(1);

        StepVerifier.create(server.shutdown(Duration.ZERO)).expectComplete().verify(TIMEOUT);

        StepVerifier.create(inFlight)
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE))
                .verify(TIMEOUT);
    }

    @Test
    void secondShutdown_joinsTheFirst() {
        start("shutdown-twice");
        client.call("hold", "x", String.class).subscribe(reply -> { }, error -> { });
        awaitActive(1);

        Mono<Void> first = server.shutdown(Duration.ofMinutes(1));
        first.subscribe();
        Mono<Void> second = server.shutdown(Duration.ZERO);
        release.tryEmitEmpty();

        StepVerifier.create(second).expectComplete().verify(TIMEOUT);
        StepVerifier.create(first).expectComplete().verify(TIMEOUT);
    }

    @Test
    void negativeGrace_isRefused() {
        start("shutdown-negative");

        assertThatThrownBy(() -> server.shutdown(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("grace: PT-1S (expected: zero or more)");
    }

    private void awaitActive(int calls) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (server.activeCalls() != calls) {
            assertThat(System.nanoTime()).as("calls in flight: %s, waiting for %s", server.activeCalls(), calls).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
