package io.parley.rsocket;

import static io.parley.rsocket.SpringInterop.TIMEOUT;
import static io.parley.rsocket.SpringInterop.await;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscription;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.stereotype.Controller;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientStream;
import io.parley.core.client.ParleyClient;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.rsocket.SpringInterop.Greeting;
import io.parley.rsocket.SpringInterop.Reply;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Parley's stream calls against a server Parley did not write: Spring {@code @MessageMapping}
 * methods that return a {@code Flux} or take one, behind {@link RSocketMessageHandler}, with
 * Jackson 3 JSON. {@code client.stream} is REQUEST_STREAM, {@code client.channel} and
 * {@code client.clientStream} are REQUEST_CHANNEL, {@code client.send} is REQUEST_FNF; a cancel
 * by the Parley client cancels the controller's {@code Flux}.
 */
@ExtendWith(NettyLeakDetection.class)
class SpringResponderStreamInteropTest {

    /** The bound for five hundred requests and items, every buffer tracked by the PARANOID leak detector. */
    private static final Duration MANY_TIMEOUT = TIMEOUT.multipliedBy(3);

    private final StreamController controller = new StreamController();
    private final List<Disposable> resources = new ArrayList<>();

    private ParleyClient client;

    /** See {@link SpringResponderInteropTest#initializeSpringMessageHeaders()}: Spring's, not Parley's. */
    @BeforeAll
    static void initializeSpringMessageHeaders() {
        assertThat(new MessageHeaders(null).getId()).isNotNull();
    }

    @BeforeEach
    void start() {
        CloseableChannel channel = SpringInterop.springServer(controller)
                .bind(TcpServerTransport.create("127.0.0.1", 0))
                .block(TIMEOUT);
        resources.add(channel);
        client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", channel.address().getPort()))
                .build();
        resources.add(client);
    }

    @AfterEach
    void dispose() {
        SpringInterop.disposeAll(resources);
    }

    // ---- client.stream: REQUEST_STREAM to a method returning Flux ------------------------------------

