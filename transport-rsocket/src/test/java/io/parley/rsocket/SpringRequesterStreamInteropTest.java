package io.parley.rsocket;

import static io.parley.rsocket.SpringInterop.TIMEOUT;
import static io.parley.rsocket.SpringInterop.assertForeignReading;
import static io.parley.rsocket.SpringInterop.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.messaging.rsocket.RSocketRequester;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.server.ServerStream;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.rsocket.SpringInterop.AbortAfter;
import io.parley.rsocket.SpringInterop.Greeting;
import io.parley.rsocket.SpringInterop.Reply;
import io.rsocket.exceptions.ApplicationErrorException;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Spring's {@link RSocketRequester} against Parley's streams over TCP: {@code retrieveFlux} of a
 * server stream (REQUEST_STREAM), {@code data(Flux)} + {@code retrieveFlux} of a channel and of a
 * client stream (REQUEST_CHANNEL), {@code send()} of a one-way method (REQUEST_FNF). A fault in
 * the middle of a stream reaches Spring as an {@link ApplicationErrorException} after the items
 * sent before it, and Spring disposing its subscription is a CANCEL that the handler's
 * {@code testCancel()} and {@code cancelled()} see.
 */
@ExtendWith(NettyLeakDetection.class)
class SpringRequesterStreamInteropTest {

    /**
     * The bound for five hundred requests and items, more than one prefetch of 256: with every
     * buffer tracked by the PARANOID leak detector, and BlockHound, such a run takes seconds on a
     * busy 2-core machine.
     */
    private static final Duration MANY_TIMEOUT = TIMEOUT.multipliedBy(3);

    /** Streams that reached "streamHold" or "fluxHold". Lock-free: handlers add to it on event loops. */
    private final Queue<ServerStream<Reply>> heldStreams = new ConcurrentLinkedQueue<>();
    /** Channels that reached "channelHold": what the handler has read of the requests, and its stream. */
    private final Queue<HeldChannel> heldChannels = new ConcurrentLinkedQueue<>();
    /** What the handler of "count" was asked for, each REQUEST_N as it reached the handler's Flux. */
    private final Queue<Long> countDemand = new ConcurrentLinkedQueue<>();
    /** Items "count" has made. */
    private final AtomicLong counted = new AtomicLong();
    /** Cancels of the Flux of "fluxHold" and "endless". */
    private final AtomicInteger fluxCancels = new AtomicInteger();
    /** Requests that reached "log". */
    private final Queue<Greeting> logged = new ConcurrentLinkedQueue<>();
    private final List<Disposable> resources = new ArrayList<>();

    private ParleyServer server;
    private RSocketRequester requester;

    private record HeldChannel(Queue<Object> requests, ServerStream<Reply> stream) {
    }

    /**
     * A channel Spring opened to "channelHold": Spring's requests, to emit; the items Spring
     * received, replayed; its subscription, to dispose; and the server's side.
     */
    private record OpenChannel(Sinks.Many<Greeting> requests, Flux<Reply> items, Disposable subscription, HeldChannel server) {
    }

