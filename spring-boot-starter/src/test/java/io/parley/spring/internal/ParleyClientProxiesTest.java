package io.parley.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.ClientCall;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ServerMethod;
import io.parley.spring.ParleyMethod;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ParleyClientProxiesTest {

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

    private final AtomicInteger holds = new AtomicInteger();
    private final AtomicReference<AsyncCall<String>> held = new AtomicReference<>();
    private final CountDownLatch holding = new CountDownLatch(1);
    private InProcessParley parley;
    private Api api;

    @BeforeEach
    void start() {
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
        parley = InProcessParley.serve(methods);
        api = ParleyClientProxies.create(Api.class, parley.client);
    }

    @AfterEach
    void stop() {
        AsyncCall<String> call = held.get();
        if (call != null) {
            call.abort(RpcStatus.CALL_CANCELLED.value());
        }
        parley.close();
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
            DefaultsSeen proxy = ParleyClientProxies.create(DefaultsSeen.class, withDefaults.client);

            StepVerifier.create(proxy.plain()).expectNext("PT42S").expectComplete().verify(TIMEOUT);
            StepVerifier.create(proxy.generic()).expectNext(List.of("PT42S")).expectComplete().verify(TIMEOUT);
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
        Api other = ParleyClientProxies.create(Api.class, parley.client);

        assertThat(api).isEqualTo(api).isNotEqualTo(other).isNotEqualTo(null);
        assertThat(api.hashCode()).isEqualTo(api.hashCode()).isEqualTo(System.identityHashCode(api));
        assertThat(api.toString()).contains(Api.class.getName()).contains(parley.client.toString());
    }

    // ---- shapes that cannot be called ------------------------------------------------------------

    public interface FluxReturn {
        Flux<String> many(String text);
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
        assertThatIllegalStateException().isThrownBy(() -> ParleyClientProxies.create(iface, parley.client))
                .withMessageContaining("@ParleyClient method " + method)
                .withMessageContaining(why)
                .withMessageContaining("supported: Mono<R> m(), Mono<R> m(Q), Mono<R> m(CallOptions), Mono<R> m(Q, CallOptions)");
    }

    @Test
    void fluxReturn_isRefused_namingTheMethod() {
        assertUnsupported(FluxReturn.class, "FluxReturn.many(String)", "it returns Flux");
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
        assertThatIllegalStateException().isThrownBy(() -> ParleyClientProxies.check(NotAnInterface.class))
                .withMessageContaining(NotAnInterface.class.getName() + " is not an interface");
    }
}
