package io.parley.test.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.parley.core.CallShape;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientStream;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.server.ServerStream;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Streams, on any transport: MS-RPC's pipes in Parley's shapes — server streams in both styles,
 * client streams, bidirectional channels and one-way calls — with the seeds' end-once semantics,
 * abortive and graceful cancels, status, flow control and the errors a caller can cause. Each
 * transport runs it by naming its fixture.
 */
public abstract class AbstractStreamCallTest extends CallTestSupport {

    /** Streams that reached "streamHold" or "fluxHold", for the test to drive. */
    protected final Queue<ServerStream<String>> heldStreams = new ConcurrentLinkedQueue<>();
    /** Channels that reached "channelHold": the server's view of the requests, and the stream. */
    protected final Queue<HeldChannel> heldChannels = new ConcurrentLinkedQueue<>();
    /** Requests that reached "oneWay". */
    protected final Queue<String> oneWays = new ConcurrentLinkedQueue<>();
    /** How many times a "fluxHold" handler's Flux was cancelled. */
    protected final AtomicInteger fluxCancels = new AtomicInteger();
    /** Items "generate" has made, in total. */
    protected final AtomicLong generated = new AtomicLong();

    /** A channel held by the server: the requests it has read, and its stream. */
    protected record HeldChannel(Queue<Object> requests, ServerStream<String> stream) {
    }

    @Override
    protected List<ServerMethod<?, ?>> methods() {
        List<ServerMethod<?, ?>> methods = new ArrayList<>(super.methods());
        methods.add(ServerMethod.flux("count", Integer.class, n -> Flux.range(0, n)));
        methods.add(ServerMethod.flux("generate", Integer.class, n -> Flux.range(0, n).doOnNext(i -> generated.incrementAndGet())));
        methods.add(ServerMethod.flux("fluxFault", Integer.class,
                code -> Flux.just("a", "b").concatWith(Flux.error(new RpcFault(code, "mid-stream")))));
        methods.add(ServerMethod.flux("fluxError", String.class,
                request -> Flux.just("a").concatWith(Flux.error(new IllegalStateException("secret server detail")))));
        methods.add(ServerMethod.stream("streamHold", String.class, (String request, ServerStream<String> stream) -> heldStreams.add(stream)));
        methods.add(ServerMethod.flux("fluxHold", String.class, (String request, ServerStream<String> stream) -> {
            heldStreams.add(stream);
            return Flux.<String>never().doOnCancel(fluxCancels::incrementAndGet);
        }));
        methods.add(ServerMethod.channel("upper", String.class, requests -> requests.map(String::toUpperCase)));
        methods.add(ServerMethod.channel("channelHold", String.class, (Flux<String> requests, ServerStream<String> stream) -> {
            Queue<Object> read = new ConcurrentLinkedQueue<>();
            requests.subscribe(read::add, error -> read.add(error), () -> read.add("<complete>"));
            heldChannels.add(new HeldChannel(read, stream));
        }));
        methods.add(ServerMethod.clientStream("sum", Integer.class, numbers -> numbers.reduce(0, Integer::sum)));
        methods.add(ServerMethod.oneWay("oneWay", String.class, request -> {
            oneWays.add(request);
            return Mono.empty();
        }));
        return methods;
    }

    private ServerStream<String> nextStream() {
        return next(heldStreams, "a stream reaching the server");
    }

    /** Starts "streamHold" through a seed-style handle whose items are collected; returns both ends. */
    private record Held(ClientStream<String> client, Queue<String> items, ServerStream<String> server) {
    }

    private Held holdStream(ParleyClient client, String method, CallOptions options) {
        ClientStream<String> handle = client.startStream(method, "x", String.class, options);
        Queue<String> items = new ConcurrentLinkedQueue<>();
        track(handle.items().subscribe(items::add, error -> { }));
        return new Held(handle, items, nextStream());
    }

    // ---- shapes --------------------------------------------------------------------------------

