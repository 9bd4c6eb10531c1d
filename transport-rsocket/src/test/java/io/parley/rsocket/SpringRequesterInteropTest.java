package io.parley.rsocket;

import static io.parley.rsocket.SpringInterop.TIMEOUT;
import static io.parley.rsocket.SpringInterop.assertForeignReading;
import static io.parley.rsocket.SpringInterop.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.util.MimeTypeUtils;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.rsocket.SpringInterop.Greeting;
import io.parley.rsocket.SpringInterop.Reply;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.frame.ErrorFrameCodec;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A client Parley did not write — Spring's {@link RSocketRequester}, with Jackson 3 JSON and
 * composite metadata, as a Spring application sets it up — calls a Parley server over TCP. What
 * it sees is what {@code docs/wire-protocol.md} promises a foreign client: replies as JSON,
 * faults as APPLICATION_ERROR frames whose text names the code, cancels that reach the server.
 */
@ExtendWith(NettyLeakDetection.class)
class SpringRequesterInteropTest {

    /**
     * Calls that reached "hold". Lock-free: the handler adds on an event loop, where a contended
     * lock parks and BlockHound fails the handler after the call was added, ending it.
     */
    private final Queue<AsyncCall<Reply>> held = new ConcurrentLinkedQueue<>();
    private final List<Disposable> resources = new ArrayList<>();

    private ParleyServer server;
    private RSocketRequester requester;

    @BeforeEach
    void start() {
        server = ParleyServer.builder()
                .method(ServerMethod.mono("greet", Greeting.class, greeting -> Mono.just(Reply.to(greeting))))
                .method(ServerMethod.async("greetAsync", Greeting.class,
                        (Greeting greeting, AsyncCall<Reply> call) -> call.complete(Reply.to(greeting))))
                .method(ServerMethod.async("forget", Greeting.class, (Greeting greeting, AsyncCall<Void> call) -> call.complete(null)))
                .method(ServerMethod.mono("forgetMono", Greeting.class, greeting -> Mono.<Void>empty()))
                .method(ServerMethod.async("abort", Long.class, (Long code, AsyncCall<Reply> call) -> call.abort((int) code.longValue())))
                .method(ServerMethod.mono("deny", Greeting.class,
                        greeting -> Mono.<Reply>error(new RpcFault(RpcStatus.ACCESS_DENIED, "denied"))))
                .method(ServerMethod.async("hold", Greeting.class, (Greeting greeting, AsyncCall<Reply> call) -> held.add(call)))
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

    // ---- replies ------------------------------------------------------------------------------------

    @Test
    void springRequester_callsMonoMethod_receivesTheRecordAsJson() {
        Reply reply = requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT);

        assertThat(reply).isEqualTo(new Reply("Hello, Ada", 3));
    }

