package io.parley.spring.internal;

import static io.parley.test.Await.next;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.security.Principal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.security.authorization.AuthorizationDeniedException;

import io.parley.core.CallShape;
import io.parley.core.Credentials;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientStream;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.Authenticator;
import io.parley.core.server.ServerMethod;
import io.parley.core.server.ServerStream;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ParleyServiceMethodsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int FAULT = 0xFFFFFFFF;

    private InProcessParley parley;

    /** Every shape @ParleyMethod serves. */
    static class Shapes {

        final AtomicReference<String> thread = new AtomicReference<>();
        final AtomicReference<AsyncCall<String>> held = new AtomicReference<>();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch handlerCancelled = new CountDownLatch(1);

        @ParleyMethod
        Mono<String> echo(String text) {
            return Mono.just(text);
        }

        @ParleyMethod("hello")
        Mono<String> greeting() {
            return Mono.just("hello");
        }

        @ParleyMethod
        Mono<String> method(String text, AsyncCall<String> call) {
            return Mono.just(call.method() + ":" + text);
        }

        @ParleyMethod
        Mono<String> callOnly(AsyncCall<String> call) {
            return Mono.just(String.valueOf(call.testCancel().value()));
        }

        @ParleyMethod
        void asyncFunc(Long delay, AsyncCall<Integer> call) {
            Mono.delay(Duration.ofMillis(delay)).subscribe(tick -> call.complete(1));
        }

        @ParleyMethod
        void asyncNoRequest(AsyncCall<String> call) {
            call.complete("done");
        }

        @ParleyMethod
        String upper(String text) {
            thread.set(Thread.currentThread().getName());
            return text.toUpperCase();
        }

        @ParleyMethod
        int answer() {
            return 42;
        }

        @ParleyMethod
        String nothing(String text) {
            return null;
        }

        @ParleyMethod
        String plainFault(String text) {
            throw new RpcFault(FAULT, "from a plain method");
        }

        @ParleyMethod
        Mono<String> monoFault(String text) {
            return Mono.error(new RpcFault(FAULT, "from a Mono"));
        }

        @ParleyMethod
        Mono<String> monoThrows(String text) {
            throw new RpcFault(FAULT, "thrown by a Mono method");
        }

        @ParleyMethod
        void asyncThrows(String text, AsyncCall<String> call) {
            throw new RpcFault(FAULT, "thrown by an async method");
        }

        @ParleyMethod
        String unexpected(String text) {
            throw new IllegalArgumentException("secret detail");
        }

        @ParleyMethod
        Mono<String> hold(String text, AsyncCall<String> call) {
            held.set(call);
            holding.countDown();
            return Mono.<String>never().doOnCancel(handlerCancelled::countDown);
        }

        String notServed(String text) {
            return text;
        }
    }

    @AfterEach
    void stop() {
        if (parley != null) {
            parley.close();
        }
    }

    private InProcessParley serve(Object bean) {
        parley = InProcessParley.serve(ParleyServiceMethods.of(bean, ParleyServiceMethods.userClass(bean)));
        return parley;
    }

    private static RpcFault faultOf(Mono<?> reply) {
        AtomicReference<Throwable> error = new AtomicReference<>();
        StepVerifier.create(reply).consumeErrorWith(error::set).verify(TIMEOUT);
        assertThat(error.get()).isInstanceOf(RpcFault.class);
        return (RpcFault) error.get();
    }

    @Test
    void everyAnnotatedMethod_isServed_underItsParleyName() {
        List<ServerMethod<?, ?>> methods = ParleyServiceMethods.of(new Shapes(), Shapes.class);

        assertThat(methods).extracting(ServerMethod::name).containsExactly("answer", "asyncFunc", "asyncNoRequest",
                "asyncThrows", "callOnly", "echo", "hello", "hold", "method", "monoFault", "monoThrows", "nothing",
                "plainFault", "unexpected", "upper");
    }

    @Test
    void requestTypes_areTheParameterTypes_voidWithoutOne_boxedForPrimitives() {
        Map<String, ServerMethod<?, ?>> methods = new LinkedHashMap<>();
        ParleyServiceMethods.of(new Shapes(), Shapes.class).forEach(m -> methods.put(m.name(), m));

        assertThat(methods.get("echo").requestType()).isEqualTo(String.class);
        assertThat(methods.get("asyncFunc").requestType()).isEqualTo(Long.class);
        assertThat(methods.get("hello").requestType()).isEqualTo(Void.class);
        assertThat(methods.get("callOnly").requestType()).isEqualTo(Void.class);
        assertThat(methods.get("asyncNoRequest").requestType()).isEqualTo(Void.class);
    }

    @Test
    void onlyPlainMethods_areMarkedBlocking() {
        Map<String, ServerMethod<?, ?>> methods = new LinkedHashMap<>();
        ParleyServiceMethods.of(new Shapes(), Shapes.class).forEach(m -> methods.put(m.name(), m));

        assertThat(methods.values()).filteredOn(ServerMethod::isBlocking).extracting(ServerMethod::name)
                .containsExactlyInAnyOrder("answer", "nothing", "plainFault", "unexpected", "upper");
    }

    @Test
    void monoMethod_repliesWithItsValue() {
        StepVerifier.create(serve(new Shapes()).client.call("echo", "ping", String.class))
                .expectNext("ping").expectComplete().verify(TIMEOUT);
    }

    @Test
    void monoMethodWithoutRequest_isCalledByItsAnnotatedName() {
        StepVerifier.create(serve(new Shapes()).client.call("hello", null, String.class))
                .expectNext("hello").expectComplete().verify(TIMEOUT);
    }

    @Test
    void monoMethodWithAsyncCall_isGivenTheCall() {
        InProcessParley p = serve(new Shapes());

        StepVerifier.create(p.client.call("method", "x", String.class)).expectNext("method:x").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.call("callOnly", null, String.class))
                .expectNext(String.valueOf(RpcStatus.CALL_IN_PROGRESS.value())).expectComplete().verify(TIMEOUT);
    }

    @Test
    void asyncMethod_completesTheCallItself_laterFromAnotherThread() {
        InProcessParley p = serve(new Shapes());

        StepVerifier.create(p.client.call("asyncFunc", 5L, Integer.class)).expectNext(1).expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.call("asyncNoRequest", null, String.class))
                .expectNext("done").expectComplete().verify(TIMEOUT);
    }

    @Test
    void plainMethod_isBlocking_andRunsOnBoundedElastic() {
        Shapes shapes = new Shapes();

        StepVerifier.create(serve(shapes).client.call("upper", "abc", String.class))
                .expectNext("ABC").expectComplete().verify(TIMEOUT);
        assertThat(shapes.thread.get()).startsWith("boundedElastic-");
    }

    @Test
    void plainMethodWithoutRequest_returningAPrimitive_replies() {
        StepVerifier.create(serve(new Shapes()).client.call("answer", null, Integer.class))
                .expectNext(42).expectComplete().verify(TIMEOUT);
    }

    @Test
    void plainMethodReturningNull_completesTheCallWithoutAValue() {
        StepVerifier.create(serve(new Shapes()).client.call("nothing", "x", String.class))
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void faultCodeThrownByAPlainMethod_reachesTheClientUnchanged() {
        assertThat(faultOf(serve(new Shapes()).client.call("plainFault", "x", String.class)).faultCode()).isEqualTo(FAULT);
    }

    @Test
    void faultCodeFromAMonoMethod_reachesTheClientUnchanged() {
        InProcessParley p = serve(new Shapes());

        assertThat(faultOf(p.client.call("monoFault", "x", String.class)).faultCode()).isEqualTo(FAULT);
        assertThat(faultOf(p.client.call("monoThrows", "x", String.class)).faultCode()).isEqualTo(FAULT);
    }

    @Test
    void faultCodeThrownByAnAsyncMethod_reachesTheClientUnchanged() {
        assertThat(faultOf(serve(new Shapes()).client.call("asyncThrows", "x", String.class)).faultCode()).isEqualTo(FAULT);
    }

    @Test
    void unexpectedException_endsTheCallWithCallFailed_andItsMessageStaysOnTheServer() {
        RpcFault fault = faultOf(serve(new Shapes()).client.call("unexpected", "x", String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.CALL_FAILED);
        assertThat(fault.getMessage()).doesNotContain("secret detail");
    }

    @Test
    void monoMethod_seesTestCancelTurnOk_whenTheClientDisposes() throws InterruptedException {
        Shapes shapes = new Shapes();
        Disposable subscription = serve(shapes).client.call("hold", "x", String.class).subscribe(reply -> { }, error -> { });
        assertThat(shapes.holding.await(10, TimeUnit.SECONDS)).isTrue();
        AsyncCall<String> call = shapes.held.get();
        assertThat(call.testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);

        subscription.dispose();

        StepVerifier.create(call.cancelled()).expectComplete().verify(TIMEOUT);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(shapes.handlerCancelled.await(10, TimeUnit.SECONDS)).as("the handler's Mono is cancelled").isTrue();
    }

    @Test
    void methodsAreInvokedThroughTheBean_soAnAopProxyApplies() {
        ProxyFactory factory = new ProxyFactory(new Shapes());
        factory.setProxyTargetClass(true);
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        factory.addAdvice((org.aopalliance.intercept.MethodInterceptor) invocation -> {
            seen.add(invocation.getMethod().getName());
            return invocation.proceed();
        });
        Object proxy = factory.getProxy();
        assertThat(AopUtils.isCglibProxy(proxy)).isTrue();
        assertThat(ParleyServiceMethods.userClass(proxy)).isEqualTo(Shapes.class);

        StepVerifier.create(serve(proxy).client.call("echo", "via proxy", String.class))
                .expectNext("via proxy").expectComplete().verify(TIMEOUT);
        assertThat(seen).containsExactly("echo");
    }

    public interface Greeter {
        @ParleyMethod
        Mono<String> greet(String name);
    }

    static class InterfaceGreeter implements Greeter {
        @Override
        public Mono<String> greet(String name) {
            return Mono.just("hi " + name);
        }
    }

    @Test
    void annotationOnAnInterfaceMethod_isFound_andAJdkProxyIsInvokedThroughTheInterface() {
        ProxyFactory factory = new ProxyFactory(new InterfaceGreeter());
        factory.addInterface(Greeter.class);
        Object proxy = factory.getProxy();
        assertThat(AopUtils.isJdkDynamicProxy(proxy)).isTrue();

        StepVerifier.create(serve(proxy).client.call("greet", "Ann", String.class))
                .expectNext("hi Ann").expectComplete().verify(TIMEOUT);
    }

    @ParleyService
    static class Inventory {
        @ParleyMethod("inventory.count")
        Mono<Integer> count(String item) {
            return Mono.just(item.length());
        }
    }

    @ParleyService
    static class Pricing {
        @ParleyMethod("pricing.quote")
        String quote(String item) {
            return item + ": 10";
        }
    }

    @ParleyService
    static class MoreOrders {
        @ParleyMethod("inventory.count")
        Mono<Integer> countOrders(String item) {
            return Mono.just(0);
        }
    }

    @Test
    void collect_servesTheMethodsOfEveryParleyServiceBean_andNoOtherBean() {
        new ApplicationContextRunner()
                .withBean("inventory", Inventory.class)
                .withBean("pricing", Pricing.class)
                .withBean("notAService", Shapes.class)
                .run(context -> {
                    List<ServerMethod<?, ?>> methods = ParleyServiceMethods.collect(context);
                    assertThat(methods).extracting(ServerMethod::name).containsExactly("inventory.count", "pricing.quote");
                    try (InProcessParley p = InProcessParley.serve(methods)) {
                        StepVerifier.create(p.client.call("pricing.quote", "tea", String.class))
                                .expectNext("tea: 10").expectComplete().verify(TIMEOUT);
                    }
                });
    }

    @Test
    void collect_refusesOneNameInTwoBeans() {
        new ApplicationContextRunner()
                .withBean("inventory", Inventory.class)
                .withBean("moreOrders", MoreOrders.class)
                .run(context -> assertThatIllegalStateException().isThrownBy(() -> ParleyServiceMethods.collect(context))
                        .withMessageContaining("'inventory.count' is served twice")
                        .withMessageContaining("Inventory.count(String) of bean 'inventory'")
                        .withMessageContaining("MoreOrders.countOrders(String) of bean 'moreOrders'"));
    }

    // ---- streams and one-way calls ---------------------------------------------------------------

    public record Item(String name, int count) {
    }

    /** Every stream shape, and the one-way shape, @ParleyMethod serves. */
    static class Streams {

        final Queue<String> received = new ConcurrentLinkedQueue<>();
        final Queue<RpcStatus> cancelSeen = new ConcurrentLinkedQueue<>();

        @ParleyMethod
        Flux<String> letters(String word) {
            return Flux.fromArray(word.split(""));
        }

        @ParleyMethod("ticks")
        Flux<Integer> noRequest() {
            return Flux.range(1, 3);
        }

        @ParleyMethod
        Flux<String> withStream(String text, ServerStream<String> stream) {
            return Flux.just(stream.method() + ":" + text, String.valueOf(stream.testCancel().value()));
        }

        @ParleyMethod
        Flux<String> streamOnly(ServerStream<String> stream) {
            return Flux.just(stream.method());
        }

        @ParleyMethod
        void countdown(Integer from, ServerStream<Integer> stream) {
            for (int i = from; i > 0; i--) {
                stream.next(i);
            }
            stream.complete(0);
        }

        /** Reports what testCancel() says when the client cancels, and ends a graceful cancel with a last item. */
        @ParleyMethod
        void progress(String job, ServerStream<String> stream) {
            stream.next(job + " started");
            stream.cancelled().subscribe(null, null, () -> {
                cancelSeen.add(stream.testCancel());
                stream.complete(job + " stopped");
            });
        }

        @ParleyMethod
        Flux<String> endless(String text, ServerStream<String> stream) {
            stream.cancelled().subscribe(null, null, () -> cancelSeen.add(stream.testCancel()));
            return Flux.just(text).concatWith(Flux.never());
        }

        @ParleyMethod
        Flux<String> failAfterTwo(String text) {
            return Flux.just("a", "b").concatWith(Flux.error(new RpcFault(FAULT, "mid-stream")));
        }

        @ParleyMethod
        void abortAfterOne(Integer faultCode, ServerStream<Integer> stream) {
            stream.next(1);
            stream.abort(faultCode);
        }

        @ParleyMethod
        Mono<Integer> sum(Flux<Integer> numbers) {
            return numbers.reduce(0, Integer::sum);
        }

        @ParleyMethod
        Mono<Integer> totalCount(Flux<Item> items) {
            return items.map(Item::count).reduce(0, Integer::sum);
        }

        @ParleyMethod
        Flux<String> shout(Flux<String> words) {
            return words.map(String::toUpperCase);
        }

        @ParleyMethod
        Flux<String> channelThrows(Flux<String> words) {
            throw new RpcFault(FAULT, "thrown by a channel method");
        }

        @ParleyMethod
        void echoEach(Flux<String> words, ServerStream<String> stream) {
            words.subscribe(word -> stream.next(word + "!"), error -> stream.abort(RpcStatus.CALL_FAILED.value()),
                    () -> stream.complete());
        }

        @ParleyMethod
        void record(String event) {
            received.add(event + " on " + Thread.currentThread().getName());
        }

        @ParleyMethod
        void ping() {
            received.add("ping");
        }
    }

    abstract static class Counter<T> {
        @ParleyMethod
        Mono<Long> count(Flux<T> items) {
            return items.count();
        }
    }

    static class ItemCounter extends Counter<Item> {
    }

    private static Map<String, ServerMethod<?, ?>> byName(Object bean) {
        Map<String, ServerMethod<?, ?>> methods = new LinkedHashMap<>();
        ParleyServiceMethods.of(bean, ParleyServiceMethods.userClass(bean)).forEach(m -> methods.put(m.name(), m));
        return methods;
    }

    @Test
    void everyShape_isReadFromTheSignature() {
        Map<String, ServerMethod<?, ?>> methods = byName(new Streams());

        assertThat(methods).hasEntrySatisfying("letters", m -> assertThat(m.shape()).isEqualTo(CallShape.SERVER_STREAM))
                .hasEntrySatisfying("ticks", m -> assertThat(m.shape()).isEqualTo(CallShape.SERVER_STREAM))
                .hasEntrySatisfying("withStream", m -> assertThat(m.shape()).isEqualTo(CallShape.SERVER_STREAM))
                .hasEntrySatisfying("countdown", m -> assertThat(m.shape()).isEqualTo(CallShape.SERVER_STREAM))
                .hasEntrySatisfying("sum", m -> assertThat(m.shape()).isEqualTo(CallShape.CLIENT_STREAM))
                .hasEntrySatisfying("shout", m -> assertThat(m.shape()).isEqualTo(CallShape.BIDI_STREAM))
                .hasEntrySatisfying("echoEach", m -> assertThat(m.shape()).isEqualTo(CallShape.BIDI_STREAM))
                .hasEntrySatisfying("record", m -> assertThat(m.shape()).isEqualTo(CallShape.ONE_WAY))
                .hasEntrySatisfying("ping", m -> assertThat(m.shape()).isEqualTo(CallShape.ONE_WAY));
        assertThat(byName(new Shapes()).values()).extracting(ServerMethod::shape).containsOnly(CallShape.UNARY);
    }

    @Test
    void requestTypeOfAFluxParameter_isItsTypeArgument_resolvedAgainstTheBeansClass() {
        Map<String, ServerMethod<?, ?>> methods = byName(new Streams());

        assertThat(methods.get("sum").requestType()).isEqualTo(Integer.class);
        assertThat(methods.get("totalCount").requestType()).isEqualTo(Item.class);
        assertThat(methods.get("shout").requestType()).isEqualTo(String.class);
        assertThat(methods.get("ticks").requestType()).isEqualTo(Void.class);
        assertThat(byName(new ItemCounter()).get("count").requestType()).isEqualTo(Item.class);
    }

    @Test
    void onlyOneWayMethods_amongTheStreamShapes_areMarkedBlocking() {
        assertThat(byName(new Streams()).values()).filteredOn(ServerMethod::isBlocking).extracting(ServerMethod::name)
                .containsExactlyInAnyOrder("record", "ping");
    }

    @Test
    void fluxMethod_isAServerStream_ofItsItems() {
        InProcessParley p = serve(new Streams());

        StepVerifier.create(p.client.stream("letters", "abc", String.class))
                .expectNext("a", "b", "c").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.stream("ticks", null, Integer.class))
                .expectNext(1, 2, 3).expectComplete().verify(TIMEOUT);
    }

    @Test
    void fluxMethodWithServerStream_isGivenTheStream() {
        InProcessParley p = serve(new Streams());

        StepVerifier.create(p.client.stream("withStream", "x", String.class))
                .expectNext("withStream:x", String.valueOf(RpcStatus.CALL_IN_PROGRESS.value())).expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.stream("streamOnly", null, String.class))
                .expectNext("streamOnly").expectComplete().verify(TIMEOUT);
    }

    @Test
    void seedStyleStream_sendsItsItems_andCompletesWithALastOne() {
        StepVerifier.create(serve(new Streams()).client.stream("countdown", 3, Integer.class))
                .expectNext(3, 2, 1, 0).expectComplete().verify(TIMEOUT);
    }

    @Test
    void seedStyleStream_gracefulCancel_isAnsweredWithTheServersLastItem() {
        Streams streams = new Streams();
        ClientStream<String> job = serve(streams).client.startStream("progress", "job", String.class);

        StepVerifier.create(job.items())
                .expectNext("job started")
                .then(() -> assertThat(job.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK))
                .expectNext("job stopped")
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(next(streams.cancelSeen, "the server's testCancel()")).isEqualTo(RpcStatus.OK);
        assertThat(job.complete()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void fluxMethod_seesTestCancelTurnOk_whenTheClientDisposes() {
        Streams streams = new Streams();
        Queue<String> items = new ConcurrentLinkedQueue<>();
        Disposable subscription = serve(streams).client.stream("endless", "first", String.class)
                .subscribe(items::add, error -> { });
        assertThat(next(items, "the first item")).isEqualTo("first");

        subscription.dispose();

        assertThat(next(streams.cancelSeen, "the server's testCancel()")).isEqualTo(RpcStatus.OK);
    }

    @Test
    void faultCodeInTheMiddleOfAStream_reachesTheClientAfterTheItemsBeforeIt() {
        InProcessParley p = serve(new Streams());

        StepVerifier.create(p.client.stream("failAfterTwo", "x", String.class))
                .expectNext("a", "b")
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).faultCode()).isEqualTo(FAULT))
                .verify(TIMEOUT);
        StepVerifier.create(p.client.stream("abortAfterOne", 5, Integer.class))
                .expectNext(1)
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.ACCESS_DENIED))
                .verify(TIMEOUT);
    }

    @Test
    void monoMethodOfAFlux_isAClientStream() {
        InProcessParley p = serve(new Streams());

        StepVerifier.create(p.client.clientStream("sum", Flux.just(1, 2, 3), Integer.class))
                .expectNext(6).expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.clientStream("totalCount", Flux.just(new Item("a", 2), new Item("b", 5)), Integer.class))
                .expectNext(7).expectComplete().verify(TIMEOUT);
    }

    @Test
    void fluxMethodOfAFlux_isAChannel_inEitherStyle() {
        InProcessParley p = serve(new Streams());

        StepVerifier.create(p.client.channel("shout", Flux.just("a", "b"), String.class))
                .expectNext("A", "B").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.channel("echoEach", Flux.just("a", "b"), String.class))
                .expectNext("a!", "b!").expectComplete().verify(TIMEOUT);
    }

    @Test
    void faultCodeThrownByAChannelMethod_reachesTheClientUnchanged() {
        StepVerifier.create(serve(new Streams()).client.channel("channelThrows", Flux.just("a"), String.class))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).faultCode()).isEqualTo(FAULT))
                .verify(TIMEOUT);
    }

    @Test
    void voidMethodWithoutAHandle_isOneWay_andRunsOnBoundedElastic() {
        Streams streams = new Streams();
        InProcessParley p = serve(streams);

        StepVerifier.create(p.client.send("record", "event")).expectComplete().verify(TIMEOUT);
        assertThat(next(streams.received, "the one-way request")).startsWith("event on boundedElastic-");
        StepVerifier.create(p.client.send("ping", null)).expectComplete().verify(TIMEOUT);
        assertThat(next(streams.received, "the one-way call without a request")).isEqualTo("ping");
    }

    @Test
    void callInAnotherShape_endsWithInvalidAsyncCall() {
        InProcessParley p = serve(new Streams());

        assertThat(faultOf(p.client.call("letters", "abc", String.class)).status()).isEqualTo(RpcStatus.INVALID_ASYNC_CALL);
        StepVerifier.create(p.client.stream("sum", 1, Integer.class))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.INVALID_ASYNC_CALL))
                .verify(TIMEOUT);
    }

    // ---- signatures that cannot be served ---------------------------------------------------------

    static class TwoRequests {
        @ParleyMethod
        Mono<String> both(String a, String b) {
            return Mono.just(a + b);
        }
    }

    static class CallWithPlainReturn {
        @ParleyMethod
        String plain(String text, AsyncCall<String> call) {
            return text;
        }
    }

    static class StaticMethod {
        @ParleyMethod
        static Mono<String> shared(String text) {
            return Mono.just(text);
        }
    }

    static class FutureReturn {
        @ParleyMethod
        java.util.concurrent.CompletableFuture<String> later(String text) {
            return java.util.concurrent.CompletableFuture.completedFuture(text);
        }
    }

    static class ClientStreamWithCall {
        @ParleyMethod
        Mono<Integer> sum(Flux<Integer> numbers, AsyncCall<Integer> call) {
            return numbers.reduce(0, Integer::sum);
        }
    }

    static class FluxChannelWithStream {
        @ParleyMethod
        Flux<String> shout(Flux<String> words, ServerStream<String> stream) {
            return words;
        }
    }

    static class VoidForAFluxOfRequests {
        @ParleyMethod
        void swallow(Flux<String> words) {
        }
    }

    static class VoidForAFluxOfRequestsWithCall {
        @ParleyMethod
        void swallow(Flux<String> words, AsyncCall<String> call) {
        }
    }

    static class PlainReturnForAFluxOfRequests {
        @ParleyMethod
        String first(Flux<String> words) {
            return "";
        }
    }

    static class MonoRequest {
        @ParleyMethod
        Mono<String> await(Mono<String> text) {
            return text;
        }
    }

    static class MonoWithServerStream {
        @ParleyMethod
        Mono<String> once(String text, ServerStream<String> stream) {
            return Mono.just(text);
        }
    }

    static class PlainWithServerStream {
        @ParleyMethod
        String once(String text, ServerStream<String> stream) {
            return text;
        }
    }

    static class RawFlux {
        @ParleyMethod
        @SuppressWarnings("rawtypes")
        Mono<String> count(Flux words) {
            return Mono.just("");
        }
    }

    static class TwoHandles {
        @ParleyMethod
        void both(AsyncCall<String> call, ServerStream<String> stream) {
        }
    }

    private static void assertUnsupported(Object bean, String method, String why) {
        assertThatIllegalStateException().isThrownBy(() -> ParleyServiceMethods.of(bean, bean.getClass()))
                .withMessageContaining(method)
                .withMessageContaining(why)
                .withMessageContaining(ParleyServiceMethods.SUPPORTED_SHAPES);
    }

    @Test
    void twoRequestParameters_areRefused_namingTheMethod() {
        assertUnsupported(new TwoRequests(), "TwoRequests.both(String, String)", "2 request parameters");
    }

    @Test
    void asyncCallWithAPlainReturn_isRefused_namingTheMethod() {
        assertUnsupported(new CallWithPlainReturn(), "CallWithPlainReturn.plain(String, AsyncCall)",
                "takes an AsyncCall but returns String");
    }

    @Test
    void staticMethod_isRefused_namingTheMethod() {
        assertUnsupported(new StaticMethod(), "StaticMethod.shared(String)", "it is static");
    }

    @Test
    void futureReturn_isRefused_ratherThanEncodingTheFuture() {
        assertUnsupported(new FutureReturn(), "FutureReturn.later(String)", "it returns CompletableFuture");
    }

    @Test
    void clientStreamTakingAnAsyncCall_isRefused() {
        assertUnsupported(new ClientStreamWithCall(), "ClientStreamWithCall.sum(Flux, AsyncCall)",
                "a client stream is not given its AsyncCall (expected: Mono<R> m(Flux<Q>))");
    }

    @Test
    void fluxChannelTakingAServerStream_isRefused_pointingToTheSeedStyleChannel() {
        assertUnsupported(new FluxChannelWithStream(), "FluxChannelWithStream.shout(Flux, ServerStream)",
                "void m(Flux<Q>, ServerStream<R>) to hold the stream");
    }

    @Test
    void voidForAFluxOfRequests_isRefused_withOrWithoutAnAsyncCall() {
        assertUnsupported(new VoidForAFluxOfRequests(), "VoidForAFluxOfRequests.swallow(Flux)",
                "it returns void for a Flux of requests");
        assertUnsupported(new VoidForAFluxOfRequestsWithCall(), "VoidForAFluxOfRequestsWithCall.swallow(Flux, AsyncCall)",
                "a Flux of requests with an AsyncCall has no reply to complete it with");
    }

    @Test
    void plainReturnForAFluxOfRequests_isRefused() {
        assertUnsupported(new PlainReturnForAFluxOfRequests(), "PlainReturnForAFluxOfRequests.first(Flux)",
                "it takes a Flux of requests but returns String (expected: Mono for a client stream, Flux for a channel)");
    }

    @Test
    void monoRequestParameter_isRefused() {
        assertUnsupported(new MonoRequest(), "MonoRequest.await(Mono)", "its request parameter is a Mono");
    }

    @Test
    void serverStreamWithAMonoOrPlainReturn_isRefused() {
        assertUnsupported(new MonoWithServerStream(), "MonoWithServerStream.once(String, ServerStream)",
                "it takes a ServerStream but returns Mono (expected: Flux or void)");
        assertUnsupported(new PlainWithServerStream(), "PlainWithServerStream.once(String, ServerStream)",
                "it takes a ServerStream but returns String (expected: void or Flux)");
    }

    @Test
    void rawFluxParameter_isRefused_forWantOfAnElementType() {
        assertUnsupported(new RawFlux(), "RawFlux.count(Flux)", "its Flux parameter names no element type");
    }

    @Test
    void twoCallHandles_areRefused() {
        assertUnsupported(new TwoHandles(), "TwoHandles.both(AsyncCall, ServerStream)", "it takes two call handles");
    }

    // ---- one name, one method --------------------------------------------------------------------

    static class SameNameTwice {
        @ParleyMethod("find")
        Mono<String> findOne(String id) {
            return Mono.just(id);
        }

        @ParleyMethod
        Mono<String> find(String id) {
            return Mono.just(id);
        }
    }

    static class Orders {
        @ParleyMethod("find")
        Mono<String> find(String id) {
            return Mono.just(id);
        }
    }

    static class Customers {
        @ParleyMethod("find")
        String lookUp(String id) {
            return id;
        }
    }

    @Test
    void twoMethodsOfOneBeanWithOneName_areRefused_namingBoth() {
        assertThatIllegalStateException().isThrownBy(() -> ParleyServiceMethods.of(new SameNameTwice(), SameNameTwice.class))
                .withMessageContaining("'find' is served twice")
                .withMessageContaining("SameNameTwice.find(String)")
                .withMessageContaining("SameNameTwice.findOne(String)");
    }

    @Test
    void twoBeansWithOneName_areRefused_namingBothMethodsAndBeans() {
        Map<String, Class<?>> beans = new LinkedHashMap<>();
        beans.put("orders", Orders.class);
        beans.put("customers", Customers.class);

        assertThatIllegalStateException().isThrownBy(() -> ParleyServiceMethods.checkNoDuplicates(beans))
                .withMessage("Parley method 'find' is served twice: by Orders.find(String) of bean 'orders' and by "
                        + "Customers.lookUp(String) of bean 'customers' (expected: one @ParleyMethod per name)");
    }

    // ---- the caller: a Principal parameter, and Spring Security's refusals --------------------------

    /** A caller's principal of the test's own kind. */
    record User(String name) implements Principal {
        @Override
        public String getName() {
            return name;
        }
    }

    /** A principal of another kind than {@link User}. */
    record Robot(String name) implements Principal {
        @Override
        public String getName() {
            return name;
        }
    }

    /** Accepts any username with the password "pw", as a {@link User}; "robot" as a {@link Robot}. */
    private static final Authenticator USERS = credentials -> {
        if (credentials instanceof Credentials.Basic basic && basic.password().equals("pw")) {
            return Mono.just(basic.username().equals("robot") ? new Robot("robot") : new User(basic.username()));
        }
        return Mono.empty();
    };

    /** Every shape, each taking the caller: first, between the request and the handle, or last. */
    static class Callers {

        final Queue<String> received = new ConcurrentLinkedQueue<>();

        @ParleyMethod
        Mono<String> mono(String text, Principal caller) {
            return Mono.just(text + " from " + name(caller));
        }

        @ParleyMethod
        Mono<String> monoWithCall(Principal caller, AsyncCall<String> call) {
            return Mono.just(call.method() + " by " + name(caller));
        }

        @ParleyMethod
        String plain(User caller) {
            return name(caller);
        }

        @ParleyMethod
        void async(String text, Principal caller, AsyncCall<String> call) {
            call.complete(text + " from " + name(caller));
        }

        @ParleyMethod
        Flux<String> flux(String text, Principal caller) {
            return Flux.just(text, name(caller));
        }

        @ParleyMethod
        void seedStream(Principal caller, ServerStream<String> stream) {
            stream.complete(name(caller));
        }

        @ParleyMethod
        Mono<String> clientStream(Principal caller, Flux<String> texts) {
            return texts.collectList().map(list -> String.join(",", list) + " from " + name(caller));
        }

        @ParleyMethod
        Flux<String> channel(Flux<String> texts, Principal caller) {
            return texts.map(text -> text + " from " + name(caller));
        }

        @ParleyMethod
        void seedChannel(Flux<String> texts, Principal caller, ServerStream<String> stream) {
            texts.collectList().subscribe(list -> stream.complete(list.size() + " from " + name(caller)));
        }

        @ParleyMethod
        void oneWay(String text, Principal caller) {
            received.add(text + " from " + name(caller));
        }

        private static String name(@Nullable Principal caller) {
            return caller != null ? caller.getName() : "nobody";
        }
    }

    private InProcessParley serveCallers(Object bean, @Nullable Credentials credentials) {
        parley = InProcessParley.serve(ParleyServiceMethods.of(bean, ParleyServiceMethods.userClass(bean)), USERS, credentials);
        return parley;
    }

    @Test
    void principalParameter_ofEveryShape_isTheCaller_whereverItStands() {
        Callers callers = new Callers();
        InProcessParley p = serveCallers(callers, Credentials.basic("alice", "pw"));

        StepVerifier.create(p.client.call("mono", "hi", String.class)).expectNext("hi from alice").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.call("monoWithCall", null, String.class))
                .expectNext("monoWithCall by alice").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.call("plain", null, String.class)).expectNext("alice").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.call("async", "hi", String.class)).expectNext("hi from alice").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.stream("flux", "hi", String.class)).expectNext("hi", "alice").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.stream("seedStream", null, String.class)).expectNext("alice").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.clientStream("clientStream", Flux.just("a", "b"), String.class))
                .expectNext("a,b from alice").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.channel("channel", Flux.just("a", "b"), String.class))
                .expectNext("a from alice", "b from alice").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.channel("seedChannel", Flux.just("a", "b"), String.class))
                .expectNext("2 from alice").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.send("oneWay", "hi")).expectComplete().verify(TIMEOUT);
        assertThat(next(callers.received, "the one-way call")).isEqualTo("hi from alice");
    }

    @Test
    void principalParameter_isNull_forACallWithoutCredentials() {
        Callers callers = new Callers();
        InProcessParley p = serveCallers(callers, null);

        StepVerifier.create(p.client.call("mono", "hi", String.class)).expectNext("hi from nobody").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.channel("channel", Flux.just("a"), String.class))
                .expectNext("a from nobody").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.send("oneWay", "hi")).expectComplete().verify(TIMEOUT);
        assertThat(next(callers.received, "the one-way call")).isEqualTo("hi from nobody");
    }

    @Test
    void principalParameterOfASubtype_isNull_forACallerOfAnotherKind() {
        InProcessParley p = serveCallers(new Callers(), Credentials.basic("robot", "pw"));

        StepVerifier.create(p.client.call("plain", null, String.class)).expectNext("nobody").expectComplete().verify(TIMEOUT);
        StepVerifier.create(p.client.call("mono", "hi", String.class)).expectNext("hi from robot").expectComplete().verify(TIMEOUT);
    }

    @Test
    void principalParameter_isNotTheRequest_norCountsAsOne() {
        Map<String, ServerMethod<?, ?>> methods = byName(new Callers());

        assertThat(methods.get("mono").requestType()).isEqualTo(String.class);
        assertThat(methods.get("plain").requestType()).isEqualTo(Void.class);
        assertThat(methods.get("clientStream").requestType()).isEqualTo(String.class);
        assertThat(methods.get("clientStream").shape()).isEqualTo(CallShape.CLIENT_STREAM);
        assertThat(methods.get("channel").shape()).isEqualTo(CallShape.BIDI_STREAM);
        assertThat(methods.get("oneWay").shape()).isEqualTo(CallShape.ONE_WAY);
        assertThat(methods.get("seedChannel").shape()).isEqualTo(CallShape.BIDI_STREAM);
    }

    static class TwoPrincipals {
        @ParleyMethod
        Mono<String> both(Principal one, User other) {
            return Mono.just("");
        }
    }

    @Test
    void twoPrincipalParameters_areRefused() {
        assertUnsupported(new TwoPrincipals(), "TwoPrincipals.both(Principal, User)", "two principal parameters");
    }

    /** Spring Security's refusals, as its method security raises them. */
    static class Guarded {

        @ParleyMethod
        Mono<String> deniedMono(String text) {
            return Mono.error(new AuthorizationDeniedException("Access Denied"));
        }

        @ParleyMethod
        String deniedPlain(String text) {
            throw new AccessDeniedException("Access Denied");
        }

        @ParleyMethod
        Flux<String> deniedFlux(String text) {
            return Flux.concat(Flux.just(text), Flux.error(new AccessDeniedException("Access Denied")));
        }

        @ParleyMethod
        Mono<String> deniedClientStream(Flux<String> texts) {
            return texts.then(Mono.error(new AuthenticationCredentialsNotFoundException("no Authentication")));
        }

        @ParleyMethod
        void deniedAsync(String text, AsyncCall<String> call) {
            throw new AccessDeniedException("Access Denied");
        }

        @ParleyMethod
        Mono<String> echo(String text) {
            return Mono.just(text);
        }
    }

    @Test
    void springSecuritysRefusals_endTheCallWithAccessDenied_andTheConnectionServesOn() {
        InProcessParley p = serve(new Guarded());

        for (String method : List.of("deniedMono", "deniedPlain", "deniedAsync")) {
            RpcFault fault = faultOf(p.client.call(method, "x", String.class));
            assertThat(fault.status()).as(method).isEqualTo(RpcStatus.ACCESS_DENIED);
            assertThat(fault.detail()).as(method).isEqualTo("access denied");
        }
        StepVerifier.create(p.client.stream("deniedFlux", "first", String.class))
                .expectNext("first")
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.ACCESS_DENIED))
                .verify(TIMEOUT);
        StepVerifier.create(p.client.clientStream("deniedClientStream", Flux.just("a"), String.class))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.ACCESS_DENIED))
                .verify(TIMEOUT);
        StepVerifier.create(p.client.call("echo", "still here", String.class)).expectNext("still here").expectComplete().verify(TIMEOUT);
    }

    static class Idempotence {

        @ParleyMethod(idempotent = true)
        Mono<String> read(String key) {
            return Mono.just(key);
        }

        @ParleyMethod
        Mono<String> write(String key) {
            return Mono.just(key);
        }
    }

    @Test
    void idempotentAnnotation_declaresTheServerMethodIdempotent() {
        Map<String, ServerMethod<?, ?>> methods = new LinkedHashMap<>();
        ParleyServiceMethods.of(new Idempotence(), Idempotence.class).forEach(m -> methods.put(m.name(), m));

        assertThat(methods.get("read").isIdempotent()).isTrue();
        assertThat(methods.get("write").isIdempotent()).isFalse();
    }
}
