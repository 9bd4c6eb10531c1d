package io.parley.core.server;

import static io.parley.core.server.CallInspectorTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.parley.core.CancelReason;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.transport.InProcessTransport;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** What a cancel costs the server: who ended the cancelled call and when, and what was dropped. */
class CancelCostTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    record Ended(String method, CancelReason reason, long nanos, CancelCostListener.Ending ending) {
    }

    private final List<Ended> ended = new CopyOnWriteArrayList<>();
    private final List<String> dropped = new CopyOnWriteArrayList<>();
    private final AtomicReference<AsyncCall<String>> held = new AtomicReference<>();
    private final AtomicReference<ServerStream<Integer>> stream = new AtomicReference<>();
    private final Sinks.Empty<Void> monoCancelled = Sinks.empty();
    private final Sinks.Empty<Void> monoSubscribed = Sinks.empty();
    private ParleyServer server;
    private ParleyClient client;

    private void start(String name, Duration grace) {
        server = ParleyServer.builder()
                .method(ServerMethod.<String, String>async("hold", String.class, (request, call) -> held.set(call)))
                .method(ServerMethod.<String, String>mono("reactive", String.class, (request, call) ->
                        Mono.<String>never().doOnSubscribe(s -> monoSubscribed.tryEmitEmpty()).doOnCancel(monoCancelled::tryEmitEmpty)))
                .method(ServerMethod.<String, String>mono("answersCancel", String.class, (request, call) ->
                        call.cancelled().thenReturn("stopped")))
                .method(ServerMethod.<Integer, Integer>stream("count", Integer.class, (request, s) -> stream.set(s)))
                .method(ServerMethod.mono("echo", String.class, Mono::just))
                .cancelGrace(grace)
                .cancelCosts(new CancelCostListener() {
                    @Override
                    public void ended(ServerCallInfo call, CancelReason reason, long nanosAfterCancel, Ending ending) {
                        ended.add(new Ended(call.method(), reason, nanosAfterCancel, ending));
                    }

                    @Override
                    public void dropped(ServerCallInfo call) {
                        dropped.add(call.method());
                    }
                })
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
    void aSeedStyleHandlerThatEndsAfterAnAbortiveCancel_isTimed_andItsReplyDropped() {
        start("cost-abortive", Duration.ofMinutes(1));
        Disposable call = client.call("hold", "a", String.class).subscribe(reply -> { }, error -> { });
        await(() -> held.get() != null);

        call.dispose();
        await(() -> held.get().testCancel() == RpcStatus.OK);
        assertThat(ended).isEmpty();
        assertThat(held.get().complete("late")).isEqualTo(RpcStatus.CALL_CANCELLED);

        assertThat(ended).singleElement().satisfies(e -> {
            assertThat(e.method()).isEqualTo("hold");
            assertThat(e.reason()).isEqualTo(CancelReason.ABORTIVE);
            assertThat(e.ending()).isEqualTo(CancelCostListener.Ending.HANDLER);
            assertThat(e.nanos()).isPositive();
        });
        assertThat(dropped).containsExactly("hold");
        assertThat(server.droppedReplies()).isEqualTo(1);
    }

    @Test
    void aReactiveHandlerIsStoppedByTheCancelSignal() {
        start("cost-signal", Duration.ofMinutes(1));
        Disposable call = client.call("reactive", "a", String.class).subscribe(reply -> { }, error -> { });
        StepVerifier.create(monoSubscribed.asMono()).expectComplete().verify(TIMEOUT);

        call.dispose();

        StepVerifier.create(monoCancelled.asMono()).expectComplete().verify(TIMEOUT);
        await(() -> !ended.isEmpty());
        assertThat(ended).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(CancelReason.ABORTIVE);
            assertThat(e.ending()).isEqualTo(CancelCostListener.Ending.CANCEL_SIGNAL);
        });
        assertThat(server.calls()).as("nothing runs on").isEmpty();
    }

    @Test
    void aHandlerThatAnswersAGracefulCancel_isTimed() {
        start("cost-graceful", Duration.ofMinutes(1));
        ClientCall<String> call = client.start("answersCancel", "a", String.class);
        await(() -> server.activeCalls() == 1);

        call.cancel(CancelMode.GRACEFUL);

        StepVerifier.create(call.reply()).expectNext("stopped").expectComplete().verify(TIMEOUT);
        assertThat(ended).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(CancelReason.GRACEFUL);
            assertThat(e.ending()).isEqualTo(CancelCostListener.Ending.HANDLER);
        });
        assertThat(dropped).isEmpty();
    }

    @Test
    void aHandlerThatIgnoresTheCancel_isEndedByTheServer_whenTheGraceRunsOut() {
        start("cost-grace", Duration.ofMillis(50));
        ClientCall<String> call = client.start("hold", "a", String.class);
        await(() -> held.get() != null);

        call.cancel(CancelMode.GRACEFUL);

        StepVerifier.create(call.reply())
                .expectErrorSatisfies(e -> {
                    assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.CALL_CANCELLED);
                    assertThat(e).hasMessageContaining("did not end the call within 50 ms of its cancel");
                })
                .verify(TIMEOUT);
        assertThat(ended).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(CancelReason.GRACEFUL);
            assertThat(e.ending()).isEqualTo(CancelCostListener.Ending.SERVER);
            assertThat(e.nanos()).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
        });
        assertThat(held.get().complete("too late")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(server.calls()).isEmpty();
    }

    @Test
    void aHandlerWhoseClientLeft_isEndedByTheServer_whenTheGraceRunsOut() {
        start("cost-grace-abandoned", Duration.ofMillis(50));
        Disposable call = client.call("hold", "a", String.class).subscribe(reply -> { }, error -> { });
        await(() -> held.get() != null);

        call.dispose();

        await(() -> !ended.isEmpty());
        assertThat(ended).singleElement().satisfies(e -> assertThat(e.ending()).isEqualTo(CancelCostListener.Ending.SERVER));
        await(() -> server.calls().isEmpty());
        assertThat(held.get().complete("too late")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
    }

    @Test
    void streamItemsProducedAfterTheClientLeft_areCountedAsDropped() {
        start("cost-stream", Duration.ofMinutes(1));
        Disposable call = client.stream("count", 3, Integer.class).subscribe();
        await(() -> stream.get() != null);
        assertThat(stream.get().next(1)).isEqualTo(RpcStatus.OK);

        call.dispose();
        await(() -> stream.get().next(2) == RpcStatus.CALL_CANCELLED);
        assertThat(stream.get().next(3)).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(stream.get().complete()).isEqualTo(RpcStatus.CALL_CANCELLED);

        assertThat(dropped).containsExactly("count", "count");
        assertThat(ended).singleElement().satisfies(e -> assertThat(e.ending()).isEqualTo(CancelCostListener.Ending.HANDLER));
    }

    @Test
    void callsNobodyCancelled_costNothing() {
        start("cost-none", Duration.ofMinutes(1));
        StepVerifier.create(client.call("echo", "a", String.class)).expectNext("a").expectComplete().verify(TIMEOUT);
        assertThat(ended).isEmpty();
        assertThat(dropped).isEmpty();
    }
}
