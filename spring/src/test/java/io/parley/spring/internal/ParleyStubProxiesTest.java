package io.parley.spring.internal;

import static io.parley.test.Await.next;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Publisher;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ClientStream;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.FluxHandler;
import io.parley.core.server.ServerMethod;
import io.parley.core.server.ServerStream;
import io.parley.core.transport.InProcessTransport;
import io.parley.spring.ParleyMethod;
import io.parley.test.Await;
import io.parley.test.ParleyExtension;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ParleyStubProxiesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int FAULT = 0xFFFFFFFF;

    public record Item(String name, int count) {
    }

    public interface Repository<T> {
        Mono<List<T>> all();
    }

    public interface Api extends Repository<Item> {

        Mono<String> echo(String text);

        @ParleyMethod("echo")
        Mono<String> shout(String text);

        Mono<List<Item>> items(Integer count);

        Mono<Void> none();

        @ParleyMethod("timeoutSeen")
        Mono<String> timeoutSeen(CallOptions options);

        @ParleyMethod("timeoutSeen")
        Mono<String> timeoutSeenWithRequest(String ignored, CallOptions options);

        Mono<String> hold(String text);

        Mono<String> fault(String text);

        @ParleyMethod("echo")
        ClientCall<String> echoCall(String text);

        @ParleyMethod("timeoutSeen")
        ClientCall<String> timeoutSeenCall(CallOptions options);

        default Mono<String> echoTwice(String text) {
            return echo(text).map(reply -> reply + reply);
        }
    }

    /** Every stream shape, and one-way calls. */
    public interface Streams {

        Flux<String> letters(String word);

        Flux<Integer> ticks();

        Flux<List<Item>> batches(Integer count, CallOptions options);

        @ParleyMethod("timeoutSeenStream")
        Flux<String> timeoutSeenStream(CallOptions options);

        Flux<String> endless(String text);

        ClientStream<String> progress(String job);

        Mono<Integer> sum(Flux<Integer> numbers);

        @ParleyMethod("sum")
        Mono<Integer> sumOf(Publisher<Integer> numbers, CallOptions options);

        @ParleyMethod("collect")
        Mono<List<Item>> collect(Flux<Item> items, CallOptions options);

        Flux<String> shout(Flux<String> words);

        @ParleyMethod("shout")
        Flux<String> shoutAll(Publisher<String> words);

        Flux<List<Item>> pairs(Flux<Item> items, CallOptions options);

        void record(String event);

        void ping();

        @ParleyMethod("echo")
        Flux<String> echoAsAStream(String text);
    }

    private final Queue<String> received = new ConcurrentLinkedQueue<>();
    private final Queue<RpcStatus> cancelSeen = new ConcurrentLinkedQueue<>();
    private final AtomicInteger endlessCalls = new AtomicInteger();
    private Streams streams;
    private final AtomicInteger holds = new AtomicInteger();
    private final AtomicReference<AsyncCall<String>> held = new AtomicReference<>();
    private final CountDownLatch holding = new CountDownLatch(1);
    /** A server of the methods below, and its client, for each test. */
    @RegisterExtension
    final ParleyExtension parley = ParleyExtension.inProcess().methods(methods());
    private Api api;

    private List<ServerMethod<?, ?>> methods() {
        List<ServerMethod<?, ?>> methods = new ArrayList<>();
        methods.add(ServerMethod.mono("echo", String.class, text -> Mono.just(text)));
        methods.add(ServerMethod.mono("items", Integer.class, count -> Mono.just(itemList(count))));
        methods.add(ServerMethod.mono("all", Void.class, none -> Mono.just(itemList(2))));
        methods.add(ServerMethod.mono("none", Void.class, none -> Mono.empty()));
        methods.add(ServerMethod.mono("timeoutSeen", String.class, (request, call) -> Mono.just(String.valueOf(call.timeout()))));
        methods.add(ServerMethod.mono("fault", String.class, text -> Mono.error(new RpcFault(FAULT, "no"))));
        methods.add(ServerMethod.async("hold", String.class, (String text, AsyncCall<String> call) -> {
            holds.incrementAndGet();
            held.set(call);
            holding.countDown();
        }));
        methods.add(ServerMethod.flux("letters", String.class, word -> Flux.fromArray(word.split(""))));
        methods.add(ServerMethod.flux("ticks", Void.class, none -> Flux.range(1, 3)));
        methods.add(ServerMethod.flux("batches", Integer.class, count -> Flux.range(0, count).map(i -> itemList(i + 1))));
        methods.add(ServerMethod.flux("timeoutSeenStream", Void.class,
                (FluxHandler<Void, String>) (none, stream) -> Flux.just(String.valueOf(stream.timeout()))));
        methods.add(ServerMethod.flux("endless", String.class, (FluxHandler<String, String>) (text, stream) -> {
            endlessCalls.incrementAndGet();
            stream.cancelled().subscribe(null, null, () -> cancelSeen.add(stream.testCancel()));
            return Flux.just(text).concatWith(Flux.never());
        }));
        methods.add(ServerMethod.stream("progress", String.class, (String job, ServerStream<String> stream) -> {
            stream.next(job + " started");
            stream.cancelled().subscribe(null, null, () -> stream.complete(job + " stopped"));
        }));
        methods.add(ServerMethod.clientStream("sum", Integer.class, numbers -> numbers.reduce(0, Integer::sum)));
        methods.add(ServerMethod.clientStream("collect", Item.class, items -> items.collectList()));
        methods.add(ServerMethod.channel("shout", String.class, words -> words.map(String::toUpperCase)));
        methods.add(ServerMethod.channel("pairs", Item.class, items -> items.buffer(2)));
        methods.add(ServerMethod.oneWay("record", String.class, event -> Mono.fromRunnable(() -> received.add(event))));
        methods.add(ServerMethod.oneWay("ping", Void.class, none -> Mono.fromRunnable(() -> received.add("ping"))));
        return methods;
    }

    @BeforeEach
    void start() {
        api = ParleyStubProxies.create(Api.class, parley.client());
        streams = ParleyStubProxies.create(Streams.class, parley.client());
    }

    @AfterEach
    void stop() {
        AsyncCall<String> call = held.get();
        if (call != null) {
            call.abort(RpcStatus.CALL_CANCELLED.value());
        }
    }

    private static List<Item> itemList(int count) {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add(new Item("item-" + i, i));
        }
        return items;
    }

    @Test
    void monoMethod_callsTheMethodOfItsJavaName() {
        StepVerifier.create(api.echo("ping")).expectNext("ping").expectComplete().verify(TIMEOUT);
    }

    @Test
    void monoMethod_callsTheMethodItsAnnotationNames() {
        StepVerifier.create(api.shout("PING")).expectNext("PING").expectComplete().verify(TIMEOUT);
    }

    @Test
    void genericReplyType_isDecodedWithItsTypeArguments() {
        StepVerifier.create(api.items(2))
                .assertNext(items -> assertThat(items).containsExactly(new Item("item-0", 0), new Item("item-1", 1)))
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void replyTypeFromAnInheritedTypeVariable_isResolvedAgainstTheInterface() {
        StepVerifier.create(api.all())
                .assertNext(items -> assertThat(items).hasSize(2).allSatisfy(item -> assertThat(item).isInstanceOf(Item.class)))
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void monoOfVoid_completesWithoutAValue() {
        StepVerifier.create(api.none()).expectComplete().verify(TIMEOUT);
    }

    public interface DefaultsSeen {

        @ParleyMethod("timeoutSeen")
        Mono<String> plain();

        @ParleyMethod("timeoutSeenInAList")
        Mono<List<String>> generic();
    }

    @Test
    void withoutCallOptions_theClientsDefaultOptionsApply_toPlainAndGenericReplyTypes() {
        List<ServerMethod<?, ?>> methods = new ArrayList<>();
        methods.add(ServerMethod.mono("timeoutSeen", Void.class, (request, call) -> Mono.just(String.valueOf(call.timeout()))));
        methods.add(ServerMethod.mono("timeoutSeenInAList", Void.class,
                (request, call) -> Mono.just(List.of(String.valueOf(call.timeout())))));
        try (InProcessParley withDefaults = InProcessParley.serve(methods, CallOptions.timeout(Duration.ofSeconds(42)))) {
            DefaultsSeen proxy = ParleyStubProxies.create(DefaultsSeen.class, withDefaults.client);

            StepVerifier.create(proxy.plain()).expectNext("PT42S").expectComplete().verify(TIMEOUT);
            StepVerifier.create(proxy.generic()).expectNext(List.of("PT42S")).expectComplete().verify(TIMEOUT);
        }
    }

    public interface BusyOnce {

        @ParleyMethod(idempotent = true)
        Mono<String> work(String key);

        @ParleyMethod(value = "work", idempotent = true)
        Mono<String> workWithOptions(String key, CallOptions options);

        @ParleyMethod("work")
        Mono<String> workOnce(String key);
    }

    @io.parley.spring.ParleyStub(idempotent = true)
    public interface AllIdempotent {

        Mono<String> work(String key);
    }

    @Test
    void idempotentMethods_refusedAsTooBusy_areSentAgain_andOthersAreNot() {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        ServerMethod<String, String> work = ServerMethod.mono("work", String.class, (String key, AsyncCall<String> call) -> {
            int n = calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            return n == 1 ? Mono.error(new RpcFault(RpcStatus.SERVER_TOO_BUSY, "busy"))
                    : Mono.just(key + " on attempt " + n + ", timeout " + call.timeout());
        });
        try (InProcessParley busy = InProcessParley.serve(List.of(work))) {
            BusyOnce proxy = ParleyStubProxies.create(BusyOnce.class, busy.client);
            AllIdempotent all = ParleyStubProxies.create(AllIdempotent.class, busy.client);

            StepVerifier.create(proxy.work("a")).expectNext("a on attempt 2, timeout null").expectComplete().verify(TIMEOUT);
            StepVerifier.create(proxy.workWithOptions("b", CallOptions.timeout(Duration.ofSeconds(30))))
                    .assertNext(reply -> assertThat(reply).as("the caller's options apply too").startsWith("b on attempt 2, timeout PT"))
                    .expectComplete()
                    .verify(TIMEOUT);
            StepVerifier.create(all.work("c")).expectNext("c on attempt 2, timeout null").expectComplete().verify(TIMEOUT);
            StepVerifier.create(proxy.workOnce("d"))
                    .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY))
                    .verify(TIMEOUT);
            assertThat(calls.get("d")).as("a method not declared idempotent is sent once").hasValue(1);
        }
    }

    @Test
    void callOptionsParameter_appliesToThatCall_andItsTimeoutReachesTheServer() {
        CallOptions options = CallOptions.timeout(Duration.ofSeconds(30));

        StepVerifier.create(api.timeoutSeen(options)).expectNext("PT30S").expectComplete().verify(TIMEOUT);
        StepVerifier.create(api.timeoutSeenWithRequest("x", options)).expectNext("PT30S").expectComplete().verify(TIMEOUT);
        StepVerifier.create(api.timeoutSeen(null)).expectNext("null").expectComplete().verify(TIMEOUT);
    }

    @Test
    void faultCode_reachesTheCallerUnchanged() {
        StepVerifier.create(api.fault("x"))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).faultCode()).isEqualTo(FAULT))
                .verify(TIMEOUT);
    }

    @Test
    void monoIsLazy_noCallIsMadeUntilItIsSubscribed() throws InterruptedException {
        Mono<String> reply = api.hold("x");
        assertThat(holds.get()).isZero();

        Disposable subscription = reply.subscribe(value -> { }, error -> { });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(holds.get()).isEqualTo(1);
        subscription.dispose();
    }

    @Test
    void disposingTheSubscription_cancelsTheCallOnTheServer() throws InterruptedException {
        Disposable subscription = api.hold("x").subscribe(value -> { }, error -> { });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        AsyncCall<String> call = held.get();
        assertThat(call.testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);

        subscription.dispose();

        StepVerifier.create(call.cancelled()).expectComplete().verify(TIMEOUT);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void clientCallMethod_startsTheCallAtOnce_andReturnsItsHandle() {
        ClientCall<String> call = api.echoCall("handle");

        StepVerifier.create(call.reply()).expectNext("handle").expectComplete().verify(TIMEOUT);
        assertThat(call.status()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void clientCallMethod_withCallOptions() {
        ClientCall<String> call = api.timeoutSeenCall(CallOptions.timeout(Duration.ofSeconds(20)));

        StepVerifier.create(call.reply()).expectNext("PT20S").expectComplete().verify(TIMEOUT);
    }

    @Test
    void defaultMethod_runsAsWritten() {
        StepVerifier.create(api.echoTwice("ab")).expectNext("abab").expectComplete().verify(TIMEOUT);
    }

    @Test
    void objectMethods_behave() {
        Api other = ParleyStubProxies.create(Api.class, parley.client());

        assertThat(api).isEqualTo(api).isNotEqualTo(other).isNotEqualTo(null);
        assertThat(api.hashCode()).isEqualTo(api.hashCode()).isEqualTo(System.identityHashCode(api));
        assertThat(api.toString()).contains(Api.class.getName()).contains(parley.client().toString());
    }

    // ---- streams and one-way calls ---------------------------------------------------------------

    @Test
    void fluxMethod_callsAServerStream_withOrWithoutARequest() {
        StepVerifier.create(streams.letters("abc")).expectNext("a", "b", "c").expectComplete().verify(TIMEOUT);
        StepVerifier.create(streams.ticks()).expectNext(1, 2, 3).expectComplete().verify(TIMEOUT);
    }

    @Test
    void genericItemType_ofAStream_isDecodedWithItsTypeArguments() {
        StepVerifier.create(streams.batches(2, CallOptions.DEFAULT))
                .assertNext(batch -> assertThat(batch).containsExactly(new Item("item-0", 0)))
                .assertNext(batch -> assertThat(batch).containsExactly(new Item("item-0", 0), new Item("item-1", 1)))
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void callOptionsParameter_ofAStream_reachesTheServer() {
        StepVerifier.create(streams.timeoutSeenStream(CallOptions.timeout(Duration.ofSeconds(30))))
                .expectNext("PT30S").expectComplete().verify(TIMEOUT);
        StepVerifier.create(streams.timeoutSeenStream(null)).expectNext("null").expectComplete().verify(TIMEOUT);
    }

    @Test
    void fluxIsLazy_andDisposingItsSubscription_cancelsTheStreamOnTheServer() {
        Flux<String> items = streams.endless("first");
        assertThat(endlessCalls.get()).isZero();

        Queue<String> received = new ConcurrentLinkedQueue<>();
        Disposable subscription = items.subscribe(received::add, error -> { });
        assertThat(next(received, "the first item")).isEqualTo("first");
        assertThat(endlessCalls.get()).isEqualTo(1);

        subscription.dispose();

        assertThat(next(cancelSeen, "the server's testCancel()")).isEqualTo(RpcStatus.OK);
    }

    @Test
    void clientStreamMethod_returnsTheHandle_whoseGracefulCancelTheServerAnswers() {
        ClientStream<String> job = streams.progress("job");

        StepVerifier.create(job.items())
                .expectNext("job started")
                .then(() -> assertThat(job.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK))
                .expectNext("job stopped")
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(job.complete()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void monoMethodOfAFluxOrAPublisher_callsAClientStream() {
        StepVerifier.create(streams.sum(Flux.just(1, 2, 3))).expectNext(6).expectComplete().verify(TIMEOUT);
        StepVerifier.create(streams.sumOf(Flux.just(4, 5), CallOptions.DEFAULT)).expectNext(9).expectComplete().verify(TIMEOUT);
        StepVerifier.create(streams.collect(Flux.just(new Item("a", 1), new Item("b", 2)), CallOptions.DEFAULT))
                .expectNext(List.of(new Item("a", 1), new Item("b", 2))).expectComplete().verify(TIMEOUT);
    }

    @Test
    void fluxMethodOfAFluxOrAPublisher_callsAChannel() {
        StepVerifier.create(streams.shout(Flux.just("a", "b"))).expectNext("A", "B").expectComplete().verify(TIMEOUT);
        StepVerifier.create(streams.shoutAll(Flux.just("c"))).expectNext("C").expectComplete().verify(TIMEOUT);
        StepVerifier.create(streams.pairs(Flux.just(new Item("a", 1), new Item("b", 2), new Item("c", 3)), CallOptions.DEFAULT))
                .expectNext(List.of(new Item("a", 1), new Item("b", 2)), List.of(new Item("c", 3)))
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void voidMethod_makesAOneWayCall_andReturnsAtOnce() {
        streams.record("event");
        streams.ping();

        assertThat(List.of(next(received, "the one-way request"), next(received, "the one-way call without a request")))
                .containsExactlyInAnyOrder("event", "ping");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void oneWayCallThatCannotBeSent_isLogged_notThrown(CapturedOutput output) {
        ParleyClient nowhere = ParleyClient.builder().transport(InProcessTransport.client("no-such-server")).build();
        try {
            ParleyStubProxies.create(Streams.class, nowhere).record("lost");

            Await.until("the log of the unsent call", () -> output.getAll().contains("One-way call to 'record' was not sent"));
            assertThat(output.getAll()).contains(RpcStatus.SERVER_UNAVAILABLE.name());
        }
        finally {
            nowhere.dispose();
        }
    }

    @Test
    void streamMethodForAUnaryServerMethod_endsWithInvalidAsyncCall() {
        StepVerifier.create(streams.echoAsAStream("x"))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.INVALID_ASYNC_CALL))
                .verify(TIMEOUT);
    }

    public interface GenericStreamWithoutOptions {
        Flux<List<Item>> batches(Integer count);
    }

    public interface GenericClientStreamWithoutOptions {
        Mono<List<Item>> collect(Flux<Item> items);
    }

    @Test
    void streamOfAGenericTypeWithoutCallOptions_takesTheClientsDefaultOptions() {
        GenericStreamWithoutOptions batches = ParleyStubProxies.create(GenericStreamWithoutOptions.class, parley.client());
        GenericClientStreamWithoutOptions collect = ParleyStubProxies.create(GenericClientStreamWithoutOptions.class, parley.client());

        StepVerifier.create(batches.batches(2).count()).expectNext(2L).expectComplete().verify(TIMEOUT);
        StepVerifier.create(collect.collect(Flux.just(new Item("a", 1), new Item("b", 2))))
                .assertNext(items -> assertThat(items).hasSize(2))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void nullStreamOfRequests_throws() {
        assertThatNullPointerException().isThrownBy(() -> streams.sum(null)).withMessageContaining("requests: null");
    }

    // ---- shapes that cannot be called ------------------------------------------------------------

    public interface OneWayWithOptions {
        void record(String event, CallOptions options);
    }

    public interface GenericClientStream {
        ClientStream<List<Item>> batches(Integer count);
    }

    public interface StreamOfRequestsToAHandle {
        ClientCall<Integer> sum(Flux<Integer> numbers);
    }

    public interface StreamOfRequestsOneWay {
        void record(Flux<String> events);
    }

    public interface MonoRequest {
        Mono<String> echo(Mono<String> text);
    }

    public interface ServerStreamRequest {
        Mono<String> echo(ServerStream<String> text);
    }

    @Test
    void oneWayMethodWithCallOptions_isRefused() {
        assertUnsupported(OneWayWithOptions.class, "OneWayWithOptions.record(String, CallOptions)",
                "a one-way (void) method takes no CallOptions");
    }

    @Test
    void clientStreamHandleOfAGenericType_decodesItsItemsWithTheirTypeArguments() {
        ClientStream<List<Item>> batches = ParleyStubProxies.create(GenericClientStream.class, parley.client()).batches(2);

        StepVerifier.create(batches.items())
                .assertNext(batch -> assertThat(batch).containsExactly(new Item("item-0", 0)))
                .assertNext(batch -> assertThat(batch).containsExactly(new Item("item-0", 0), new Item("item-1", 1)))
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(batches.status()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void streamOfRequests_withAReturnOtherThanMonoOrFlux_isRefused() {
        assertUnsupported(StreamOfRequestsToAHandle.class, "StreamOfRequestsToAHandle.sum(Flux)",
                "it takes a stream of requests but returns ClientCall");
        assertUnsupported(StreamOfRequestsOneWay.class, "StreamOfRequestsOneWay.record(Flux)",
                "it takes a stream of requests but returns void");
    }

    @Test
    void monoOrHandleAsTheRequest_isRefused() {
        assertUnsupported(MonoRequest.class, "MonoRequest.echo(Mono)", "its request parameter is a Mono");
        assertUnsupported(ServerStreamRequest.class, "ServerStreamRequest.echo(ServerStream)",
                "its request parameter is a ServerStream");
    }

    public interface TwoRequests {
        Mono<String> both(String a, String b);
    }

    public interface OptionsFirst {
        Mono<String> backwards(CallOptions options, String text);
    }

    public interface PlainReturn {
        String blocking(String text);
    }

    public interface GenericClientCall {
        ClientCall<List<Item>> items(Integer count);
    }

    public abstract static class NotAnInterface {
    }

    private void assertUnsupported(Class<?> iface, String method, String why) {
        assertThatIllegalStateException().isThrownBy(() -> ParleyStubProxies.create(iface, parley.client()))
                .withMessageContaining("@ParleyStub method " + method)
                .withMessageContaining(why)
                .withMessageContaining(ParleyStubProxies.SUPPORTED_SHAPES);
    }

    @Test
    void twoRequestParameters_areRefused_namingTheMethod() {
        assertUnsupported(TwoRequests.class, "TwoRequests.both(String, String)", "2 request parameters");
    }

    @Test
    void callOptionsBeforeTheRequest_areRefused_namingTheMethod() {
        assertUnsupported(OptionsFirst.class, "OptionsFirst.backwards(CallOptions, String)", "2 request parameters");
    }

    @Test
    void plainReturn_isRefused_namingTheMethod() {
        assertUnsupported(PlainReturn.class, "PlainReturn.blocking(String)", "it returns String");
    }

    @Test
    void clientCallOfAGenericType_isRefused_pointingToMono() {
        assertUnsupported(GenericClientCall.class, "GenericClientCall.items(Integer)", "a Mono<R> method takes any reply type");
    }

    @Test
    void aClass_isRefused() {
        assertThatIllegalStateException().isThrownBy(() -> ParleyStubProxies.check(NotAnInterface.class))
                .withMessageContaining(NotAnInterface.class.getName() + " is not an interface");
    }
}
