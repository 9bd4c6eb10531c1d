package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.parley.core.CallShape;
import io.parley.core.CancelReason;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.transport.InProcessTransport;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** The live-call inspector: what {@link ParleyServer#calls()} lists, and an operator's {@link ParleyServer#abort}. */
class CallInspectorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AtomicReference<AsyncCall<String>> held = new AtomicReference<>();
    private final AtomicReference<ServerStream<Integer>> stream = new AtomicReference<>();
    private final Sinks.Empty<Void> handlerCancelled = Sinks.empty();
    private ParleyServer server;
    private ParleyClient client;

    private void start(String name) {
        server = ParleyServer.builder()
                .method(ServerMethod.<String, String>async("hold", String.class, (request, call) -> {
                    call.cancelled().subscribe(null, null, handlerCancelled::tryEmitEmpty);
                    held.set(call);
                }))
                .method(ServerMethod.<Integer, Integer>stream("count", Integer.class, (request, s) -> stream.set(s)))
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
    void listsTheCallsInFlight_andForgetsThemWhenTheyEnd() {
        start("inspector-list");
        assertThat(server.calls()).isEmpty();
        Mono<String> call = client.call("hold", "a", String.class, CallOptions.timeout(Duration.ofMinutes(1))).cache();
        call.subscribe(reply -> { }, error -> { });
        await(() -> held.get() != null);
        client.stream("count", 3, Integer.class).subscribe();
        await(() -> stream.get() != null);
        assertThat(stream.get().next(1)).isEqualTo(RpcStatus.OK);
        assertThat(stream.get().next(2)).isEqualTo(RpcStatus.OK);

        List<CallSnapshot> calls = server.calls();

        assertThat(calls).hasSize(2);
        CallSnapshot unary = calls.stream().filter(c -> c.method().equals("hold")).findFirst().orElseThrow();
        assertThat(unary.shape()).isEqualTo(CallShape.UNARY);
        assertThat(unary.state()).isEqualTo("D");
        assertThat(unary.id()).isPositive();
        assertThat(unary.callId()).isEqualTo(held.get().id());
        assertThat(unary.clientGone()).isFalse();
        assertThat(unary.cancelRequested()).isFalse();
        assertThat(unary.deadlineRemaining()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThat(unary.age().isNegative()).isFalse();
        assertThat(unary.principal()).isNull();
        CallSnapshot streamed = calls.stream().filter(c -> c.method().equals("count")).findFirst().orElseThrow();
        assertThat(streamed.shape()).isEqualTo(CallShape.SERVER_STREAM);
        assertThat(streamed.itemsSent()).isEqualTo(2);
        assertThat(streamed.deadlineRemaining()).isNull();
        assertThat(server.calls()).extracting(CallSnapshot::id).as("ids stay with their calls").containsExactlyElementsOf(
                calls.stream().map(CallSnapshot::id).toList());

        held.get().complete("done");
        stream.get().complete();
        StepVerifier.create(call).expectNext("done").expectComplete().verify(TIMEOUT);
        await(() -> server.calls().isEmpty());
    }

    @Test
    void anOperatorAbortsOneCall_withTheirCode_andItsHandlerIsTold() {
        start("inspector-abort");
        Mono<String> call = client.call("hold", "a", String.class).cache();
        call.subscribe(reply -> { }, error -> { });
        await(() -> held.get() != null);
        long id = server.calls().get(0).id();

        assertThat(server.abort(id, 0)).as("a zero code").isEqualTo(RpcStatus.INVALID_ARG);
        assertThat(server.abort(id + 1000, 4711)).as("no such call").isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(server.abort(id, 0xC0DE_0001)).isEqualTo(RpcStatus.OK);

        StepVerifier.create(call)
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(RpcFault.class);
                    assertThat(((RpcFault) e).faultCode()).isEqualTo(0xC0DE_0001);
                })
                .verify(TIMEOUT);
        StepVerifier.create(handlerCancelled.asMono()).expectComplete().verify(TIMEOUT);
        assertThat(held.get().complete("too late")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(server.abort(id, 4711)).as("an ended call").isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(server.calls()).isEmpty();
    }

    @Test
    void aCallWhoseClientLeft_isListedWhileItsHandlerRunsOn() {
        start("inspector-lingering");
        Disposable subscription = client.call("hold", "a", String.class).subscribe(reply -> { }, error -> { });
        await(() -> held.get() != null);

        subscription.dispose();
        StepVerifier.create(handlerCancelled.asMono()).expectComplete().verify(TIMEOUT);

        assertThat(server.activeCalls()).as("off the connection's books").isZero();
        List<CallSnapshot> calls = server.calls();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).clientGone()).isTrue();
        assertThat(calls.get(0).cancelReason()).isEqualTo(CancelReason.ABORTIVE);
        assertThat(calls.get(0).state()).isEqualTo("D");

        assertThat(held.get().complete("for nobody")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(server.calls()).isEmpty();
    }

    @Test
    void aGracefullyCancelledCall_showsWhy() {
        start("inspector-graceful");
        ClientCall<String> call = client.start("hold", "a", String.class);
        await(() -> held.get() != null);

        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        await(() -> held.get().testCancel() == RpcStatus.OK);

        CallSnapshot listed = server.calls().get(0);
        assertThat(listed.cancelReason()).isEqualTo(CancelReason.GRACEFUL);
        assertThat(listed.cancelRequested()).isTrue();
        assertThat(listed.clientGone()).isFalse();
        held.get().complete("wound down");
        StepVerifier.create(call.reply()).expectNext("wound down").expectComplete().verify(TIMEOUT);
    }

    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s", TIMEOUT).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