    @BeforeEach
    void start() {
        server = ParleyServer.builder()
                .method(ServerMethod.mono("greet", Greeting.class, greeting -> Mono.just(Reply.to(greeting))))
                .method(ServerMethod.flux("count", Integer.class, n -> Flux.range(0, n)
                        .doOnRequest(countDemand::add)
                        .doOnNext(i -> counted.incrementAndGet())
                        .map(i -> new Reply("item " + i, i))))
                .method(ServerMethod.stream("abortAfter", AbortAfter.class, (AbortAfter request, ServerStream<Reply> stream) -> {
                    for (int i = 0; i < request.items(); i++) {
                        stream.next(new Reply("item " + i, i));
                    }
                    stream.abort((int) request.code());
                }))
                .method(ServerMethod.flux("denyAfter", Integer.class, n -> Flux.range(0, n)
                        .map(i -> new Reply("item " + i, i))
                        .concatWith(Mono.error(new RpcFault(RpcStatus.ACCESS_DENIED, "no more for you")))))
                .method(ServerMethod.stream("streamHold", Greeting.class,
                        (Greeting greeting, ServerStream<Reply> stream) -> heldStreams.add(stream)))
                .method(ServerMethod.flux("fluxHold", Greeting.class, (Greeting greeting, ServerStream<Reply> stream) -> {
                    heldStreams.add(stream);
                    return Flux.<Reply>never().doOnCancel(fluxCancels::incrementAndGet);
                }))
                .method(ServerMethod.flux("endless", Greeting.class, greeting -> Flux.range(0, Integer.MAX_VALUE)
                        .map(i -> new Reply(greeting.name(), i))
                        .doOnCancel(fluxCancels::incrementAndGet)))
                .method(ServerMethod.channel("greetEach", Greeting.class, greetings -> greetings.map(Reply::to)))
                .method(ServerMethod.channel("ignoreRequests", Greeting.class, greetings -> Flux.just(new Reply("ignored", 0))))
                .method(ServerMethod.channel("countRequests", Greeting.class, greetings -> greetings.count().flux()))
                .method(ServerMethod.channel("channelHold", Greeting.class, (Flux<Greeting> greetings, ServerStream<Reply> stream) -> {
                    Queue<Object> read = new ConcurrentLinkedQueue<>();
                    greetings.subscribe(read::add, read::add, () -> read.add("<complete>"));
                    heldChannels.add(new HeldChannel(read, stream));
                }))
                .method(ServerMethod.clientStream("sum", Integer.class, numbers -> numbers.reduce(0, Integer::sum)))
                .method(ServerMethod.oneWay("log", Greeting.class, greeting -> {
                    logged.add(greeting);
                    return Mono.empty();
                }))
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .bindNow();
        resources.add(server);
        requester = SpringInterop.requester(RSocketFixture.port(server));
        resources.add(requester);
    }

    @AfterEach
    void dispose() {
        SpringInterop.disposeAll(resources);
    }

    // ---- server streams: REQUEST_STREAM ------------------------------------------------------------

