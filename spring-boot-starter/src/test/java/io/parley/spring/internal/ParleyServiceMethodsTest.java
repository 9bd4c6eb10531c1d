package io.parley.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ServerMethod;
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

    // ---- signatures that cannot be served ---------------------------------------------------------

    static class FluxReturn {
        @ParleyMethod
        Flux<String> many(String text) {
            return Flux.just(text);
        }
    }

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

    static class VoidWithoutCall {
        @ParleyMethod
        void fire(String text) {
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

    private static void assertUnsupported(Object bean, String method, String why) {
        assertThatIllegalStateException().isThrownBy(() -> ParleyServiceMethods.of(bean, bean.getClass()))
                .withMessageContaining(method)
                .withMessageContaining(why)
                .withMessageContaining("supported: Mono<R> m(Q), Mono<R> m(Q, AsyncCall<R>), void m(Q, AsyncCall<R>), R m(Q)");
    }

    @Test
    void fluxReturn_isRefused_namingTheMethod() {
        assertUnsupported(new FluxReturn(), "FluxReturn.many(String)", "it returns Flux");
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
    void voidWithoutAsyncCall_isRefused_namingTheMethod() {
        assertUnsupported(new VoidWithoutCall(), "VoidWithoutCall.fire(String)", "returns void without an AsyncCall");
    }

    @Test
    void staticMethod_isRefused_namingTheMethod() {
        assertUnsupported(new StaticMethod(), "StaticMethod.shared(String)", "it is static");
    }

    @Test
    void futureReturn_isRefused_ratherThanEncodingTheFuture() {
        assertUnsupported(new FutureReturn(), "FutureReturn.later(String)", "it returns CompletableFuture");
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
}