    @Test
    void parleyStream_ofSpringFluxMethod_receivesEachRecordInOrder_thenTheEnd() {
        StepVerifier.create(client.stream("count", 3, Reply.class))
                .expectNext(new Reply("item 0", 0), new Reply("item 1", 1), new Reply("item 2", 2))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void parleyStream_ofAnEmptySpringFlux_completesEmpty() {
        StepVerifier.create(client.stream("count", 0, Reply.class))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void parleyStreamHandle_ofSpringFluxMethod_endsOk_andCountsTheItems() {
        ClientStream<Reply> stream = client.startStream("count", 5, Reply.class);
        Queue<Reply> items = new ConcurrentLinkedQueue<>();
        resources.add(stream.items().subscribe(items::add));

        assertThat(stream.completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        assertThat(stream.received()).isEqualTo(5);
        assertThat(items).hasSize(5);
        assertThat(stream.complete()).isEqualTo(RpcStatus.OK);
        assertThat(stream.complete()).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
    }

    @Test
    void parleyStream_withABoundedRequest_springsFluxProducesOnlyWhatWasAskedFor() {
        StepVerifier.create(client.stream("count", 1_000_000, Reply.class), 10)
                .expectNextCount(10)
                .then(() -> assertThat(controller.counted.get()).isEqualTo(10))
                .thenRequest(5)
                .expectNextCount(5)
                .then(() -> assertThat(controller.counted.get()).isEqualTo(15))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void springFluxErrorsMidStreamInParleysForm_parleyReadsTheItemsThenTheExactFault() {
        StepVerifier.create(client.stream("faultAfter", 2, Reply.class))
                .expectNext(new Reply("item 0", 0), new Reply("item 1", 1))
                .expectErrorSatisfies(error -> {
                    RpcFault fault = (RpcFault) error;
                    assertThat(fault.faultCode()).isEqualTo(0x8007_0005);
                    assertThat(fault.detail()).isEqualTo("mid-stream");
                })
                .verify(TIMEOUT);
    }

    @Test
    void springFluxErrorsMidStream_parleyReadsTheItemsThenCallFailedWithSpringsMessage() {
        // Two items: Spring's responder sends a Flux whose one item is followed at once by an error
        // as the error alone, to its own requester too.
        ClientStream<Reply> stream = client.startStream("failAfter", 2, Reply.class);

        StepVerifier.create(stream.items())
                .expectNext(new Reply("item 0", 0), new Reply("item 1", 1))
                .expectErrorSatisfies(error -> {
                    RpcFault fault = (RpcFault) error;
                    assertThat(fault.status()).isEqualTo(RpcStatus.CALL_FAILED);
                    assertThat(fault.detail()).isEqualTo("the server failed: x");
                })
                .verify(TIMEOUT);
        assertThat(stream.received()).isEqualTo(2);
        assertThat(stream.complete()).isEqualTo(RpcStatus.CALL_FAILED);
    }

    @Test
    void springItemsThatDoNotDecodeToTheItemType_endTheParleyStreamWithBadStubData_andCancelSpringsFlux() {
        // One item asked for at a time: see parleyStreamHandle_cancelsAbortively_... for why not all.
        StepVerifier.create(client.stream("endless", new Greeting("Ada"), Integer.class), 1)
                .expectErrorSatisfies(error -> assertThat(((RpcFault) error).status()).isEqualTo(RpcStatus.BAD_STUB_DATA))
                .verify(TIMEOUT);

        await("the controller's Flux cancelled", () -> controller.cancels.get() == 1);
    }

    // ---- cancels from the Parley client ---------------------------------------------------------

    @Test
    void parleyTakesThreeOfAnEndlessSpringFlux_springsFluxIsCancelled() {
        StepVerifier.create(client.stream("endless", new Greeting("Ada"), Reply.class).take(3))
                .expectNext(new Reply("Ada", 0), new Reply("Ada", 1), new Reply("Ada", 2))
                .expectComplete()
                .verify(TIMEOUT);

        await("the controller's Flux cancelled", () -> controller.cancels.get() == 1);
        assertThat(client.stream("count", 1, Reply.class).collectList().block(TIMEOUT))
                .as("the connection still serves calls")
                .containsExactly(new Reply("item 0", 0));
    }

    @Test
    void parleyDisposesAStream_springsFluxIsCancelled() {
        Queue<Reply> items = new ConcurrentLinkedQueue<>();
        Disposable subscription = client.stream("held", new Greeting("Ada"), Reply.class).subscribe(items::add, error -> { });
        resources.add(subscription);
        await("the controller's Flux subscribed", () -> controller.subscribed.get() == 1);

        subscription.dispose();

        await("the controller's Flux cancelled", () -> controller.cancels.get() == 1);
        assertThat(items).isEmpty();
    }

    @Test
    void parleyStreamHandle_cancelsAbortively_springsFluxIsCancelled_andTheStreamEndsCancelled() {
        ClientStream<Reply> stream = client.startStream("endless", new Greeting("Ada"), Reply.class);
        Queue<Reply> items = new ConcurrentLinkedQueue<>();
        // One item asked for: an endless Flux with unbounded demand would keep Spring's event loop busy sending.
        stream.items().subscribe(new BaseSubscriber<Reply>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(1);
            }

            @Override
            protected void hookOnNext(Reply item) {
                items.add(item);
            }
        });
        await("the one item asked for", () -> items.size() == 1);

        assertThat(stream.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.OK);

        assertThat(stream.completion().block(TIMEOUT)).isEqualTo(RpcStatus.CALL_CANCELLED);
        await("the controller's Flux cancelled", () -> controller.cancels.get() == 1);
        assertThat(stream.complete()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(items).containsExactly(new Reply("Ada", 0));
    }

    @Test
    void parleyStreamHandle_cancelsGracefully_springIgnoresTheNotice_andTheStreamRunsOnToItsEnd() {
        ClientStream<Reply> stream = client.startStream("held", new Greeting("Ada"), Reply.class);
        Queue<Reply> items = new ConcurrentLinkedQueue<>();
        resources.add(stream.items().subscribe(items::add, error -> { }));
        await("the controller's Flux subscribed", () -> controller.subscribed.get() == 1);

        assertThat(stream.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        assertThat(stream.status()).as("the client keeps waiting for the server's end").isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(client.call("greet", new Greeting("Grace"), Reply.class).block(TIMEOUT))
                .as("the connection still serves calls")
                .isEqualTo(new Reply("Hello, Grace", 5));

        assertThat(controller.release.tryEmitValue(new Reply("finished anyway", 0)).isSuccess()).isTrue();

        assertThat(stream.completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        assertThat(items).containsExactly(new Reply("finished anyway", 0));
        assertThat(controller.cancels.get()).as("the graceful cancel does not cancel Spring's Flux").isZero();
    }

    // ---- client.channel: REQUEST_CHANNEL to a method taking and returning Flux ---------------------

    @Test
    void parleyChannel_toSpringFluxMethod_receivesAnItemForEachRequest() {
        StepVerifier.create(client.channel("greetEach",
                        Flux.just(new Greeting("Ada"), new Greeting("Grace"), new Greeting("Edsger")), Reply.class))
                .expectNext(new Reply("Hello, Ada", 3), new Reply("Hello, Grace", 5), new Reply("Hello, Edsger", 6))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void parleyChannelOfFiveHundred_toSpringFluxMethod_keepsTheirOrder() {
        List<String> names = IntStream.range(0, 500).mapToObj(i -> "n" + i).collect(Collectors.toList());

        List<Reply> items = client.channel("greetEach", Flux.fromIterable(names).map(Greeting::new), Reply.class)
                .collectList()
                .block(MANY_TIMEOUT);

        assertThat(items).extracting(Reply::text)
                .containsExactlyElementsOf(names.stream().map(n -> "Hello, " + n).collect(Collectors.toList()));
    }

    @Test
    void parleyChannelOfNoRequests_toSpringFluxParameter_isRefusedBySpringAsMissingPayload() {
        // Parley opens the channel with empty data, as Spring's own requester does for an empty
        // Flux; Spring requires the content of a Flux parameter unless it is @Payload(required = false).
        StepVerifier.create(client.channel("countRequests", Flux.empty(), Long.class))
                .expectErrorSatisfies(error -> {
                    RpcFault fault = (RpcFault) error;
                    assertThat(fault.status()).isEqualTo(RpcStatus.CALL_FAILED);
                    assertThat(fault.detail()).contains("Payload content is missing");
                })
                .verify(TIMEOUT);
    }

    @Test
    void parleyChannelOfNoRequests_toSpringOptionalFluxParameter_springSeesAnEmptyFlux() {
        StepVerifier.create(client.channel("countOptionalRequests", Flux.empty(), Long.class))
                .expectNext(0L)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void parleyDisposesAChannel_springsFluxIsCancelled() {
        Disposable subscription = client.channel("heldChannel", Flux.just(new Greeting("Ada")).concatWith(Flux.never()), Reply.class)
                .subscribe(item -> { }, error -> { });
        resources.add(subscription);
        await("the controller's Flux subscribed", () -> controller.subscribed.get() == 1);

        subscription.dispose();

        await("the controller's Flux cancelled", () -> controller.cancels.get() == 1);
    }

    @Test
    void springMethodEndsBeforeReadingEveryRequest_theParleyChannelsRequestsAreCancelled() {
        AtomicInteger requestCancels = new AtomicInteger();
        Flux<Greeting> endlessRequests = Flux.just(new Greeting("Ada")).concatWith(Flux.never());

        StepVerifier.create(client.channel("firstOnly", endlessRequests.doOnCancel(requestCancels::incrementAndGet), Reply.class))
                .expectNext(new Reply("Hello, Ada", 3))
                .expectComplete()
                .verify(TIMEOUT);

        await("the client's requests cancelled", () -> requestCancels.get() == 1);
    }

    // ---- client.clientStream: REQUEST_CHANNEL to a method taking Flux, returning Mono ------------

    @Test
    void parleyClientStream_toSpringMethodTakingAFlux_receivesTheOneReply() {
        assertThat(client.clientStream("sum", Flux.range(1, 100), Integer.class).block(TIMEOUT)).isEqualTo(5050);
    }

    @Test
    void parleyClientStreamOfNoRequests_toSpringOptionalFluxParameter_springSeesAnEmptyFlux() {
        assertThat(client.clientStream("sumOptional", Flux.empty(), Integer.class).block(TIMEOUT)).isEqualTo(0);
    }

    // ---- client.send: REQUEST_FNF to a void method -------------------------------------------------

    @Test
    void parleySend_toSpringVoidMethod_reachesTheController() {
        StepVerifier.create(client.send("log", new Greeting("Ada")))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(CallTestSupport.next(controller.logged, "the one-way request at Spring")).isEqualTo(new Greeting("Ada"));
    }


    /**
     * A plain Spring controller with stream methods. Lock-free: its methods run on event loops,
     * where BlockHound allows no parking.
     */
    @Controller
    static final class StreamController {

        /** Items "count" has made. */
        final AtomicLong counted = new AtomicLong();
        /** Subscriptions to the Flux of "held" and "heldChannel". */
        final AtomicInteger subscribed = new AtomicInteger();
        /** Cancels of the Flux of "endless", "held" and "heldChannel". */
        final AtomicInteger cancels = new AtomicInteger();
        /** Requests that reached "log". */
        final Queue<Greeting> logged = new ConcurrentLinkedQueue<>();
        /** The one item "held" sends before it completes. */
        final Sinks.One<Reply> release = Sinks.one();

        @MessageMapping("greet")
        Mono<Reply> greet(Greeting greeting) {
            return Mono.just(Reply.to(greeting));
        }

        @MessageMapping("count")
        Flux<Reply> count(Integer n) {
            return Flux.range(0, n).doOnNext(i -> counted.incrementAndGet()).map(i -> new Reply("item " + i, i));
        }

        @MessageMapping("faultAfter")
        Flux<Reply> faultAfter(Integer n) {
            return Flux.range(0, n).map(i -> new Reply("item " + i, i))
                    .concatWith(Mono.error(FaultCodec.toError(new RpcFault(0x8007_0005, "mid-stream"))));
        }

        @MessageMapping("failAfter")
        Flux<Reply> failAfter(Integer n) {
            return Flux.range(0, n).map(i -> new Reply("item " + i, i)).concatWith(Mono.error(new IllegalStateException("x")));
        }

        @MessageMapping("endless")
        Flux<Reply> endless(Greeting greeting) {
            return Flux.range(0, Integer.MAX_VALUE).map(i -> new Reply(greeting.name(), i)).doOnCancel(cancels::incrementAndGet);
        }

        /** Sends nothing until the test emits {@link #release}, then that reply and the end. */
        @MessageMapping("held")
        Flux<Reply> held(Greeting greeting) {
            return release.asMono().flux()
                    .doOnSubscribe(s -> subscribed.incrementAndGet())
                    .doOnCancel(cancels::incrementAndGet);
        }

        @MessageMapping("greetEach")
        Flux<Reply> greetEach(Flux<Greeting> greetings) {
            return greetings.map(Reply::to);
        }

        @MessageMapping("firstOnly")
        Mono<Reply> firstOnly(Flux<Greeting> greetings) {
            return greetings.next().map(Reply::to);
        }

        @MessageMapping("countRequests")
        Mono<Long> countRequests(Flux<Greeting> greetings) {
            return greetings.count();
        }

        @MessageMapping("countOptionalRequests")
        Mono<Long> countOptionalRequests(@Payload(required = false) Flux<Greeting> greetings) {
            return greetings.count();
        }

        @MessageMapping("heldChannel")
        Flux<Reply> heldChannel(Flux<Greeting> greetings) {
            return greetings.thenMany(Flux.<Reply>never())
                    .doOnSubscribe(s -> subscribed.incrementAndGet())
                    .doOnCancel(cancels::incrementAndGet);
        }

        @MessageMapping("sum")
        Mono<Integer> sum(Flux<Integer> numbers) {
            return numbers.reduce(0, Integer::sum);
        }

        @MessageMapping("sumOptional")
        Mono<Integer> sumOptional(@Payload(required = false) Flux<Integer> numbers) {
            return numbers.reduce(0, Integer::sum);
        }

        @MessageMapping("log")
        void log(Greeting greeting) {
            logged.add(greeting);
        }
    }
}
