package io.parley.core.server;

import static io.parley.core.server.CallInspectorTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.transport.InProcessTransport;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The server-wide limit on calls in flight and its wait queue. */
class AdmissionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
    private ParleyServer server;
    private ParleyClient client;

    private void start(String name, int max, int queue, Duration maxWait) {
        server = ParleyServer.builder()
                .method(ServerMethod.<String, String>async("hold", String.class, (request, call) -> held.add(call)))
                .method(ServerMethod.mono("echo", String.class, Mono::just))
                .method(ServerMethod.<String, String>mono("later", String.class, (request, call) ->
                        Mono.just(request).delayElement(Duration.ofMillis(1), Schedulers.parallel())))
                .maxCallsInFlight(max, queue, maxWait)
                .transport(InProcessTransport.server(name))
                .bindNow();
        client = ParleyClient.builder().transport(InProcessTransport.client(name)).build();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.dispose();
            server.dispose();
        }
    }

    private Mono<String> hold(String request) {
        Mono<String> call = client.call("hold", request, String.class).cache();
        call.subscribe(reply -> { }, error -> { });
        return call;
    }

    @Test
    void pastTheLimit_callsWait_andPastTheQueue_theyAreRefusedAtOnce() {
        start("admission-queue", 2, 1, Duration.ofMinutes(1));
        Mono<String> first = hold("1");
        hold("2");
        await(() -> held.size() == 2);
        assertThat(server.availableCalls()).isZero();

        Mono<String> third = hold("3");
        await(() -> server.queuedCalls() == 1);
        assertThat(held).as("the queued call's handler has not run").hasSize(2);
        assertThat(server.calls()).extracting(CallSnapshot::state).containsExactlyInAnyOrder("D", "D", "queued");

        StepVerifier.create(client.call("echo", "4", String.class))
                .expectErrorSatisfies(e -> {
                    assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
                    assertThat(e).hasMessageContaining("2 calls in flight and 1 waiting");
                })
                .verify(TIMEOUT);

        held.poll().complete("one");
        StepVerifier.create(first).expectNext("one").expectComplete().verify(TIMEOUT);
        await(() -> held.size() == 2);
        assertThat(server.queuedCalls()).isZero();
        held.forEach(call -> call.complete("x"));
        StepVerifier.create(third).expectNext("x").expectComplete().verify(TIMEOUT);
        await(() -> server.availableCalls() == 2);
    }

    @Test
    void aCallThatWaitsTooLong_isRefusedBusy() {
        start("admission-wait", 1, 4, Duration.ofMillis(50));
        hold("1");
        await(() -> held.size() == 1);

        StepVerifier.create(client.call("echo", "2", String.class))
                .expectErrorSatisfies(e -> {
                    assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
                    assertThat(e).hasMessageContaining("waited 50 ms");
                })
                .verify(TIMEOUT);
        assertThat(server.queuedCalls()).isZero();
        held.poll().complete("done");
        await(() -> server.availableCalls() == 1);
    }

    @Test
    void aQueuedCallWhoseClientLeaves_leavesTheQueue() {
        start("admission-leave", 1, 1, Duration.ofMinutes(1));
        hold("1");
        await(() -> held.size() == 1);
        Disposable waiting = client.call("echo", "2", String.class).subscribe(reply -> { }, error -> { });
        await(() -> server.queuedCalls() == 1);

        waiting.dispose();

        await(() -> server.queuedCalls() == 0);
        assertThat(server.calls()).hasSize(1);
        StepVerifier.create(client.call("echo", "3", String.class).timeout(Duration.ofMillis(200), Mono.just("queued")))
                .as("the freed queue slot takes the next call")
                .expectNext("queued")
                .expectComplete()
                .verify(TIMEOUT);
        held.poll().complete("done");
        await(() -> server.availableCalls() == 1 && server.queuedCalls() == 0);
    }

    @Test
    void anOverload_endsEveryCall_servedOrRefused_andGivesEveryPlaceBack() {
        start("admission-overload", 4, 8, Duration.ofSeconds(5));

        List<RpcStatus> outcomes = Flux.range(0, 500)
                .flatMap(i -> client.call("later", "r" + i, String.class)
                        .map(reply -> RpcStatus.OK)
                        .onErrorResume(RpcFault.class, fault -> Mono.just(fault.status())), 100)
                .collectList()
                .block(TIMEOUT);

        assertThat(outcomes).hasSize(500).containsOnly(RpcStatus.OK, RpcStatus.SERVER_TOO_BUSY).contains(RpcStatus.OK);
        assertThat(outcomes).as("100 at once on 12 places").contains(RpcStatus.SERVER_TOO_BUSY);
        await(() -> server.availableCalls() == 4 && server.queuedCalls() == 0 && server.activeCalls() == 0);
    }

    @Test
    void theLimitIsChecked() {
        ParleyServer.Builder builder = ParleyServer.builder();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.maxCallsInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: > 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.maxCallsInFlight(1, -1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.maxCallsInFlight(1, 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