    @Test
    void springRetrieveFlux_ofAServerStream_receivesEachItemAsJsonInOrder_thenTheEnd() {
        StepVerifier.create(requester.route("count").data(3).retrieveFlux(Reply.class))
                .expectNext(new Reply("item 0", 0), new Reply("item 1", 1), new Reply("item 2", 2))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springRetrieveFlux_readsEachItemAsRawJson_oneJsonObjectPerPayload() {
        StepVerifier.create(requester.route("count").data(2).retrieveFlux(String.class))
                .expectNext("{\"text\":\"item 0\",\"length\":0}", "{\"text\":\"item 1\",\"length\":1}")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springRetrieveFlux_ofAnEmptyServerStream_completesEmpty() {
        StepVerifier.create(requester.route("count").data(0).retrieveFlux(Reply.class))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springRetrieveFlux_withLimitRate_sendsBatchedDemand_thatReachesTheHandlersFluxUnchanged() {
        List<Reply> items = requester.route("count").data(100).retrieveFlux(Reply.class)
                .limitRate(10)
                .collectList()
                .block(TIMEOUT);

        assertThat(items).extracting(Reply::length).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
        List<Long> demand = List.copyOf(countDemand);
        assertThat(demand).as("REQUEST_STREAM's initial n, then REQUEST_N frames").isNotEmpty();
        assertThat(demand.get(0)).isEqualTo(10L);
        assertThat(demand).allSatisfy(n -> assertThat(n).isBetween(1L, 10L));
        assertThat(demand.stream().mapToLong(Long::longValue).sum()).isGreaterThanOrEqualTo(100L);
    }

    @Test
    void springRetrieveFlux_withABoundedRequest_makesTheHandlerProduceOnlyWhatSpringAskedFor() {
        StepVerifier.create(requester.route("count").data(1_000_000).retrieveFlux(Reply.class), 10)
                .expectNextCount(10)
                .then(() -> assertThat(counted.get()).isEqualTo(10))
                .thenRequest(5)
                .expectNextCount(5)
                .then(() -> assertThat(counted.get()).isEqualTo(15))
                .thenCancel()
                .verify(TIMEOUT);
    }

    // ---- a fault in the middle of a stream ------------------------------------------------------------

    @Test
    void seedStreamAbortsMidStreamWith0x80070005_springReadsTheItemsThenTheFaultsNameAndCode() {
        List<Reply> items = new ArrayList<>();
        Throwable error = catchThrowable(() -> requester.route("abortAfter").data(new AbortAfter(2, 0x8007_0005L))
                .retrieveFlux(Reply.class)
                .doOnNext(items::add)
                .blockLast(TIMEOUT));

        assertThat(items).containsExactly(new Reply("item 0", 0), new Reply("item 1", 1));
        assertThat(error).isInstanceOf(ApplicationErrorException.class);
        assertThat(((ApplicationErrorException) error).errorCode()).isEqualTo(0x201);
        assertThat(error.getMessage()).isEqualTo("0x80070005 (2147942405)");
        assertForeignReading(error.getMessage(), "0x80070005", 0x8007_0005L, null);
        RpcFault rebuilt = FaultCodec.parse(error.getMessage());
        assertThat(rebuilt).isNotNull();
        assertThat(rebuilt.faultCode()).isEqualTo(0x8007_0005);
        assertThat(rebuilt.status().isWellKnown()).isFalse();
    }

    @Test
    void fluxHandlerFaultsMidStreamWithAccessDenied_springReadsTheItemsThenNameCodeAndDetail() {
        StepVerifier.create(requester.route("denyAfter").data(3).retrieveFlux(Reply.class))
                .expectNextCount(3)
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(ApplicationErrorException.class);
                    assertThat(((ApplicationErrorException) error).errorCode()).isEqualTo(0x201);
                    assertThat(error.getMessage()).isEqualTo("RPC_S_ACCESS_DENIED (5): no more for you");
                    assertForeignReading(error.getMessage(), "RPC_S_ACCESS_DENIED", 5L, "no more for you");
                    RpcFault rebuilt = FaultCodec.parse(error.getMessage());
                    assertThat(rebuilt.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
                    assertThat(rebuilt.detail()).isEqualTo("no more for you");
                })
                .verify(TIMEOUT);
    }

    @Test
    void seedStreamAbortsBeforeAnyItem_springReadsOnlyTheFault() {
        StepVerifier.create(requester.route("abortAfter").data(new AbortAfter(0, 0xFFFF_FFFFL)).retrieveFlux(Reply.class))
                .expectErrorSatisfies(error -> assertThat(error.getMessage()).isEqualTo("0xFFFFFFFF (4294967295)"))
                .verify(TIMEOUT);
    }

    // ---- Spring cancels: CANCEL ------------------------------------------------------------------------

    @Test
    void springDisposesRetrieveFlux_seedStreamsTestCancelTurnsOk_cancelledFires_andItsNextReturnsCallCancelled() {
        Queue<Reply> items = new ConcurrentLinkedQueue<>();
        Disposable subscription = requester.route("streamHold").data(new Greeting("Ada")).retrieveFlux(Reply.class)
                .subscribe(items::add, error -> { });
        resources.add(subscription);
        ServerStream<Reply> stream = CallTestSupport.next(heldStreams, "a stream reaching the server");
        assertThat(stream.id()).as("a foreign client sends no call id").isZero();
        assertThat(stream.next(new Reply("first", 1))).isEqualTo(RpcStatus.OK);
        await("the first item at Spring", () -> items.size() == 1);
        assertThat(stream.testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);

        subscription.dispose();

        stream.cancelled().block(TIMEOUT);
        assertThat(stream.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(stream.next(new Reply("dropped", 0))).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(stream.complete()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(stream.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(items).containsExactly(new Reply("first", 1));
        await("the server forgets the cancelled stream", () -> server.activeCalls() == 0);
    }

    @Test
    void springDisposesRetrieveFlux_fluxHandlersFluxIsCancelled() {
        Disposable subscription = requester.route("fluxHold").data(new Greeting("Ada")).retrieveFlux(Reply.class)
                .subscribe(item -> { }, error -> { });
        resources.add(subscription);
        ServerStream<Reply> stream = CallTestSupport.next(heldStreams, "a stream reaching the server");

        subscription.dispose();

        stream.cancelled().block(TIMEOUT);
        await("the handler's Flux cancelled", () -> fluxCancels.get() == 1);
        await("the server forgets the cancelled stream", () -> server.activeCalls() == 0);
    }

    @Test
    void springRequesterDisposedMidStream_theSeedStreamSeesTheCancel_andItsNextReturnsCallCancelled() {
        Queue<Reply> items = new ConcurrentLinkedQueue<>();
        resources.add(requester.route("streamHold").data(new Greeting("Ada")).retrieveFlux(Reply.class)
                .subscribe(items::add, error -> { }));
        ServerStream<Reply> stream = CallTestSupport.next(heldStreams, "a stream reaching the server");
        stream.next(new Reply("before", 0));
        await("the first item at Spring", () -> items.size() == 1);

        requester.dispose();

        stream.cancelled().block(TIMEOUT);
        assertThat(stream.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(stream.next(new Reply("after", 1))).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(stream.complete()).isEqualTo(RpcStatus.CALL_CANCELLED);
        await("the server forgets the stream", () -> server.activeCalls() == 0);
    }

    @Test
    void springTakesThreeOfAnEndlessStream_getsThem_andTheHandlersFluxIsCancelled() {
        StepVerifier.create(requester.route("endless").data(new Greeting("Ada")).retrieveFlux(Reply.class).take(3))
                .expectNext(new Reply("Ada", 0), new Reply("Ada", 1), new Reply("Ada", 2))
                .expectComplete()
                .verify(TIMEOUT);

        await("the handler's Flux cancelled", () -> fluxCancels.get() == 1);
        await("the server forgets the cancelled stream", () -> server.activeCalls() == 0);
        assertThat(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .as("the connection still serves calls")
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    // ---- channels: data(Flux) + retrieveFlux, REQUEST_CHANNEL ------------------------------------------

    @Test
    void springFluxRequest_toAChannel_receivesAnItemForEachRequest() {
        StepVerifier.create(requester.route("greetEach")
                        .data(Flux.just(new Greeting("Ada"), new Greeting("Grace"), new Greeting("Edsger")), Greeting.class)
                        .retrieveFlux(Reply.class))
                .expectNext(new Reply("Hello, Ada", 3), new Reply("Hello, Grace", 5), new Reply("Hello, Edsger", 6))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springFluxRequestOfFiveHundred_toAChannel_keepsTheirOrder() {
        List<String> names = IntStream.range(0, 500).mapToObj(i -> "n" + i).collect(Collectors.toList());

        List<Reply> items = requester.route("greetEach")
                .data(Flux.fromIterable(names).map(Greeting::new), Greeting.class)
                .retrieveFlux(Reply.class)
                .collectList()
                .block(MANY_TIMEOUT);

        assertThat(items).extracting(Reply::text)
                .containsExactlyElementsOf(names.stream().map(n -> "Hello, " + n).collect(Collectors.toList()));
    }

    @Test
    void springEmptyFluxRequest_toAChannel_reachesTheHandlerAsAnEmptyFlux() {
        // Spring opens the channel with one payload of metadata and empty data; Parley reads that as no request.
        StepVerifier.create(requester.route("countRequests").data(Flux.<Greeting>empty(), Greeting.class).retrieveFlux(Long.class))
                .expectNext(0L)
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(requester.route("greetEach").data(Flux.<Greeting>empty(), Greeting.class).retrieveFlux(Reply.class))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springFluxRequest_toASeedChannel_requestsArriveAsSpringSendsThem_andItemsAsTheServerSendsThem() {
        OpenChannel open = openChannel(new AtomicInteger());
        HeldChannel channel = open.server();

        await("the first request", () -> channel.requests().contains(new Greeting("Ada")));
        open.requests().tryEmitNext(new Greeting("Grace"));
        await("the second request", () -> channel.requests().contains(new Greeting("Grace")));
        assertThat(channel.stream().next(new Reply("got two", 2))).isEqualTo(RpcStatus.OK);
        open.requests().tryEmitComplete();
        await("Spring's end of its requests", () -> channel.requests().contains("<complete>"));
        assertThat(channel.stream().testCancel()).as("the end of the requests is no cancel").isEqualTo(RpcStatus.CALL_IN_PROGRESS);
        assertThat(channel.stream().complete(new Reply("done", 0))).isEqualTo(RpcStatus.OK);

        StepVerifier.create(open.items())
                .expectNext(new Reply("got two", 2), new Reply("done", 0))
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(channel.requests()).containsExactly(new Greeting("Ada"), new Greeting("Grace"), "<complete>");
    }

    @Test
    void springDisposesAChannel_theSeedHandlersTestCancelTurnsOk() {
        OpenChannel open = openChannel(new AtomicInteger());
        HeldChannel channel = open.server();
        assertThat(channel.stream().testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);

        open.subscription().dispose();

        channel.stream().cancelled().block(TIMEOUT);
        assertThat(channel.stream().testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(channel.stream().next(new Reply("dropped", 0))).isEqualTo(RpcStatus.CALL_CANCELLED);
        await("the server forgets the cancelled channel", () -> server.activeCalls() == 0);
    }

    @Test
    void springFluxRequest_toAChannelTheServerAbortsMidStream_readsTheFault() {
        OpenChannel open = openChannel(new AtomicInteger());
        HeldChannel channel = open.server();

        channel.stream().next(new Reply("one", 1));
        assertThat(channel.stream().abort(0x8007_0005)).isEqualTo(RpcStatus.OK);

        StepVerifier.create(open.items())
                .expectNext(new Reply("one", 1))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(ApplicationErrorException.class);
                    assertThat(error.getMessage()).isEqualTo("0x80070005 (2147942405)");
                })
                .verify(TIMEOUT);
    }

    @Test
    void seedChannelCompletesWhileSpringStillSends_springsRequestsAreCancelled_andTheServerForgetsTheCall() {
        AtomicInteger requestCancels = new AtomicInteger();
        OpenChannel open = openChannel(requestCancels);
        HeldChannel channel = open.server();

        assertThat(channel.stream().complete(new Reply("enough", 0))).isEqualTo(RpcStatus.OK);

        StepVerifier.create(open.items()).expectNext(new Reply("enough", 0)).expectComplete().verify(TIMEOUT);
        await("Spring's requests cancelled", () -> requestCancels.get() == 1);
        await("the server forgets the channel", () -> server.activeCalls() == 0);
    }

    @Test
    void springRequestsErrorMidChannel_theSeedHandlerReadsAnError_andItsCallIsCancelled() {
        OpenChannel open = openChannel(new AtomicInteger());
        HeldChannel channel = open.server();
        await("the first request", () -> channel.requests().contains(new Greeting("Ada")));

        open.requests().tryEmitError(new IllegalStateException("the requester's own failure"));

        await("an error among the requests read", () -> channel.requests().stream().anyMatch(Throwable.class::isInstance));
        channel.stream().cancelled().block(TIMEOUT);
        assertThat(channel.stream().testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(channel.stream().next(new Reply("dropped", 0))).isEqualTo(RpcStatus.CALL_CANCELLED);
        await("the server forgets the channel", () -> server.activeCalls() == 0);
    }

    @Test
    void channelHandlerThatNeverReadsTheRequests_endsTheCall_andSpringsRequestsAreCancelled() {
        AtomicInteger requestCancels = new AtomicInteger();
        Flux<Greeting> endlessRequests = Flux.just(new Greeting("Ada")).concatWith(Flux.never());

        StepVerifier.create(requester.route("ignoreRequests")
                        .data(endlessRequests.doOnCancel(requestCancels::incrementAndGet), Greeting.class)
                        .retrieveFlux(Reply.class))
                .expectNext(new Reply("ignored", 0))
                .expectComplete()
                .verify(TIMEOUT);

        await("Spring's requests cancelled", () -> requestCancels.get() == 1);
        await("the server forgets the channel", () -> server.activeCalls() == 0);
    }

    @Test
    void springSendsARequestThatDoesNotDecode_midChannel_getsBadStubDataAfterTheItemsBefore_andTheConnectionStaysUp() {
        // Spring's CharSequenceEncoder sends each String's bytes as they are.
        StepVerifier.create(requester.route("greetEach").data(Flux.just("{\"name\":\"Ada\"}", "not json"), String.class)
                        .retrieveFlux(Reply.class))
                .expectNext(new Reply("Hello, Ada", 3))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(ApplicationErrorException.class);
                    assertThat(error.getMessage()).startsWith("RPC_X_BAD_STUB_DATA (1783): a request of 'greetEach' could not be decoded");
                })
                .verify(TIMEOUT);
        assertThat(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .isEqualTo(new Reply("Hello, Ada", 3));
        await("the server forgets the channel", () -> server.activeCalls() == 0);
    }

    /**
     * Opens a channel from Spring to "channelHold" with the first request, {@code Ada}, which
     * Spring's REQUEST_CHANNEL frame carries; waits until the server holds it. Spring's requests
     * count their cancels in {@code requestCancels}.
     */
    private OpenChannel openChannel(AtomicInteger requestCancels) {
        Sinks.Many<Greeting> greetings = Sinks.many().unicast().onBackpressureBuffer();
        Sinks.Many<Reply> items = Sinks.many().replay().all();
        Disposable subscription = requester.route("channelHold")
                .data(greetings.asFlux().doOnCancel(requestCancels::incrementAndGet), Greeting.class)
                .retrieveFlux(Reply.class)
                .subscribe(items::tryEmitNext, items::tryEmitError, items::tryEmitComplete);
        resources.add(subscription);
        greetings.tryEmitNext(new Greeting("Ada"));
        HeldChannel held = CallTestSupport.next(heldChannels, "a channel reaching the server");
        return new OpenChannel(greetings, items.asFlux(), subscription, held);
    }

    // ---- client streams: Spring has no Flux-request, Mono-reply interaction ------------------------

    @Test
    void springFluxRequestWithRetrieveMono_isRefusedBySpringBeforeAnythingIsSent() {
        Throwable error = catchThrowable(() -> requester.route("sum").data(Flux.just(1, 2, 3), Integer.class).retrieveMono(Integer.class));

        assertThat(error).isInstanceOf(IllegalStateException.class)
                .hasMessage("No RSocket interaction with Flux request and Mono response.");
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void springFluxRequestWithRetrieveFluxSingle_callsAClientStream_andReadsItsOneReply() {
        StepVerifier.create(requester.route("sum").data(Flux.range(1, 100), Integer.class).retrieveFlux(Integer.class).single())
                .expectNext(5050)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springEmptyFluxRequest_toAClientStream_reachesTheHandlerAsAnEmptyFlux() {
        StepVerifier.create(requester.route("sum").data(Flux.<Integer>empty(), Integer.class).retrieveFlux(Integer.class))
                .expectNext(0)
                .expectComplete()
                .verify(TIMEOUT);
    }

    // ---- one-way: send(), REQUEST_FNF ---------------------------------------------------------------

    @Test
    void springSend_reachesAOneWayMethod() {
        StepVerifier.create(requester.route("log").data(new Greeting("Ada")).send())
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(CallTestSupport.next(logged, "the one-way request")).isEqualTo(new Greeting("Ada"));
    }

    // ---- shapes that do not match -------------------------------------------------------------------

    @Test
    void springRetrieveMono_ofAServerStream_getsInvalidAsyncCall_andTheConnectionStaysUp() {
        Throwable error = catchThrowable(() -> requester.route("count").data(3).retrieveMono(Reply.class).block(TIMEOUT));

        assertThat(error).isInstanceOf(ApplicationErrorException.class);
        assertThat(error.getMessage()).startsWith("RPC_S_INVALID_ASYNC_CALL (1915)");
        assertThat(requester.route("count").data(1).retrieveFlux(Reply.class).collectList().block(TIMEOUT))
                .containsExactly(new Reply("item 0", 0));
    }

    @Test
    void springRetrieveFluxWithOneRequest_ofAChannel_getsInvalidAsyncCall() {
        // One request (not a Flux) is a REQUEST_STREAM, which a channel does not serve.
        StepVerifier.create(requester.route("greetEach").data(new Greeting("Ada")).retrieveFlux(Reply.class))
                .expectErrorSatisfies(error -> assertThat(error.getMessage()).startsWith("RPC_S_INVALID_ASYNC_CALL (1915)"))
                .verify(TIMEOUT);
    }

    @Test
    void springFluxRequest_toAServerStream_getsInvalidAsyncCall() {
        StepVerifier.create(requester.route("count").data(Flux.just(1, 2), Integer.class).retrieveFlux(Reply.class))
                .expectErrorSatisfies(error -> assertThat(error.getMessage()).startsWith("RPC_S_INVALID_ASYNC_CALL (1915)"))
                .verify(TIMEOUT);
    }
}
