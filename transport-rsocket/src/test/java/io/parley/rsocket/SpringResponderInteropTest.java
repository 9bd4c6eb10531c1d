package io.parley.rsocket;

import static io.parley.rsocket.SpringInterop.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.stereotype.Controller;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.rsocket.SpringInterop.Greeting;
import io.parley.rsocket.SpringInterop.Reply;
import io.parley.test.NettyLeakDetection;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.RSocketProxy;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * A Parley client calls a server Parley did not write: a plain Spring {@code @MessageMapping}
 * controller behind {@link RSocketMessageHandler}, set up by hand as Spring Boot would (no
 * application context), with Jackson 3 JSON. Parley's SETUP (composite metadata,
 * {@code application/json}) and its {@code message/x.parley.call.v0} entry must not trouble
 * Spring, Spring's errors must reach the client as faults, and both kinds of cancel must behave.
 */
@ExtendWith(NettyLeakDetection.class)
class SpringResponderInteropTest {

    private final GreetingController controller = new GreetingController();
    private final Sinks.Many<String> metadataPushes = Sinks.many().replay().all();
    private final List<Disposable> resources = new ArrayList<>();

    private ParleyClient client;

    /**
     * Loads Spring's {@link MessageHeaders} here, on the test's thread. Its static initializer seeds
     * a {@code SecureRandom} for message ids, reading {@code /dev/urandom}: left to the first
     * SETUP, that one-time read would happen on a Netty event loop, where BlockHound stops it and
     * the class fails to initialize for good (every later request then hangs). Outside tests the
     * read is harmless; this is Spring's, not Parley's.
     */
    @BeforeAll
    static void initializeSpringMessageHeaders() {
        assertThat(new MessageHeaders(null).getId()).isNotNull();
    }