    @Test
    void springRequester_callsAsyncMethod_receivesTheRecordTheServerCompletedWith() {
        StepVerifier.create(requester.route("greetAsync").data(new Greeting("Grace")).retrieveMono(Reply.class))
                .expectNext(new Reply("Hello, Grace", 5))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springRequester_readsReplyAsRawJson_seesAPlainJsonObject() {
        String json = requester.route("greet").data(new Greeting("Ada")).retrieveMono(String.class).block(TIMEOUT);

        assertThat(json).isEqualTo("{\"text\":\"Hello, Ada\",\"length\":3}");
    }

    @Test
    void springRequester_callsAsyncMethodCompletedWithNull_completesEmpty() {
        StepVerifier.create(requester.route("forget").data(new Greeting("Ada")).retrieveMono(Void.class))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springRequester_callsMonoMethodThatCompletesEmpty_completesEmpty() {
        StepVerifier.create(requester.route("forgetMono").data(new Greeting("Ada")).retrieveMono(Void.class))
                .expectComplete()
                .verify(TIMEOUT);
    }

    // ---- faults -------------------------------------------------------------------------------------

    @Test
    void springRequester_serverAbortsWith5_readsCodeAndNameFromErrorFrame() {
        ApplicationErrorException error = errorOf(requester.route("abort").data(5L).retrieveMono(Reply.class));

        assertThat(error.errorCode()).isEqualTo(ErrorFrameCodec.APPLICATION_ERROR).isEqualTo(0x201);
        assertThat(error.getMessage()).isEqualTo("RPC_S_ACCESS_DENIED (5)");
        assertForeignReading(error.getMessage(), "RPC_S_ACCESS_DENIED", 5L, null);
        RpcFault rebuilt = FaultCodec.parse(error.getMessage());
        assertThat(rebuilt).isNotNull();
        assertThat(rebuilt.faultCode()).isEqualTo(5);
        assertThat(rebuilt.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
        assertThat(rebuilt.detail()).isNull();
    }

    @Test
    void springRequester_serverAbortsWith0xFFFFFFFF_readsTheUnsignedCodeFromErrorFrame() {
        ApplicationErrorException error = errorOf(requester.route("abort").data(0xFFFF_FFFFL).retrieveMono(Reply.class));

        assertThat(error.errorCode()).isEqualTo(0x201);
        assertThat(error.getMessage()).isEqualTo("0xFFFFFFFF (4294967295)");
        assertForeignReading(error.getMessage(), "0xFFFFFFFF", 4294967295L, null);
        RpcFault rebuilt = FaultCodec.parse(error.getMessage());
        assertThat(rebuilt).isNotNull();
        assertThat(rebuilt.faultCode()).isEqualTo(0xFFFF_FFFF);
        assertThat(rebuilt.status().unsignedValue()).isEqualTo(4294967295L);
    }

    @Test
    void springRequester_serverAbortsWithApplicationCode0x80000000_readsItFromErrorFrame() {
        ApplicationErrorException error = errorOf(requester.route("abort").data(0x8000_0000L).retrieveMono(Reply.class));

        assertThat(error.errorCode()).isEqualTo(0x201);
        assertThat(error.getMessage()).isEqualTo("0x80000000 (2147483648)");
        assertForeignReading(error.getMessage(), "0x80000000", 2147483648L, null);
        RpcFault rebuilt = FaultCodec.parse(error.getMessage());
        assertThat(rebuilt).isNotNull();
        assertThat(rebuilt.faultCode()).isEqualTo(0x8000_0000);
        assertThat(rebuilt.status().isWellKnown()).isFalse();
    }

    @Test
    void springRequester_serverFaultsWithDetail_readsNameCodeAndDetail() {
        ApplicationErrorException error = errorOf(requester.route("deny").data(new Greeting("Ada")).retrieveMono(Reply.class));

        assertThat(error.errorCode()).isEqualTo(0x201);
        assertThat(error.getMessage()).isEqualTo("RPC_S_ACCESS_DENIED (5): denied");
        assertForeignReading(error.getMessage(), "RPC_S_ACCESS_DENIED", 5L, "denied");
        RpcFault rebuilt = FaultCodec.parse(error.getMessage());
        assertThat(rebuilt).isNotNull();
        assertThat(rebuilt.faultCode()).isEqualTo(5);
        assertThat(rebuilt.detail()).isEqualTo("denied");
    }

    // ---- cancel -------------------------------------------------------------------------------------

    @Test
    void springRequester_disposesSubscription_serverSeesTheCancel_andItsCompleteReturnsCallCancelled() {
        Disposable subscription = requester.route("hold").data(new Greeting("Ada")).retrieveMono(Reply.class)
                .subscribe(reply -> { }, error -> { });
        resources.add(subscription);
        AsyncCall<Reply> call = nextHeldCall();
        assertThat(call.testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);
        assertThat(call.id()).as("a foreign client sends no call id").isZero();

        subscription.dispose();

        call.cancelled().block(TIMEOUT);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(call.complete(new Reply("too late", 0))).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(call.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        await("the server forgets the cancelled call", () -> server.activeCalls() == 0);
    }

    @Test
    void springRequester_afterACancel_theConnectionStillServesCalls() {
        Disposable subscription = requester.route("hold").data(new Greeting("Ada")).retrieveMono(Reply.class)
                .subscribe(reply -> { }, error -> { });
        resources.add(subscription);
        AsyncCall<Reply> call = nextHeldCall();
        subscription.dispose();
        call.cancelled().block(TIMEOUT);

        assertThat(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    // ---- failures a foreign client can cause ---------------------------------------------------------

    @Test
    void springRequester_unknownRoute_getsProcnumOutOfRange_andTheConnectionStaysUp() {
        ApplicationErrorException error = errorOf(requester.route("noSuchMethod").data(new Greeting("Ada")).retrieveMono(Reply.class));

        assertThat(error.errorCode()).isEqualTo(0x201);
        assertThat(error.getMessage()).startsWith("RPC_S_PROCNUM_OUT_OF_RANGE (1745)");
        assertThat(FaultCodec.parse(error.getMessage()).status()).isEqualTo(RpcStatus.PROCNUM_OUT_OF_RANGE);
        assertThat(requester.isDisposed()).isFalse();
        assertThat(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    @Test
    void springRequester_sendsAJsonStringWhereTheMethodTakesARecord_getsBadStubData() {
        // Spring's CharSequenceEncoder sends the String's bytes as they are: the data is the JSON string "Ada".
        ApplicationErrorException error = errorOf(requester.route("greet").data("\"Ada\"").retrieveMono(Reply.class));

        assertThat(error.errorCode()).isEqualTo(0x201);
        assertThat(error.getMessage()).startsWith("RPC_X_BAD_STUB_DATA (1783)");
        assertThat(FaultCodec.parse(error.getMessage()).status()).isEqualTo(RpcStatus.BAD_STUB_DATA);
        assertThat(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .as("the connection still serves calls")
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    @Test
    void springRequester_sendsDataThatIsNotJson_getsBadStubData() {
        ApplicationErrorException error = errorOf(requester.route("greet").data("{not json").retrieveMono(Reply.class));

        assertThat(error.getMessage()).startsWith("RPC_X_BAD_STUB_DATA (1783)");
    }

    @Test
    void springRequester_requestsAStreamOfAUnaryMethod_getsInvalidAsyncCall_andTheConnectionStaysUp() {
        ApplicationErrorException error = errorOf(requester.route("greet").data(new Greeting("Ada")).retrieveFlux(Reply.class).next());

        assertThat(error.errorCode()).isEqualTo(0x201);
        assertThat(error.getMessage()).startsWith("RPC_S_INVALID_ASYNC_CALL (1915)").contains("a unary call");
        assertThat(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    @Test
    void springRequester_opensAChannelToAUnaryMethod_getsInvalidAsyncCall_andTheConnectionStaysUp() {
        ApplicationErrorException error = errorOf(requester.route("greet")
                .data(Flux.just(new Greeting("Ada"), new Greeting("Grace")), Greeting.class)
                .retrieveFlux(Reply.class).next());

        assertThat(error.errorCode()).isEqualTo(0x201);
        assertThat(error.getMessage()).startsWith("RPC_S_INVALID_ASYNC_CALL (1915)").contains("a unary call");
        assertThat(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    @Test
    void springRequester_firesAndForgets_theConnectionStaysUp() {
        requester.route("greet").data(new Greeting("Ada")).send().block(TIMEOUT);

        assertThat(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    // ---- other ways a Spring requester connects ------------------------------------------------------

    @Test
    void springRequester_withBareRoutingMetadata_callsTheMethod() {
        RSocketRequester routingOnly = RSocketRequester.builder()
                .rsocketStrategies(SpringInterop.strategies())
                .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
                .metadataMimeType(MimeTypeUtils.parseMimeType(ParleyMetadataCodec.ROUTING_MIME_TYPE))
                .tcp("127.0.0.1", RSocketFixture.port(server));
        resources.add(routingOnly);

        assertThat(routingOnly.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .isEqualTo(new Reply("Hello, Ada", 3));
        assertThat(errorOf(routingOnly.route("abort").data(5L).retrieveMono(Reply.class)).getMessage())
                .isEqualTo("RPC_S_ACCESS_DENIED (5)");
    }

    @Test
    void springRequester_sendingSetupRouteAndData_callsTheMethod() {
        RSocketRequester withSetup = RSocketRequester.builder()
                .rsocketStrategies(SpringInterop.strategies())
                .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
                .setupRoute("connect")
                .setupData(new Greeting("setup"))
                .tcp("127.0.0.1", RSocketFixture.port(server));
        resources.add(withSetup);

        assertThat(withSetup.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    @Test
    void springRequester_withoutADataMimeType_picksJson_andCallsTheMethod() {
        RSocketRequester defaults = RSocketRequester.builder()
                .rsocketStrategies(SpringInterop.strategies())
                .tcp("127.0.0.1", RSocketFixture.port(server));
        resources.add(defaults);

        assertThat(defaults.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class).block(TIMEOUT))
                .isEqualTo(new Reply("Hello, Ada", 3));
    }

    @Test
    void springRequester_withADataMimeTypeTheServerHasNoCodecFor_isRefusedAtSetupWithProtocolError() {
        RSocketRequester plainText = RSocketRequester.builder()
                .rsocketStrategies(SpringInterop.strategies())
                .dataMimeType(MimeTypeUtils.TEXT_PLAIN)
                .tcp("127.0.0.1", RSocketFixture.port(server));
        resources.add(plainText);

        Throwable error = catchThrowable(() -> plainText.route("greet").data("Ada").retrieveMono(String.class).block(TIMEOUT));

        assertThat(error).isInstanceOf(RejectedSetupException.class);
        assertThat(((RejectedSetupException) error).errorCode()).isEqualTo(ErrorFrameCodec.REJECTED_SETUP);
        assertThat(error.getMessage()).startsWith("RPC_S_PROTOCOL_ERROR (1728): the server has no codec for text/plain");
        assertThat(FaultCodec.toFault(error).status()).isEqualTo(RpcStatus.PROTOCOL_ERROR);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static ApplicationErrorException errorOf(Mono<?> mono) {
        try {
            mono.block(TIMEOUT);
        }
        catch (ApplicationErrorException e) {
            return e;
        }
        catch (RuntimeException e) {
            throw new AssertionError("expected an ApplicationErrorException, got " + e, e);
        }
        throw new AssertionError("expected the call to fail, but it succeeded");
    }

    private AsyncCall<Reply> nextHeldCall() {
        return CallTestSupport.next(held, "a call reaching the server");
    }
}