    @Test
    void serverStream_fluxHandler_deliversItemsInOrderThenCompletes() {
        ParleyClient client = client(startServer());

        StepVerifier.create(client.stream("count", 5, Integer.class))
                .expectNext(0, 1, 2, 3, 4)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void serverStream_ofNoItems_completesEmpty() {
        StepVerifier.create(client(startServer()).stream("count", 0, Integer.class))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void serverStream_seedHandler_nextThenComplete_returnOk_andTheClientReceivesEachItemThenTheEnd() {
        ParleyClient client = client(startServer());
        Sinks.Many<String> received = Sinks.many().replay().all();
        track(client.stream("streamHold", "x", String.class).subscribe(received::tryEmitNext, received::tryEmitError,
                received::tryEmitComplete));
        ServerStream<String> stream = nextStream();

        assertThat(stream.next("one")).isEqualTo(RpcStatus.OK);
        assertThat(stream.next("two")).isEqualTo(RpcStatus.OK);
        assertThat(stream.complete("last")).isEqualTo(RpcStatus.OK);

        StepVerifier.create(received.asFlux()).expectNext("one", "two", "last").expectComplete().verify(TIMEOUT);
        assertThat(stream.status()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void clientStream_sendsEveryRequest_andReceivesTheOneReply() {
        Mono<Integer> sum = client(startServer()).clientStream("sum", Flux.range(1, 100), Integer.class);

        assertThat(sum.block(TIMEOUT)).isEqualTo(5050);
    }

    @Test
    void clientStream_ofNoRequests_reachesTheHandlerAsAnEmptyFlux() {
        Mono<Integer> sum = client(startServer()).clientStream("sum", Flux.empty(), Integer.class);

        assertThat(sum.block(TIMEOUT)).isEqualTo(0);
    }

    @Test
    void channel_mapsEachRequestToAnItem() {
        StepVerifier.create(client(startServer()).channel("upper", Flux.just("a", "b", "c"), String.class))
                .expectNext("A", "B", "C")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void channel_ofManyRequests_keepsTheirOrder() {
        List<String> requests = IntStream.range(0, 1000).mapToObj(i -> "r" + i).collect(Collectors.toList());

        List<String> items = client(startServer()).channel("upper", Flux.fromIterable(requests), String.class)
                .collectList().block(TIMEOUT);

        assertThat(items).containsExactlyElementsOf(requests.stream().map(String::toUpperCase).collect(Collectors.toList()));
    }

    @Test
    void channel_ofNoRequests_completes() {
        StepVerifier.create(client(startServer()).channel("upper", Flux.empty(), String.class))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void channel_seedHandler_readsRequestsAsTheClientSendsThem_andAnswersOnItsStream() {
        ParleyClient client = client(startServer());
        Sinks.Many<String> requests = Sinks.many().unicast().onBackpressureBuffer();
        Queue<String> items = new ConcurrentLinkedQueue<>();
        track(client.channel("channelHold", requests.asFlux(), String.class).subscribe(items::add));
        requests.tryEmitNext("first");
        HeldChannel channel = next(heldChannels, "a channel reaching the server");

        await("the first request", () -> channel.requests().contains("first"));
        requests.tryEmitNext("second");
        await("the second request", () -> channel.requests().contains("second"));
        assertThat(channel.stream().next("reply")).isEqualTo(RpcStatus.OK);
        await("the item", () -> items.contains("reply"));
        requests.tryEmitComplete();
        await("the client's end of its requests", () -> channel.requests().contains("<complete>"));
        assertThat(channel.stream().testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);
        assertThat(channel.stream().complete()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void oneWay_reachesTheServer_andTheClientIsToldOnlyThatItWasSent() {
        ParleyClient client = client(startServer());

        StepVerifier.create(client.send("oneWay", "hello")).expectComplete().verify(TIMEOUT);

        assertThat(next(oneWays, "the one-way request")).isEqualTo("hello");
    }

    @Test
    void oneWay_toAnUnknownMethod_isSentAndDropped_andTheConnectionKeepsServing() {
        ParleyClient client = client(startServer());

        StepVerifier.create(client.send("noSuchMethod", "hello")).expectComplete().verify(TIMEOUT);

        assertThat(client.call("echo", "still serving", String.class).block(TIMEOUT)).isEqualTo("still serving");
    }

    // ---- the seed-style handle's return values ---------------------------------------------------

    @Test
    void completeStream_secondTime_returnsInvalidAsyncHandle_andNextAfterTheEnd_too() {
        ParleyClient client = client(startServer());
        Held held = holdStream(client, "streamHold", CallOptions.DEFAULT);

        assertThat(held.server().complete()).isEqualTo(RpcStatus.OK);
        assertThat(held.server().complete()).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(held.server().abort(5)).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(held.server().next("late")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(held.client().completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        assertThat(held.items()).isEmpty();
    }

    @Test
    void abortStream_withZero_returnsInvalidArg_andTheStreamStaysOpen() {
        ParleyClient client = client(startServer());
        Held held = holdStream(client, "streamHold", CallOptions.DEFAULT);

        assertThat(held.server().abort(0)).isEqualTo(RpcStatus.INVALID_ARG);
        assertThat(held.server().next(null)).isEqualTo(RpcStatus.INVALID_ARG);
        assertThat(held.server().next("still open")).isEqualTo(RpcStatus.OK);
        assertThat(held.server().complete()).isEqualTo(RpcStatus.OK);
        assertThat(held.client().completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        assertThat(held.items()).containsExactly("still open");
    }

    // ---- aborting mid-stream -------------------------------------------------------------------

    @Test
    void abortMidStream_deliversTheItemsSentBefore_thenTheExactFaultCode() {
        ParleyClient client = client(startServer());
        Held held = holdStream(client, "streamHold", CallOptions.DEFAULT);

        held.server().next("a");
        held.server().next("b");
        assertThat(held.server().abort(0xFFFFFFFF)).isEqualTo(RpcStatus.OK);

        assertThat(held.client().completion().block(TIMEOUT).value()).isEqualTo(0xFFFFFFFF);
        assertThat(held.items()).containsExactly("a", "b");
        assertThat(held.client().received()).isEqualTo(2);
    }

    @Test
    void fluxHandlerError_withAFault_keepsItsCode_afterTheItemsBefore() {
        StepVerifier.create(client(startServer()).stream("fluxFault", 0x80070005, String.class))
                .expectNext("a", "b")
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).faultCode()).isEqualTo(0x80070005))
                .verify(TIMEOUT);
    }

    @Test
    void fluxHandlerError_unexpected_endsWithCallFailed_andSendsNoDetail() {
        StepVerifier.create(client(startServer()).stream("fluxError", "x", String.class))
                .expectNext("a")
                .expectErrorSatisfies(e -> {
                    assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.CALL_FAILED);
                    assertThat(e.getMessage()).doesNotContain("secret");
                })
                .verify(TIMEOUT);
    }

    // ---- cancels -------------------------------------------------------------------------------

    @Test
    void abortiveCancel_disposingTheFlux_turnsTestCancelOk_andCancelsTheHandlersFlux() {
        ParleyClient client = client(startServer());
        Disposable subscription = client.stream("fluxHold", "x", String.class).subscribe();
        ServerStream<String> stream = nextStream();
        assertThat(stream.testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);

        subscription.dispose();

        awaitCancel(stream);
        await("the handler's Flux cancelled", () -> fluxCancels.get() == 1);
        assertThat(stream.next("dropped")).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void abortiveCancel_ofASeedStream_sendsNothingMore_andTheServerMustStillEndIt() {
        ParleyClient client = client(startServer());
        Held held = holdStream(client, "streamHold", CallOptions.DEFAULT);
        held.server().next("before");
        await("the first item", () -> held.items().size() == 1);

        assertThat(held.client().cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.OK);

        awaitCancel(held.server());
        assertThat(held.client().status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(held.server().next("after")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(held.server().complete()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(held.server().status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(held.items()).containsExactly("before");
    }

    @Test
    void gracefulCancel_tellsTheServer_andTheClientStillReceivesTheLastItem() {
        ParleyClient client = client(startServer());
        Held held = holdStream(client, "streamHold", CallOptions.DEFAULT);
        held.server().next("working");

        assertThat(held.client().cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        awaitCancel(held.server());
        assertThat(held.client().status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(held.server().next("summary")).isEqualTo(RpcStatus.OK);
        assertThat(held.server().complete()).isEqualTo(RpcStatus.OK);

        assertThat(held.client().completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        assertThat(held.items()).containsExactly("working", "summary");
        assertThat(held.client().complete()).isEqualTo(RpcStatus.OK);
        assertThat(held.client().complete()).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
    }

    @Test
    void gracefulCancel_ofAFluxHandler_letsItFinishWithASummary() {
        ParleyServer server = startServer(builder -> builder.method(ServerMethod.flux("ticker", String.class,
                (String request, ServerStream<String> stream) -> Flux.interval(Duration.ofMillis(5))
                        .map(i -> "tick")
                        .takeUntilOther(stream.cancelled())
                        .concatWith(Mono.just("summary")))));
        ClientStream<String> handle = client(server).startStream("ticker", "x", String.class);
        Queue<String> items = new ConcurrentLinkedQueue<>();
        track(handle.items().subscribe(items::add));
        await("a tick", () -> !items.isEmpty());

        handle.cancel(CancelMode.GRACEFUL);

        assertThat(handle.completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        assertThat(items).last().isEqualTo("summary");
    }

    @Test
    void twoStageTimeout_appliesToStreams_gracefulFirstThenAbortive() {
        ParleyClient client = client(startServer());
        // The abortive bound is far enough after the graceful one for the pending status to be seen on a busy machine.
        Held held = holdStream(client, "streamHold", CallOptions.timeout(Duration.ofMillis(100), Duration.ofSeconds(3)));

        awaitCancel(held.server());
        assertThat(held.client().status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);

        assertThat(held.client().completion().block(TIMEOUT)).isEqualTo(RpcStatus.TIMEOUT);
        assertThat(held.server().complete()).isIn(RpcStatus.CALL_CANCELLED, RpcStatus.OK);
    }

    @Test
    void connectionLoss_midStream_endsTheClientsStream_andTheServerSeesTheCancel() {
        ParleyClient client = client(startServer());
        Held held = holdStream(client, "streamHold", CallOptions.DEFAULT);
        held.server().next("before");

        client.dispose();

        assertThat(held.client().completion().block(TIMEOUT)).isEqualTo(RpcStatus.COMM_FAILURE);
        awaitCancel(held.server());
        assertThat(held.server().next("after")).isEqualTo(RpcStatus.CALL_CANCELLED);
        held.server().complete();
        // RSocket reports the stream's cancel before the connection's end; in-process the end comes first.
        assertThat(held.server().status()).isIn(RpcStatus.COMM_FAILURE, RpcStatus.CALL_CANCELLED);
    }

    // ---- status --------------------------------------------------------------------------------

    @Test
    void status_isPendingWhileOpen_thenTheOutcome_andCountsTheItemsReceived() {
        ParleyClient client = client(startServer());
        Held held = holdStream(client, "streamHold", CallOptions.DEFAULT);

        assertThat(held.client().status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(held.client().complete()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        held.server().next("1");
        held.server().next("2");
        held.server().next("3");
        await("three items", () -> held.client().received() == 3);
        assertThat(held.client().status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(held.server().status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);

        held.server().abort(1234);

        assertThat(held.client().completion().block(TIMEOUT).value()).isEqualTo(1234);
        assertThat(held.client().complete()).isEqualTo(RpcStatus.of(1234));
        assertThat(held.server().status()).isEqualTo(RpcStatus.of(1234));
    }

    // ---- flow control --------------------------------------------------------------------------

    @Test
    void demand_isTheClients_andReadableOnTheServer() {
        ParleyClient client = client(startServer());
        Queue<String> items = new ConcurrentLinkedQueue<>();
        List<org.reactivestreams.Subscription> subscription = new ArrayList<>();
        client.stream("streamHold", "x", String.class).subscribe(new reactor.core.publisher.BaseSubscriber<String>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                subscription.add(s);
                s.request(2);
            }

            @Override
            protected void hookOnNext(String value) {
                items.add(value);
            }
        });
        ServerStream<String> stream = nextStream();
        await("the client's demand of 2", () -> stream.demand() == 2);

        stream.next("a");
        stream.next("b");
        assertThat(stream.demand()).isZero();
        stream.next("held");
        await("two items", () -> items.size() == 2);
        assertThat(items).containsExactly("a", "b");

        subscription.get(0).request(5);
        await("the held item", () -> items.size() == 3);
        await("the rest of the demand", () -> stream.demand() == 4);
        subscription.get(0).cancel();
    }

    @Test
    void pushingBeyondDemandAndTheBuffer_abortsWithOutOfResources_afterTheItemsHeld() {
        ParleyClient client = client(startServer());
        Recording recording = new Recording(1);
        client.stream("streamHold", "x", String.class).subscribe(recording);
        ServerStream<String> stream = nextStream();
        await("the client's demand of 1", () -> stream.demand() == 1);

        for (int i = 0; i <= ServerStream.BUFFER; i++) {
            assertThat(stream.next(Integer.toString(i))).isEqualTo(RpcStatus.OK);
        }
        assertThat(stream.next("one too many")).isEqualTo(RpcStatus.OUT_OF_RESOURCES);
        assertThat(stream.next("after")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        await("the first item", () -> recording.items.size() == 1);

        recording.request(Long.MAX_VALUE);

        await("the stream's end", () -> recording.error != null);
        assertThat(recording.items).hasSize(ServerStream.BUFFER + 1);
        assertThat(((RpcFault) recording.error).status()).isEqualTo(RpcStatus.OUT_OF_RESOURCES);
    }

    /** A subscriber that asks for a given number of items first, and records what it gets. */
    private static final class Recording extends reactor.core.publisher.BaseSubscriber<String> {

        final Queue<String> items = new ConcurrentLinkedQueue<>();
        volatile Throwable error;
        private final long initial;

        Recording(long initial) {
            this.initial = initial;
        }

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
            subscription.request(initial);
        }

        @Override
        protected void hookOnNext(String value) {
            items.add(value);
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            error = throwable;
        }
    }

    @Test
    void slowConsumer_ofAFastStream_makesTheServerProduceOnlyWhatItAsksFor() {
        ParleyClient client = client(startServer());

        StepVerifier.create(client.stream("generate", 1_000_000, Integer.class), 10)
                .expectNextCount(10)
                .then(() -> assertThat(generated.get()).isEqualTo(10))
                .thenRequest(90)
                .expectNextCount(90)
                .then(() -> assertThat(generated.get()).isEqualTo(100))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void itemsSentFromManyThreads_eachReachTheClientOnce() throws InterruptedException {
        ParleyClient client = client(startServer());
        Held held = holdStream(client, "streamHold", CallOptions.DEFAULT);
        int threads = 4;
        int each = 50;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int base = t * each;
            Schedulers.boundedElastic().schedule(() -> {
                for (int i = 0; i < each; i++) {
                    held.server().next(Integer.toString(base + i));
                }
                done.countDown();
            });
        }
        assertThat(done.await(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();
        held.server().complete();

        assertThat(held.client().completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        assertThat(held.items()).hasSize(threads * each)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, threads * each).mapToObj(Integer::toString)
                        .collect(Collectors.toList()));
    }

    // ---- errors a caller can cause -------------------------------------------------------------

    @Test
    void streamMethod_calledAsUnary_endsWithInvalidAsyncCall_namingBothShapes() {
        ParleyClient client = client(startServer());

        RpcFault fault = faultOf(client.call("count", 3, Integer.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.INVALID_ASYNC_CALL);
        assertThat(fault.getMessage()).contains(CallShape.SERVER_STREAM.description(), "request-response");
        assertThat(client.call("echo", "still serving", String.class).block(TIMEOUT)).isEqualTo("still serving");
    }

    @Test
    void unaryMethod_calledAsAStream_endsWithInvalidAsyncCall_namingBothShapes() {
        ParleyClient client = client(startServer());

        StepVerifier.create(client.stream("echo", "x", String.class))
                .expectErrorSatisfies(e -> {
                    assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.INVALID_ASYNC_CALL);
                    assertThat(e.getMessage()).contains(CallShape.UNARY.description(), "request-stream");
                })
                .verify(TIMEOUT);
        StepVerifier.create(client.channel("count", Flux.just(1), Integer.class))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.INVALID_ASYNC_CALL))
                .verify(TIMEOUT);
    }

    @Test
    void unknownStreamMethod_endsWithProcnumOutOfRange() {
        StepVerifier.create(client(startServer()).stream("noSuchMethod", "x", String.class))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.PROCNUM_OUT_OF_RANGE))
                .verify(TIMEOUT);
    }

    @Test
    void undecodableRequest_onAChannel_endsThatCall_notTheConnection() {
        ParleyClient client = client(startServer());

        StepVerifier.create(client.clientStream("sum", Flux.just(1, 2, "not a number", 4), Integer.class))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.BAD_STUB_DATA))
                .verify(TIMEOUT);
        assertThat(client.clientStream("sum", Flux.just(1, 2), Integer.class).block(TIMEOUT)).isEqualTo(3);
    }

    @Test
    void failingRequests_onAChannel_endTheCallWithCallFailed_andCancelIt() {
        ParleyClient client = client(startServer());
        Sinks.Many<String> requests = Sinks.many().unicast().onBackpressureBuffer();
        Sinks.Many<String> items = Sinks.many().replay().all();
        track(client.channel("channelHold", requests.asFlux(), String.class).subscribe(items::tryEmitNext,
                items::tryEmitError, items::tryEmitComplete));
        requests.tryEmitNext("first");
        HeldChannel channel = next(heldChannels, "a channel reaching the server");

        requests.tryEmitError(new IllegalStateException("the client's own failure"));

        StepVerifier.create(items.asFlux())
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.CALL_FAILED))
                .verify(TIMEOUT);
        awaitCancel(channel.stream());
    }

    @Test
    void streams_countAgainstMaxCallsPerConnection() {
        ParleyServer server = startServer(builder -> builder.maxCallsPerConnection(1));
        ParleyClient client = client(server);
        Held held = holdStream(client, "streamHold", CallOptions.DEFAULT);

        StepVerifier.create(client.stream("count", 1, Integer.class))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY))
                .verify(TIMEOUT);
        held.server().complete();
        assertThat(held.client().completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
    }
}