    @BeforeEach
    void start() {
        CloseableChannel channel = SpringInterop.springServer(controller)
                // Only watches what Spring's responder makes of a METADATA_PUSH; Spring handles it as usual.
                .interceptors(registry -> registry.forResponder(this::watchMetadataPush))
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

    @Test
    void parleyClient_callsSpringMessageMapping_receivesTheRecord() {
        Reply reply = client.call("greet", new Greeting("Ada"), Reply.class).block(TIMEOUT);

        assertThat(reply).isEqualTo(new Reply("Hello, Ada", 3));
    }

    @Test
    void parleyClientCall_callsSpringMessageMapping_completesWithOk() {
        ClientCall<Reply> call = client.start("greet", new Greeting("Grace"), Reply.class);

        assertThat(call.completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        List<Reply> replies = new ArrayList<>();
        assertThat(call.complete(replies::add)).isEqualTo(RpcStatus.OK);
        assertThat(replies).containsExactly(new Reply("Hello, Grace", 5));
    }

    @Test
    void parleyClient_callsSpringMethodReturningEmptyMono_completesEmpty() {
        StepVerifier.create(client.call("nothing", new Greeting("Ada"), Void.class))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void parleyClient_springControllerErrors_getsCallFailedWithSpringsMessageAsDetail() {
        RpcFault fault = faultOf(client.call("fail", new Greeting("Ada"), Reply.class));

        // Spring sends APPLICATION_ERROR with the exception's message, "x": not Parley's form.
        assertThat(fault.status()).isEqualTo(RpcStatus.CALL_FAILED);
        assertThat(fault.faultCode()).isEqualTo(1726);
        assertThat(fault.detail()).isEqualTo("the server failed: x");
    }

    @Test
    void parleyClient_springControllerErrorsInParleysForm_getsTheExactFault() {
        RpcFault fault = faultOf(client.call("failInParleysForm", new Greeting("Ada"), Reply.class));

        assertThat(fault.faultCode()).isEqualTo(0x8000_0005);
        assertThat(fault.detail()).isEqualTo("no such account");
    }

    @Test
    void parleyClient_callsRouteSpringDoesNotHave_getsCallFailedNamingTheDestination() {
        RpcFault fault = faultOf(client.call("noSuchRoute", new Greeting("Ada"), Reply.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.CALL_FAILED);
        assertThat(fault.detail()).contains("noSuchRoute");
        assertThat(client.call("greet", new Greeting("Ada"), Reply.class).block(TIMEOUT))
                .as("the connection still serves calls")
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    @Test
    void parleyClient_disposesSubscription_springControllerMonoIsCancelled() {
        Disposable subscription = client.call("hold", new Greeting("Ada"), Reply.class).subscribe(reply -> { }, error -> { });
        resources.add(subscription);
        controller.subscribed.asMono().block(TIMEOUT);

        subscription.dispose();

        controller.cancelled.asMono().block(TIMEOUT);
        assertThat(controller.cancels.get()).isEqualTo(1);
    }

    @Test
    void parleyClientCall_cancelsAbortively_springControllerMonoIsCancelled_andCallEndsCancelled() {
        ClientCall<Reply> call = client.start("hold", new Greeting("Ada"), Reply.class);
        controller.subscribed.asMono().block(TIMEOUT);

        assertThat(call.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.OK);

        controller.cancelled.asMono().block(TIMEOUT);
        assertThat(call.complete()).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void parleyClientCall_cancelsGracefully_springResponderIgnoresTheMetadataPush_andTheReplyArrives() {
        ClientCall<Reply> call = client.start("hold", new Greeting("Ada"), Reply.class);
        controller.subscribed.asMono().block(TIMEOUT);

        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);

        assertThat(metadataPushes.asFlux().next().block(TIMEOUT))
                .as("Spring's responder handled the METADATA_PUSH").isEqualTo("handled");
        assertThat(call.status()).as("the client keeps waiting").isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(client.call("greet", new Greeting("Grace"), Reply.class).block(TIMEOUT))
                .as("the connection still serves calls")
                .isEqualTo(new Reply("Hello, Grace", 5));

        assertThat(controller.reply.tryEmitValue(new Reply("finished anyway", 0)).isSuccess()).isTrue();

        assertThat(call.completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        List<Reply> replies = new ArrayList<>();
        assertThat(call.complete(replies::add)).isEqualTo(RpcStatus.OK);
        assertThat(replies).containsExactly(new Reply("finished anyway", 0));
        assertThat(controller.cancels.get()).as("the graceful cancel does not cancel Spring's Mono").isZero();
    }

    @Test
    void parleyClient_timeoutsAgainstSpring_gracefulNoticeIsIgnored_abortiveCancelsTheControllerMono_andTheCallEndsWithTimeout() {
        // Call options, not waits. The connection is made first, so that on a loaded machine the
        // abortive bound cannot pass before the request is even out.
        assertThat(client.call("greet", new Greeting("warm-up"), Reply.class).block(TIMEOUT)).isNotNull();
        CallOptions options = CallOptions.timeout(Duration.ofMillis(200), Duration.ofMillis(2000));

        RpcFault fault = faultOf(client.call("hold", new Greeting("Ada"), Reply.class, options));

        assertThat(fault.status()).isEqualTo(RpcStatus.TIMEOUT);
        assertThat(metadataPushes.asFlux().next().block(TIMEOUT))
                .as("the graceful notice reached Spring, which handled it").isEqualTo("handled");
        controller.cancelled.asMono().block(TIMEOUT);
        assertThat(controller.cancels.get()).isEqualTo(1);
    }

    @Test
    void parleyClient_springReplyDoesNotDecodeToTheReplyType_getsBadStubData_andTheConnectionStaysUp() {
        RpcFault fault = faultOf(client.call("greet", new Greeting("Ada"), Integer.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.BAD_STUB_DATA);
        assertThat(client.call("greet", new Greeting("Ada"), Reply.class).block(TIMEOUT))
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private RSocket watchMetadataPush(RSocket springResponder) {
        return new RSocketProxy(springResponder) {
            @Override
            public Mono<Void> metadataPush(Payload payload) {
                return super.metadataPush(payload)
                        .doOnSuccess(done -> metadataPushes.tryEmitNext("handled"))
                        .doOnError(error -> metadataPushes.tryEmitNext("failed: " + error));
            }
        };
    }

    private static RpcFault faultOf(Mono<?> mono) {
        try {
            mono.block(TIMEOUT);
        }
        catch (RpcFault fault) {
            return fault;
        }
        throw new AssertionError("expected the call to end with an RpcFault, but it succeeded");
    }

    /** A plain Spring controller, as any Spring RSocket application writes one. */
    @Controller
    static final class GreetingController {

        final Sinks.Empty<Void> subscribed = Sinks.empty();
        final Sinks.Empty<Void> cancelled = Sinks.empty();
        final Sinks.One<Reply> reply = Sinks.one();
        /** Cancels of the held Mono before it replied. */
        final AtomicInteger cancels = new AtomicInteger();

        @MessageMapping("greet")
        Mono<Reply> greet(Greeting greeting) {
            return Mono.just(Reply.to(greeting));
        }

        @MessageMapping("nothing")
        Mono<Void> nothing(Greeting greeting) {
            return Mono.empty();
        }

        @MessageMapping("fail")
        Mono<Reply> fail(Greeting greeting) {
            return Mono.error(new IllegalStateException("x"));
        }

        @MessageMapping("failInParleysForm")
        Mono<Reply> failInParleysForm(Greeting greeting) {
            return Mono.error(FaultCodec.toError(new RpcFault(0x8000_0005, "no such account")));
        }

        /**
         * Holds the call until the test emits {@link #reply}. Counts the cancels that come before
         * the reply: Spring's response pipeline may also cancel the Mono once it has its value,
         * which is no cancel of the call.
         */
        @MessageMapping("hold")
        Mono<Reply> hold(Greeting greeting) {
            AtomicBoolean replied = new AtomicBoolean();
            return reply.asMono()
                    .doOnSubscribe(s -> subscribed.tryEmitEmpty())
                    .doOnNext(value -> replied.set(true))
                    .doOnCancel(() -> {
                        if (!replied.get()) {
                            cancels.incrementAndGet();
                            cancelled.tryEmitEmpty();
                        }
                    });
        }
    }
}
