package io.parley.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.JsonCodec;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientSetup;
import io.parley.core.transport.InProcessTransport;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The two-stage timeout that stands in for MS-RPC's missing one: graceful cancel at the first
 * bound, abortive at the second, and the first bound known to the server. All in virtual time.
 */
class CallTimeoutTest {

    private static final Duration VERIFY = Duration.ofSeconds(10);
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
    private String name;
    private ParleyServer server;
    private ParleyClient client;

    @BeforeEach
    void start() {
        name = "timeouts-" + NAMES.incrementAndGet();
        server = ParleyServer.builder()
                .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> held.add(call)))
                .transport(InProcessTransport.server(name))
                .bindNow();
        client = ParleyClient.builder().transport(InProcessTransport.client(name)).build();
    }

    @AfterEach
    void stop() {
        client.dispose();
        server.dispose();
        VirtualTimeScheduler.reset();
    }

    private AsyncCall<String> heldCall() {
        AsyncCall<String> call = held.poll();
        assertThat(call).as("the call reached the server").isNotNull();
        return call;
    }

    @Test
    void gracefulBound_cancelsGracefully_serverTestCancelTurnsOk_andTheClientStillReceivesTheReply() {
        AtomicReference<AsyncCall<String>> call = new AtomicReference<>();
        StepVerifier.withVirtualTime(() -> client.call("hold", "x", String.class,
                        CallOptions.timeout(Duration.ofSeconds(2), Duration.ofSeconds(5))))
                .expectSubscription()
                .then(() -> {
                    call.set(heldCall());
                    assertThat(call.get().testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);
                })
                .thenAwait(Duration.ofMillis(1999))
                .then(() -> assertThat(call.get().testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS))
                .thenAwait(Duration.ofMillis(1))
                .then(() -> {
                    assertThat(call.get().testCancel()).isEqualTo(RpcStatus.OK);
                    assertThat(call.get().complete("wound down")).isEqualTo(RpcStatus.OK);
                })
                .expectNext("wound down")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void abortiveBound_endsTheCallWithTimeout_andTheServerSeesTheCancel() {
        AtomicReference<AsyncCall<String>> call = new AtomicReference<>();
        StepVerifier.withVirtualTime(() -> client.call("hold", "x", String.class,
                        CallOptions.timeout(Duration.ofSeconds(2), Duration.ofSeconds(5))))
                .expectSubscription()
                .then(() -> call.set(heldCall()))
                .thenAwait(Duration.ofSeconds(5))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(RpcFault.class);
                    assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.TIMEOUT);
                })
                .verify(VERIFY);
        assertThat(call.get().testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(call.get().complete("too late")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void singleAbortiveBound_endsTheCallWithTimeout() {
        StepVerifier.withVirtualTime(() -> client.call("hold", "x", String.class, CallOptions.timeout(Duration.ofSeconds(1))))
                .expectSubscription()
                .then(this::heldCall)
                .thenAwait(Duration.ofSeconds(1))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.TIMEOUT))
                .verify(VERIFY);
    }

    @Test
    void theFirstBound_travelsToTheServer_asTheCallsTimeout() {
        StepVerifier.withVirtualTime(() -> client.call("hold", "x", String.class,
                        CallOptions.timeout(Duration.ofSeconds(2), Duration.ofSeconds(5))))
                .expectSubscription()
                .then(() -> {
                    AsyncCall<String> call = heldCall();
                    assertThat(call.timeout()).isEqualTo(Duration.ofSeconds(2));
                    call.complete("done");
                })
                .expectNext("done")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void aCallWithoutTimeout_hasNoneOnTheServer_andIsNeverCancelled() {
        StepVerifier.withVirtualTime(() -> client.call("hold", "x", String.class))
                .expectSubscription()
                .then(() -> {
                    AsyncCall<String> call = heldCall();
                    assertThat(call.timeout()).isNull();
                    held.add(call);
                })
                .thenAwait(Duration.ofDays(365))
                .then(() -> {
                    AsyncCall<String> call = heldCall();
                    assertThat(call.testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);
                    call.complete("a year later");
                })
                .expectNext("a year later")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void serverTestCancel_turnsOkWhenTheTimeoutPasses_evenWithoutAGracefulNotice() {
        ClientConnection raw = InProcessTransport.client(name).connect(new ClientSetup(JsonCodec.MIME_TYPE, 1024, false));
        ByteBuffer request = JsonCodec.create().encode("x");
        AtomicReference<AsyncCall<String>> call = new AtomicReference<>();
        StepVerifier.withVirtualTime(() -> Mono.<String>create(sink -> startWithDemand(raw.newCall(new RpcRequest("hold", 1, Duration.ofSeconds(3), request)))
                        .start(new TransportCall.Listener() {
                            @Override
                            public void onNext(ByteBuffer reply) {
                            }

                            @Override
                            public void onComplete() {
                                sink.success("replied");
                            }

                            @Override
                            public void onFault(io.parley.core.RpcFault fault) {
                                sink.error(fault);
                            }
                        })))
                .expectSubscription()
                .then(() -> call.set(heldCall()))
                .thenAwait(Duration.ofMillis(2999))
                .then(() -> assertThat(call.get().testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS))
                .thenAwait(Duration.ofMillis(1))
                .then(() -> {
                    assertThat(call.get().testCancel()).isEqualTo(RpcStatus.OK);
                    call.get().complete("done");
                })
                .expectNext("replied")
                .expectComplete()
                .verify(VERIFY);
        raw.dispose();
    }

    /** A raw transport call asked for its one reply, as a client's call asks before it starts. */
    private static TransportCall startWithDemand(TransportCall call) {
        call.request(Long.MAX_VALUE);
        return call;
    }

    @Test
    void clientCall_gracefulThenAbortiveBound_statusGoesPendingThenTimeout() {
        VirtualTimeScheduler time = VirtualTimeScheduler.getOrSet();
        ClientCall<String> call = client.start("hold", "x", String.class,
                CallOptions.timeout(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        AsyncCall<String> serverCall = heldCall();

        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(serverCall.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(call.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);

        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(call.status()).isEqualTo(RpcStatus.TIMEOUT);
        assertThat(serverCall.complete("too late")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(call.complete()).isEqualTo(RpcStatus.TIMEOUT);
    }

    @Test
    void clientCall_replyBeforeTheBounds_cancelsTheTimers() {
        VirtualTimeScheduler time = VirtualTimeScheduler.getOrSet();
        ClientCall<String> call = client.start("hold", "x", String.class,
                CallOptions.timeout(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        heldCall().complete("early");

        time.advanceTimeBy(Duration.ofSeconds(3));
        AtomicReference<String> reply = new AtomicReference<>();
        assertThat(call.complete(reply::set)).isEqualTo(RpcStatus.OK);
        assertThat(reply.get()).isEqualTo("early");
    }
}
