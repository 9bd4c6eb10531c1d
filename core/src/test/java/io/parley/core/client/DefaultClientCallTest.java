package io.parley.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.test.StepVerifier;

/**
 * The one client call state machine against a transport handle that only records what it is
 * told: the seed's client states by name, and what reaches the transport from either door (the
 * {@code Mono} and the {@link ClientCall}).
 */
class DefaultClientCallTest {

    private static final Duration VERIFY = Duration.ofSeconds(5);

    /**
     * What the client told the transport, in order, and the listener of the last call. Lock-free:
     * the race test cancels from parallel threads, where a contended lock would park and
     * BlockHound would fail the racer.
     */
    private final Queue<String> wire = new ConcurrentLinkedQueue<>();
    private final AtomicReference<TransportCall.Listener> listener = new AtomicReference<>();

    private final ParleyClient client = ParleyClient.builder().transport(setup -> new ClientConnection() {
        @Override
        public TransportCall newCall(RpcRequest request) {
            return new TransportCall() {
                @Override
                public void start(Listener l) {
                    listener.set(l);
                    wire.add("start " + request.callId());
                }

                @Override
                public void request(long n) {
                    // a unary call asks for its one reply before it starts
                }

                @Override
                public void cancel() {
                    wire.add("cancel " + request.callId());
                }

                @Override
                public void cancelGracefully() {
                    wire.add("graceful " + request.callId());
                }
            };
        }

        @Override
        public void dispose() {
        }
    }).build();

    private static ByteBuffer json(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static DefaultClientCall<String> impl(ClientCall<String> call) {
        return (DefaultClientCall<String>) call;
    }

    @Test
    void states_C_WComp_Can_WComp_Comp_End_byName() {
        ClientCall<String> call = client.start("hold", "x", String.class);
        assertThat(impl(call).stateName()).isEqualTo("WComp");

        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        assertThat(impl(call).stateName()).as("a graceful cancel waits for the server's own end").isEqualTo("Can");

        listener.get().onNext(json("\"last\""));
        listener.get().onComplete();
        assertThat(impl(call).stateName()).isEqualTo("Comp");

        AtomicReference<String> reply = new AtomicReference<>();
        assertThat(call.complete(reply::set)).isEqualTo(RpcStatus.OK);
        assertThat(reply).hasValue("last");
        assertThat(impl(call).stateName()).isEqualTo("End");
        assertThat(wire).containsExactly("start " + call.id(), "graceful " + call.id());
    }

    @Test
    void gracefulCancel_twice_reachesTheTransportOnce() {
        ClientCall<String> call = client.start("hold", "x", String.class);

        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);

        assertThat(wire).containsExactly("start " + call.id(), "graceful " + call.id());
    }

    @Test
    void monoDisposed_theCancelGoesStraightToTheTransport_andTheSubscriberHearsNothing() {
        AtomicInteger signals = new AtomicInteger();
        Disposable d = client.call("hold", "x", String.class)
                .subscribe(v -> signals.incrementAndGet(), e -> signals.incrementAndGet(), signals::incrementAndGet);

        d.dispose();
        listener.get().onNext(json("\"late\""));
        listener.get().onComplete();

        assertThat(wire).containsExactly("start 1", "cancel 1");
        assertThat(signals).hasValue(0);
    }

    @Test
    void monoCancelledInOnSubscribe_nothingIsStarted() {
        client.call("hold", "x", String.class).subscribe(new BaseSubscriber<String>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                subscription.cancel();
            }
        });

        assertThat(wire).isEmpty();
    }

    @Test
    void mono_replyWaitsForDemand() {
        StepVerifier.create(client.call("hold", "x", String.class), 0)
                .expectSubscription()
                .then(() -> {
                    listener.get().onNext(json("\"r\""));
                    listener.get().onComplete();
                })
                .expectNoEvent(Duration.ofMillis(10))
                .thenRequest(1)
                .expectNext("r")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void undecodableReply_endsWithBadStubData_andCancelsTheTransportCall() {
        ClientCall<Integer> call = client.start("hold", "x", Integer.class);

        listener.get().onNext(json("\"not a number\""));
        listener.get().onComplete();

        assertThat(call.status()).isEqualTo(RpcStatus.BAD_STUB_DATA);
        assertThat(wire).containsExactly("start " + call.id(), "cancel " + call.id());
    }

    @Test
    void methodNameOver255Utf8Bytes_isRefusedWithInvalidArg_beforeAnythingIsSent() {
        String longName = "é".repeat(128);   // 256 UTF-8 bytes in 128 chars

        assertThatThrownBy(() -> client.start(longName, "x", String.class))
                .isInstanceOfSatisfying(RpcFault.class, f -> assertThat(f.status()).isEqualTo(RpcStatus.INVALID_ARG))
                .hasMessageContaining("256 UTF-8 bytes");
        StepVerifier.create(client.call(longName, "x", String.class))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RpcFault.class,
                        f -> assertThat(f.status()).isEqualTo(RpcStatus.INVALID_ARG)))
                .verify(VERIFY);
        assertThat(wire).isEmpty();

        client.start("é".repeat(127) + "a", "x", String.class);
        assertThat(wire).as("255 bytes is the limit, and allowed").hasSize(1);
    }

    @Test
    void replyAndAbortiveCancelRacing_endTheCallExactlyOnce() throws Exception {
        int rounds = 10_000;
        AtomicInteger oks = new AtomicInteger();
        AtomicInteger cancels = new AtomicInteger();
        // Plain threads, not Reactor's: a racer waits on a latch, which Reactor's threads must not.
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < rounds; i++) {
                ClientCall<String> call = client.start("hold", "x", String.class);
                TransportCall.Listener l = listener.get();
                CountDownLatch go = new CountDownLatch(1);
                Future<?> reply = racers.submit(() -> {
                    go.await();
                    l.onNext(json("\"r\""));
                    l.onComplete();
                    return null;
                });
                Future<RpcStatus> cancel = racers.submit(() -> {
                    go.await();
                    return call.cancel(CancelMode.ABORTIVE);
                });
                go.countDown();
                reply.get(VERIFY.toMillis(), TimeUnit.MILLISECONDS);
                RpcStatus cancelResult = cancel.get(VERIFY.toMillis(), TimeUnit.MILLISECONDS);
                RpcStatus outcome = call.status();
                if (outcome == RpcStatus.OK) {
                    assertThat(cancelResult).isEqualTo(RpcStatus.NOT_CANCELLED);
                    oks.incrementAndGet();
                }
                else {
                    assertThat(outcome).isEqualTo(RpcStatus.CALL_CANCELLED);
                    assertThat(cancelResult).isEqualTo(RpcStatus.OK);
                    cancels.incrementAndGet();
                }
                assertThat(call.complete()).isEqualTo(outcome);
                assertThat(call.complete()).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
            }
        }
        finally {
            racers.shutdownNow();
        }
        assertThat(oks.get() + cancels.get()).isEqualTo(rounds);
    }
}
